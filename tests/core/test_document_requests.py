"""Document jobs: a write that the read-only COPIL guest may not start; rate-limited per user
(issue 14, item 4)."""

import uuid
from html import unescape

import pytest
from django.urls import reverse

from core import ratelimit
from evalimpact.models import SummaryPdf
from tests.evalimpact.factories import complete_rows, create_evaluation
from tests.evalimpact.test_evaluations import _save

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(world):
    evaluation = create_evaluation(world.coop_ara)
    _save(evaluation, complete_rows(evaluation))
    return world.coop_ara


def _request_summary(client, coop):
    return client.post(
        reverse("evalimpact:summary_request", args=[coop.pk]), {"request_key": str(uuid.uuid4())}
    )


def test_the_copil_guest_reads_but_cannot_start_a_document_job(evaluated, world, login):
    client = login(world.copil)
    page = unescape(
        client.get(reverse("evalimpact:cooperation", args=[evaluated.pk])).content.decode()
    )
    assert "Générer la synthèse PDF" not in page
    response = _request_summary(client, evaluated)
    assert response.status_code == 403
    assert "lecture seule" in unescape(response.content.decode())
    assert not SummaryPdf.objects.exists()
    # The team still sees the button.
    team_page = login(world.referent_a).get(reverse("evalimpact:cooperation", args=[evaluated.pk]))
    assert "Générer la synthèse PDF" in unescape(team_page.content.decode())


def test_document_requests_are_rate_limited_per_user_in_french(
    evaluated, world, login, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.DOCUMENT_RATE_LIMIT = "2/min"
    # Inside one window whatever the clock says (a slow run could cross a minute boundary).
    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_800_000_030.0)
    client = login(world.referent_a)
    with django_capture_on_commit_callbacks(execute=False):
        answers = [_request_summary(client, evaluated).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    limited = _request_summary(client, evaluated)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    text = unescape(limited.content.decode())
    assert "Trop de demandes" in text and "Patientez" in text
    assert SummaryPdf.objects.count() == 2
    # Another user has their own allowance.
    other = login(world.agent_ara)
    with django_capture_on_commit_callbacks(execute=False):
        assert _request_summary(other, evaluated).status_code == 302


def test_the_limiter_counts_per_window_and_refuses_a_malformed_rate():
    assert [ratelimit.hit("test-key", "2/hour") for _ in range(2)] == [0, 0]
    assert ratelimit.hit("test-key", "2/hour") > 0
    assert ratelimit.hit("another-key", "2/hour") == 0
    with pytest.raises(ValueError, match="mal écrite"):
        ratelimit.parse_rate("2 par minute")
