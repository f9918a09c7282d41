"""Rows stored before the plausible-date rule (year 1, 9999, a typo like 0026) never break
the tracker, its exports or the COPIL pack, and the team can correct them."""

import uuid
from datetime import date

import pytest

from suivi.models import CopilPack, Deliverable
from tests.legacy import without_check_constraints
from tests.suivi.factories import ActivityFactory, DeliverableFactory

pytestmark = pytest.mark.django_db

LEGACY = [date(1, 1, 1), date(9999, 12, 31), date(26, 6, 30)]
CONSTRAINTS = [
    ("suivi_deliverable", f"deliverable_{field}_plausible")
    for field in ("planned_on", "revised_on", "done_on")
]


@pytest.fixture
def legacy(world):
    activity = ActivityFactory(cooperation=world.coop_ara, title="Plateau d'imagerie")
    good = DeliverableFactory(activity=activity, title="Dossier IRM", planned_on=date(2026, 3, 1))
    bad = [DeliverableFactory(activity=activity, title=f"Livrable {d.year}") for d in LEGACY]
    with without_check_constraints(*CONSTRAINTS):
        for deliverable, day in zip(bad, LEGACY, strict=True):
            Deliverable.objects.filter(pk=deliverable.pk).update(planned_on=day, revised_on=day)
        Deliverable.objects.filter(pk=bad[0].pk).update(done_on=date(9999, 1, 1))
    return world.coop_ara, good, bad


@pytest.mark.parametrize("role", ["referent_a", "agent_ara", "copil", "admin"])
def test_tracker_answers_for_every_role_and_stays_small(legacy, world, login, role):
    cooperation, good, bad = legacy
    response = login(world.users()[role]).get(f"/suivi/{cooperation.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dossier IRM" in html and "Livrable 9999" in html
    # A 2 000-year Gantt was 4 MB: implausible dates are not drawn.
    assert len(response.content) < 1_000_000


def test_exports_survive_legacy_dates(legacy, world, login):
    cooperation, _good, _bad = legacy
    client = login(world.referent_a)
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/suivi/{cooperation.pk}/export/livrables.{fmt}")
        assert response.status_code == 200, fmt


def test_copil_pack_is_produced_with_legacy_dates(
    legacy, world, login, django_capture_on_commit_callbacks
):
    cooperation, _good, _bad = legacy
    client = login(world.referent_a)
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/suivi/{cooperation.pk}/copil/generer/", {"request_key": str(key)})
    pack = CopilPack.objects.get(request_key=key)
    assert pack.status == CopilPack.Status.DONE, pack.error


def test_the_team_can_correct_a_legacy_baseline(legacy, world, login):
    _cooperation, _good, bad = legacy
    deliverable = Deliverable.objects.get(pk=bad[1].pk)
    client = login(world.referent_a)
    page = client.get(f"/suivi/livrables/{deliverable.pk}/modifier/").content.decode()
    assert 'name="planned_on"' in page and "disabled" not in page.split('name="planned_on"')[1][:80]
    response = client.post(
        f"/suivi/livrables/{deliverable.pk}/modifier/",
        {
            "kind": deliverable.kind,
            "title": deliverable.title,
            "planned_on": "2026-09-30",
            "revised_on": "2026-10-31",
            "revision_reason": "Année saisie par erreur",
            "progress": "0",
            "weight": "1",
            "version": str(deliverable.version),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    deliverable.refresh_from_db()
    assert deliverable.planned_on == date(2026, 9, 30)


def test_tracker_xlsx_export_survives_a_legacy_control_character(world, login):
    import io

    from openpyxl import load_workbook

    activity = ActivityFactory(cooperation=world.coop_ara)
    deliverable = DeliverableFactory(activity=activity, title="Dossier IRM")
    # Stored before the forms removed control characters.
    Deliverable.objects.filter(pk=deliverable.pk).update(title="Dossier\x0b IRM\x1b v2")
    response = login(world.referent_a).get(f"/suivi/{world.coop_ara.pk}/export/livrables.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "Dossier IRM v2" in [cell.value for cell in sheet["A"]] + [
        cell.value for row in sheet.iter_rows() for cell in row
    ]


def test_other_pages_showing_deliverables_answer_too(legacy, world, login):
    cooperation, _good, _bad = legacy
    for user in (world.referent_a, world.agent_ara):
        client = login(user)
        for url in ("/", cooperation.get_absolute_url(), "/cooperations/"):
            assert client.get(url).status_code == 200, (user, url)
