from datetime import date

import pytest
from django.core.exceptions import ValidationError

from suivi import services
from suivi.models import StatusReport
from tests.cooperations.factories import CooperationFactory
from tests.suivi.factories import ActivityFactory, DeliverableFactory, RiskFactory

pytestmark = pytest.mark.django_db

TEXTS = {
    "achievements": "Recrutement lancé.",
    "decisions_expected": "Valider le budget 2027.",
}


def _project():
    cooperation = CooperationFactory()
    activity = ActivityFactory(cooperation=cooperation, title="Imagerie")
    late = DeliverableFactory(
        activity=activity, title="Salle IRM", planned_on=date(2026, 5, 1), progress=20, weight=3
    )
    DeliverableFactory(
        activity=activity, title="Tableau de garde", planned_on=date(2026, 7, 1), progress=60
    )
    RiskFactory(cooperation=cooperation, title="Blindage livré en retard", probability=3, impact=4)
    return cooperation, late


def test_report_freezes_its_numbers_and_stays_true_after_later_edits():
    cooperation, late = _project()
    report = services.report_create(
        cooperation=cooperation,
        user=None,
        today=date(2026, 5, 31),
        data={"period_start": date(2026, 5, 1), "period_end": date(2026, 5, 31), **TEXTS},
    )
    frozen = StatusReport.objects.get(pk=report.pk).snapshot
    assert frozen["progress"] == 30  # (20×3 + 60×1) / 4
    assert frozen["rag"] == "late" and frozen["late_count"] == 1
    salle = next(d for d in frozen["deliverables"] if d["title"] == "Salle IRM")
    assert salle["slippage"] == 30 and salle["rag_label"] == "En retard"
    assert frozen["risks"][0]["title"] == "Blindage livré en retard"
    assert frozen["risks"][0]["criticity"] == 12

    # The project moves on: delivered, risk closed, a new deliverable.
    services.deliverable_update(
        deliverable=late, data={"done_on": date(2026, 6, 10)}, version=1, today=date(2026, 6, 15)
    )
    late.activity.cooperation.risks.update(status="clos")
    DeliverableFactory(activity=late.activity, title="Nouveau livrable")

    assert StatusReport.objects.get(pk=report.pk).snapshot == frozen


def test_report_page_shows_the_frozen_numbers_not_the_live_ones(world, login):
    activity = ActivityFactory(cooperation=world.coop_ara)
    deliverable = DeliverableFactory(activity=activity, title="Étude de faisabilité", progress=40)
    report = services.report_create(
        cooperation=world.coop_ara,
        user=world.referent_a,
        today=date(2026, 5, 31),
        data={"period_start": date(2026, 5, 1), "period_end": date(2026, 5, 31), **TEXTS},
    )
    deliverable.progress = 90
    deliverable.save()
    html = login(world.referent_a).get(f"/suivi/rapports/{report.pk}/").content.decode()
    assert '<strong id="snap-progress">40 %</strong>' in html
    assert "Valider le budget 2027." in html
    assert "31/05/2026" in html


def test_period_out_of_order_or_duplicate_is_refused_in_french():
    cooperation, _late = _project()
    with pytest.raises(ValidationError) as error:
        services.report_create(
            cooperation=cooperation,
            user=None,
            today=date(2026, 6, 1),
            data={"period_start": date(2026, 5, 31), "period_end": date(2026, 5, 1), **TEXTS},
        )
    assert "précéder son début" in error.value.message_dict["period_end"][0]
    data = {"period_start": date(2026, 5, 1), "period_end": date(2026, 5, 31), **TEXTS}
    services.report_create(cooperation=cooperation, user=None, today=date(2026, 6, 1), data=data)
    with pytest.raises(ValidationError) as error:
        services.report_create(
            cooperation=cooperation, user=None, today=date(2026, 6, 1), data=data
        )
    assert "existe déjà pour cette période" in str(error.value)
    assert StatusReport.objects.count() == 1


def test_report_form_errors_keep_the_input(world, login):
    client = login(world.referent_a)
    response = client.post(
        f"/suivi/{world.coop_ara.pk}/rapports/nouveau/",
        {
            "period_start": "2026-05-31",
            "period_end": "2026-05-01",
            "achievements": "Texte à ne pas perdre",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "La fin de la période ne peut pas précéder son début." in html
    assert "Texte à ne pas perdre" in html
    assert not StatusReport.objects.exists()
