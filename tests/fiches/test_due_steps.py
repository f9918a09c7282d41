"""KIT 1 steps are created when they become due, never when a page is read."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperations import services as cooperation_services
from cooperations.models import Cooperation
from fiches.models import CatalogueVersion, Fiche, Step, StepState
from fiches.services.comments import comment_add
from fiches.services.legal_form import legal_form_record
from fiches.services.steps import steps_ensure_all
from tests.cooperations.factories import CooperationFactory, MembershipFactory, legal_form
from tests.fiches.helpers import steps_of, walk
from tests.territories.factories import ars, departement


@pytest.fixture
def fiche_15_for_gcs(db):
    """Fiche 15 of the catalogue in force restricted to the GCS de moyens."""
    fiche = Fiche.objects.get(version=CatalogueVersion.objects.current(), number=15)
    fiche.legal_forms.set([legal_form("gcs-moyens")])
    return fiche


def _team_coop(world, **traits):
    """A cooperation of which referent_a is on the team."""
    coop = CooperationFactory(**traits)
    MembershipFactory(cooperation=coop, establishment=world.et_a, role="porteur")
    return coop


def _change_legal_form(coop, user, code):
    coop = Cooperation.objects.get(pk=coop.pk)
    legal_form_record(
        cooperation=coop, user=user, legal_form=legal_form(code), answers={}, ranking=[]
    )
    return coop


def test_creating_a_cooperation_creates_its_steps(world):
    coop = cooperation_services.cooperation_create(
        user=world.agent_ara,
        data={"title": "Blanchisserie commune", "pilot_ars": ars("84"), "departements": []},
    )
    steps = Step.objects.filter(cooperation=coop).select_related("fiche__version")
    assert sorted(s.number for s in steps) == list(range(1, 16))
    assert all(s.state == StepState.NOT_STARTED for s in steps)
    assert {s.fiche.version for s in steps} == {CatalogueVersion.objects.current()}


def test_a_fiche_for_one_legal_form_waits_for_that_form(world, fiche_15_for_gcs):
    coop = _team_coop(world)
    assert sorted(steps_of(coop)) == list(range(1, 15))
    coop = _change_legal_form(coop, world.referent_a, "gcs-moyens")
    assert sorted(steps_of(coop)) == list(range(1, 16))
    assert steps_of(coop)[15].fiche == fiche_15_for_gcs


def test_a_step_that_no_longer_applies_is_removed_only_if_untouched(world, fiche_15_for_gcs):
    fiche_14 = Fiche.objects.get(version=fiche_15_for_gcs.version, number=14)
    fiche_14.legal_forms.set([legal_form("gcs-moyens")])
    coop = _team_coop(world, gcs=True)
    comment_add(step=steps_of(coop)[14], user=world.referent_a, body="À voir")
    coop = _change_legal_form(coop, world.referent_a, "convention")
    steps = steps_of(coop)
    assert 15 not in steps  # untouched: removed
    assert 14 in steps and steps[14].comments.count() == 1  # worked on: kept
    # Back to the GCS: the removed step comes back, the kept one is not duplicated.
    coop = _change_legal_form(coop, world.referent_a, "gcs-moyens")
    assert sorted(steps_of(coop)) == list(range(1, 16))


def test_the_edit_form_changing_the_legal_form_adds_the_steps(world, fiche_15_for_gcs, login):
    coop = _team_coop(world)
    assert 15 not in steps_of(coop)
    client = login(world.referent_a)
    url = reverse("cooperations:edit", args=[coop.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        legal_form=legal_form("gcs-moyens").pk,
        departements=[departement("01").pk],
        version=coop.version,
    )
    data.pop("typologies", None), data.pop("themes", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert 15 in steps_of(coop)


def test_saving_a_cooperation_without_changing_its_form_leaves_the_steps_alone(world):
    coop = Cooperation.objects.get(pk=world.coop_ara.pk)
    coop.title = "Imagerie partagée de l'Ain et du Jura"
    with CaptureQueriesContext(connection) as ctx:
        coop.save()
    assert not [q for q in ctx.captured_queries if "fiches_step" in q["sql"]]


def test_reading_the_stepper_writes_nothing(world, login):
    steps = steps_of(world.coop_ara)
    walk(steps[1], world.referent_a, world.agent_ara, "validated")
    client = login(world.referent_a)
    url = reverse("fiches:stepper", args=[world.coop_ara.pk])
    client.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert "Étapes validées : 1 sur 15" in response.content.decode()
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_a_catalogue_change_adds_the_steps_it_makes_due_and_rewrites_nothing(
    world, fiche_15_for_gcs
):
    coop = CooperationFactory()  # no legal form yet: fiche 15 does not apply
    gcs = CooperationFactory(gcs=True)
    before = {s.pk: (s.fiche_id, s.state, s.version) for s in Step.objects.all()}
    assert 15 not in steps_of(coop) and 15 in steps_of(gcs)
    fiche_15_for_gcs.legal_forms.clear()  # now for every form
    assert steps_ensure_all() == 1
    assert 15 in steps_of(coop)
    assert {
        s.pk: (s.fiche_id, s.state, s.version) for s in Step.objects.filter(pk__in=before)
    } == before
    assert steps_ensure_all() == 0  # idempotent


def test_admin_saving_a_fiche_creates_the_steps_it_makes_due(world, fiche_15_for_gcs, login):
    coop = CooperationFactory()
    assert 15 not in steps_of(coop)
    fiche = fiche_15_for_gcs
    data = {
        "title": fiche.title,
        "phase": fiche.phase,
        "purpose": fiche.purpose,
        "guidance": fiche.guidance,
        "documents_expected": fiche.documents_expected,
        "legal_forms": [],
        "prerequisites": [p.pk for p in fiche.prerequisites.all()],
        "knowledge_pages": [p.pk for p in fiche.knowledge_pages.all()],
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    response = login(world.admin).post(f"/admin/fiches/fiche/{fiche.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert 15 in steps_of(coop)


def test_the_data_migration_creates_the_missing_steps_of_existing_cooperations(world):
    migration = importlib.import_module("fiches.migrations.0005_create_due_steps")
    Step.objects.filter(cooperation=world.coop_ara, number__gte=10).delete()
    walk(steps_of(world.coop_ara)[1], world.referent_a, world.agent_ara, "in_progress")
    migration.create_due_steps(apps, None)
    steps = steps_of(world.coop_ara)
    assert sorted(steps) == list(range(1, 16))
    assert steps[1].state == StepState.IN_PROGRESS
    migration.create_due_steps(apps, None)  # idempotent
    assert Step.objects.filter(cooperation=world.coop_ara).count() == 15


def test_syncing_the_steps_reads_the_catalogue_once_in_constant_queries(world):
    """The fiches that apply are computed once for both the creations and the removals,
    whatever the size of the catalogue (fiches.services.steps.steps_sync_legal_form)."""
    from fiches.models import FichePhase
    from fiches.services.steps import steps_sync_legal_form

    coop = _team_coop(world)

    def queries() -> tuple[int, int]:
        Step.objects.filter(cooperation=coop, number=14).delete()  # one step to create
        with CaptureQueriesContext(connection) as captured:
            steps_sync_legal_form(cooperation=Cooperation.objects.get(pk=coop.pk))
        fiche_reads = [q for q in captured if 'FROM "fiches_fiche" ' in q["sql"]]
        return len(fiche_reads), len(captured)

    fiche_reads, before = queries()
    assert fiche_reads == 1
    version = CatalogueVersion.objects.current()
    for number in (16, 17, 18):
        Fiche.objects.create(
            version=version, number=number, title=f"Fiche {number}", phase=FichePhase.values[0]
        )
    fiche_reads, after = queries()
    assert sorted(steps_of(coop))[-3:] == [16, 17, 18]  # the new fiches got their steps
    assert fiche_reads == 1
    assert after == before
