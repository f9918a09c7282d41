"""The work list's cells, built in Python (PortfolioColumn.cell), against their reference
templates (PortfolioColumn.cell_template), and the page's column values compiled once."""

import dataclasses
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conventions.models import Convention, ConventionTemplate, Status, Transition
from cooperations import portfolio
from cooperations.models import Cooperation, RegionalObjective
from core import registry
from fiches.models import Step, StepState
from suivi.models import CopilMeeting
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.queries import count_queries
from tests.suivi.factories import ActivityFactory, DeliverableFactory
from tests.territories.factories import ars, departement

pytestmark = pytest.mark.django_db
LIST = reverse("cooperations:list")
ALL_COLUMNS = "?" + "&".join(f"colonnes={c.key}" for c in portfolio.columns())


def _step(cooperation, number: int, state: str, days_ago: int = 0) -> Step:
    step = Step.objects.get(cooperation=cooperation, number=number)
    Step.objects.filter(pk=step.pk).update(
        state=state, submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return step


def _convention(cooperation, status: str, signed_days_ago: int | None = None) -> Convention:
    convention = Convention.objects.create(
        cooperation=cooperation, template=ConventionTemplate.objects.first(), status=status
    )
    if signed_days_ago is not None:
        transition = Transition.objects.create(
            convention=convention, from_state=Status.IN_SIGNATURE, to_state=Status.SIGNED
        )
        Transition.objects.filter(pk=transition.pk).update(
            at=timezone.now() - timedelta(days=signed_days_ago)
        )
    return convention


@pytest.fixture
def every_case(world):
    """Cooperations covering every branch of every cell (titles to escape, no legal form,
    steps waiting 2, 10 and 20 days, a returned step, conventions to approve and to renew,
    late / at-risk / on-time planning, a COPIL ahead, stalled, objectives)."""
    today = timezone.localdate()
    tricky = CooperationFactory(
        title='Santé <b>&</b> "l\'Ain"', short_name="S&A", gcs=True, members=3
    )
    tricky.departements.set([departement("01"), departement("38")])
    tricky.plan_objectives.add(
        RegionalObjective.objects.create(
            ars=ars("84"),
            kind="srs",
            code="SRS-<1>",
            title="Objectif",
            starts_year=2023,
            ends_year=2028,
        )
    )
    _step(tricky, 1, StepState.SUBMITTED, days_ago=20)
    _convention(tricky, Status.SIGNED, signed_days_ago=9)
    DeliverableFactory(
        activity=ActivityFactory(cooperation=tricky), planned_on=today - timedelta(3)
    )
    CopilMeeting.objects.create(cooperation=tricky, held_on=today + timedelta(12))

    waiting = CooperationFactory(title="Attend 10 jours", members=1)
    _step(waiting, 1, StepState.SUBMITTED, days_ago=10)
    renewal = _convention(waiting, Status.APPROVED)
    Cooperation.objects.filter(pk=waiting.pk).update(ends_on=today + timedelta(20))
    DeliverableFactory(
        activity=ActivityFactory(cooperation=waiting), planned_on=today + timedelta(30)
    )
    assert renewal.pk

    recent = CooperationFactory(title="Attend 2 jours", ght=True)
    _step(recent, 1, StepState.SUBMITTED, days_ago=2)
    at_risk = DeliverableFactory(
        activity=ActivityFactory(cooperation=recent), planned_on=today + timedelta(10)
    )
    type(at_risk).objects.filter(pk=at_risk.pk).update(revised_on=today + timedelta(15))

    returned = CooperationFactory(title="Renvoyée")
    MembershipFactory(cooperation=returned)  # before the stalled date (a write bumps it)
    _step(returned, 1, StepState.VALIDATED)
    Step.objects.filter(cooperation=returned, number=2).update(state=StepState.RETURNED)
    Cooperation.objects.filter(pk=returned.pk).update(
        legal_form=None, last_activity_at=timezone.now() - timedelta(weeks=30)
    )
    return [tricky, waiting, recent, returned]


def _tbody(html: str) -> str:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    # A template file's last newline ends up before </td>: not seen by anyone.
    return re.sub(r"\s*</td>", "</td>", re.sub(r"\s+", " ", body)).strip()


def _with_templates(monkeypatch):
    """Every column rendered from its template, the way the page did before cells in Python."""
    monkeypatch.setattr(
        registry,
        "PORTFOLIO_COLUMNS",
        [dataclasses.replace(c, cell=None) for c in registry.PORTFOLIO_COLUMNS],
    )
    monkeypatch.setattr(portfolio, "PORTFOLIO_COLUMNS", registry.PORTFOLIO_COLUMNS)


@pytest.mark.parametrize("query", [ALL_COLUMNS, "", "?tri=planning", "?tri=-activite"])
def test_rows_built_in_python_are_the_templates_rows(every_case, world, login, monkeypatch, query):
    client = login(world.agent_ara)
    built = client.get(LIST + query).content.decode()
    _with_templates(monkeypatch)
    assert [c.cell for c in portfolio.columns()] == [None] * len(portfolio.columns())
    reference = client.get(LIST + query).content.decode()
    assert _tbody(built) == _tbody(reference)
    assert _tbody(built).count("<tr ") == 5  # the four cases and the world's cooperation


def test_every_cell_branch_is_on_the_page(every_case, world, login):
    """A snapshot of what users read, so that the comparison above is not between two
    empty tables."""
    tricky, waiting, recent, returned = every_case
    html = login(world.agent_ara).get(LIST + ALL_COLUMNS).content.decode()
    body = _tbody(html)
    step = Step.objects.get(cooperation=tricky, number=1)
    assert (
        f'<a href="/cooperations/{tricky.pk}/">Santé &lt;b&gt;&amp;&lt;/b&gt; &quot;l&#x27;Ain&quot;</a>'
        in body
    )
    assert '<span class="fr-text--xs kc-muted">(S&amp;A)</span>' in body
    assert "3 membres · " in body and " · …</span>" in body and "1 membre · " in body
    assert "PRS : SRS-&lt;1&gt;" in body and "Forme à choisir" in body
    assert "01, 38" in body
    assert f'href="{reverse("fiches:step", args=[step.pk])}">Étape 1 à valider</a>' in body
    for flavour, days in (("error", 20), ("warning", 10), ("info", 2)):
        assert (
            f"fr-badge--{flavour} fr-badge--no-icon kc-waiting\">attend l'ARS depuis {days} j"
            in body
        )
    assert "Équipe : étape 2 (renvoyée)" in body and "1/" in body
    assert "à approuver, signée il y a 9 j" in body
    ends = (timezone.localdate() + timedelta(20)).strftime("%d/%m/%Y")
    assert f"à renouveler : fin le {ends}" in body
    assert "En retard" in body and "Non suivi" in body and "Non planifié" in body
    held = (timezone.localdate() + timedelta(12)).strftime("%d/%m/%Y")
    assert f'<span class="kc-nowrap">{held}</span>' in body
    assert "À l&#x27;arrêt depuis" not in body and "À l'arrêt depuis 30 sem." in body


def test_column_values_follow_the_data_and_the_day(world):
    """The SQL is compiled once, the values are read at each call: a new step shows at
    once, and another day is another query (the COPIL of tomorrow is past the day after)."""
    today = timezone.localdate()
    chosen = portfolio.columns()
    ids = [world.coop_ara.pk]
    assert portfolio._column_query(chosen, today, 1, "default") is not None  # reusable SQL
    assert portfolio.column_values(ids, chosen, today)[world.coop_ara.pk]["pf_pending_step"] is None
    step = _step(world.coop_ara, 1, StepState.SUBMITTED, days_ago=3)
    CopilMeeting.objects.create(cooperation=world.coop_ara, held_on=today + timedelta(1))
    values = portfolio.column_values(ids, chosen, today)[world.coop_ara.pk]
    assert values["pf_pending_step"] == step.pk
    assert values["pf_next_copil"] == today + timedelta(1)
    later = portfolio.column_values(ids, chosen, today + timedelta(2))[world.coop_ara.pk]
    assert later["pf_next_copil"] is None


def test_the_compiled_query_gives_each_page_the_orms_values(every_case, world):
    """The SQL compiled for one page of two rows, run again with another page's ids, gives
    what the ORM gives for those ids (the placeholders are swapped for the right ids)."""
    today = timezone.localdate()
    chosen = portfolio.columns()
    pages = [[c.pk for c in every_case[:2]], [every_case[3].pk, every_case[2].pk]]
    assert portfolio._column_query(chosen, today, 2, "default") is not None
    for ids in pages:
        annotated = portfolio.annotate_all(Cooperation.objects.filter(pk__in=ids), chosen, today)
        names = tuple(annotated.query.annotations)
        expected = {
            pk: dict(zip(names, values, strict=True))
            for pk, *values in annotated.order_by().values_list("pk", *names)
        }
        assert portfolio.column_values(ids, chosen, today) == expected
        assert set(expected) == set(ids)
    first, second = (portfolio.column_values(ids, chosen, today) for ids in pages)
    assert first != second  # the four cases differ: a swap gone wrong would show


def test_column_values_follow_the_settings(world, settings):
    """Settings read by an annotation (the renewal notice) start a new compiled query."""
    today = timezone.localdate()
    _convention(world.coop_ara, Status.APPROVED)
    Cooperation.objects.filter(pk=world.coop_ara.pk).update(ends_on=today + timedelta(40))
    chosen = portfolio.columns()
    settings.RENEWAL_NOTICE_DAYS = 30
    assert not portfolio.column_values([world.coop_ara.pk], chosen, today)[world.coop_ara.pk][
        "pf_renewal_due"
    ]
    settings.RENEWAL_NOTICE_DAYS = 60
    assert portfolio.column_values([world.coop_ara.pk], chosen, today)[world.coop_ara.pk][
        "pf_renewal_due"
    ]


def test_every_column_page_runs_a_constant_number_of_queries(every_case, world, login):
    client = login(world.agent_ara)
    few = count_queries(client, LIST + ALL_COLUMNS)
    for index in range(12):
        cooperation = CooperationFactory(gcs=True, members=3)
        _step(cooperation, 1, StepState.SUBMITTED, days_ago=index)
        _convention(cooperation, Status.SIGNED, signed_days_ago=index)
        CopilMeeting.objects.create(
            cooperation=cooperation, held_on=timezone.localdate() + timedelta(index)
        )
    assert count_queries(client, LIST + ALL_COLUMNS) == few
    assert count_queries(client, LIST + ALL_COLUMNS + "&page=2") == few
