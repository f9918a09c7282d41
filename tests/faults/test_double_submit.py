"""The same form posted twice at the same instant (two tabs, a network retry) on PostgreSQL
(issue 14): never a 500, never a duplicate. Representative create forms: a COPIL pack
request (idempotency key) and a COPIL meeting (one per day)."""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from suivi.models import CopilMeeting, CopilPack

pytestmark = pytest.mark.django_db(transaction=True)


def _post_twice_at_once(user, url: str, data: dict) -> list:
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        clients.append(client)
    barrier = threading.Barrier(2, timeout=20)
    answers: list = [None, None]

    def post(index: int) -> None:
        try:
            barrier.wait()
            answers[index] = clients[index].post(url, data)
        except Exception as error:  # noqa: BLE001 - a 500 is raised by the test client
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return answers


def test_representative_create_forms_posted_twice_at_once(world):
    # A COPIL pack request carries an idempotency key: one pack, both answers lead to it.
    key = str(uuid.uuid4())
    answers = _post_twice_at_once(
        world.referent_a, f"/suivi/{world.coop_ara.pk}/copil/generer/", {"request_key": key}
    )
    assert [getattr(a, "status_code", a) for a in answers] == [302, 302]
    assert CopilPack.objects.filter(request_key=key).count() == 1
    assert answers[0]["Location"] == answers[1]["Location"]

    # One COPIL meeting a day: one is added, the other form says so in French.
    answers = _post_twice_at_once(
        world.referent_a,
        f"/suivi/{world.coop_ara.pk}/copil/reunions/",
        {"held_on": "2027-03-02", "location": "Visioconférence"},
    )
    statuses = sorted(getattr(a, "status_code", a) for a in answers)
    assert statuses == [200, 302], answers
    assert CopilMeeting.objects.filter(cooperation=world.coop_ara).count() == 1
    refused = next(a for a in answers if a.status_code == 200)
    assert "Un COPIL est déjà prévu ce jour-là." in refused.content.decode()
