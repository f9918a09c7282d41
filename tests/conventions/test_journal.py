"""The full transition journal of a convention: paginated, newest first, scoped."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conventions.models import Status, Transition
from tests.conventions.factories import convention_with_log

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    table = html[html.index('id="journal"') : html.index("</table>")]
    return re.findall(r"Entrée \d+", table)


def test_journal_pages_fifty_entries_newest_first(world, login):
    convention_with_log(world, 60)  # 61 entries with the generation
    client = login(world.copil)
    url = reverse("conventions:journal", args=[world.coop_ara.pk])
    first = client.get(url).content.decode()
    assert "61 changements d'état" in first and "page 1 sur 2" in first
    rows = _rows(first)
    assert len(rows) == 50
    assert rows[0] == "Entrée 60" and rows[-1] == "Entrée 11"
    assert 'class="fr-pagination"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert _rows(second) == [f"Entrée {n}" for n in range(10, 0, -1)]
    # The generation, the oldest entry, comes last.
    last_row = second[second.rindex("<tr>") : second.index("</tbody>")]
    assert "Projet" in last_row and "Première génération" in last_row


def test_convention_page_keeps_fifteen_and_links_the_full_journal(world, login):
    convention_with_log(world, 20)
    html = login(world.referent_a).get(reverse("conventions:detail", args=[world.coop_ara.pk]))
    html = html.content.decode()
    journal = html[html.index('id="journal"') :]
    assert len(re.findall(r"Entrée \d+", journal)) == 15
    assert "Voir tout le journal (21 entrées)" in journal
    assert reverse("conventions:journal", args=[world.coop_ara.pk]) in journal


def test_convention_page_with_a_short_log_counts_without_an_extra_query(world, login):
    convention_with_log(world, 0)
    client = login(world.referent_a)
    url = reverse("conventions:detail", args=[world.coop_ara.pk])
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    assert "Voir tout le journal (1 entrée)" in html
    assert not [
        q for q in ctx.captured_queries if "COUNT(*)" in q["sql"] and "transition" in q["sql"]
    ]


def test_journal_is_scoped_like_the_convention_page(world, login):
    convention_with_log(world, 1)
    url = reverse("conventions:journal", args=[world.coop_ara.pk])
    assert login(world.referent_c).get(url).status_code == 404
    assert login(world.agent_occ).get(url).status_code == 404
    assert login(world.agent_ara).get(url).status_code == 200


def test_journal_without_convention_is_a_404(world, login):
    url = reverse("conventions:journal", args=[world.coop_ara.pk])
    assert login(world.referent_a).get(url).status_code == 404


def test_journal_query_count_does_not_grow_with_the_entries(world, login):
    convention = convention_with_log(world, 3)
    client = login(world.referent_a)
    url = reverse("conventions:journal", args=[world.coop_ara.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    Transition.objects.bulk_create(
        Transition(convention=convention, to_state=Status.DRAFT, actor=world.agent_ara)
        for _ in range(40)
    )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
