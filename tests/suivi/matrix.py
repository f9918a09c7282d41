"""Every KIT 3 view against every role (see tests/matrix.py)."""

import uuid
from datetime import date

from django.core.files.base import ContentFile

from suivi.models import CopilMeeting, CopilPack
from tests.matrix import EDIT_COOP_ARA, READ_COOP_ARA, Case
from tests.suivi.factories import (
    ActivityFactory,
    DeliverableFactory,
    RiskFactory,
    StatusReportFactory,
)


def setup_world(world):
    world.activity = ActivityFactory(cooperation=world.coop_ara, title="Imagerie de garde")
    world.deliverable = DeliverableFactory(activity=world.activity, title="Tableau de garde")
    world.risk = RiskFactory(cooperation=world.coop_ara, title="Radiologues en nombre insuffisant")
    world.report = StatusReportFactory(cooperation=world.coop_ara)
    world.pack = CopilPack.objects.create(cooperation=world.coop_ara)
    world.pack_done = CopilPack.objects.create(
        cooperation=world.coop_ara, status=CopilPack.Status.DONE, progress=100
    )
    world.pack_done.file.save("dossier.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    world.pack_failed = CopilPack.objects.create(
        cooperation=world.coop_ara, status=CopilPack.Status.FAILED, error="Échec simulé"
    )
    world.meeting = CopilMeeting.objects.create(
        cooperation=world.coop_ara, held_on=date(2027, 1, 12)
    )


def _coop(w):
    return [w.coop_ara.pk]


CASES = [
    Case("suivi:tracker", args=_coop, expect=READ_COOP_ARA),
    Case("suivi:activity_create", args=_coop, expect=EDIT_COOP_ARA),
    Case(
        "suivi:activity_create",
        method="post",
        args=_coop,
        data=lambda w: {"title": "Nouveau chantier", "order": 2},
        expect=EDIT_COOP_ARA,
    ),
    Case("suivi:activity_detail", args=lambda w: [w.activity.pk], expect=READ_COOP_ARA),
    Case("suivi:activity_edit", args=lambda w: [w.activity.pk], expect=EDIT_COOP_ARA),
    Case("suivi:deliverable_create", args=lambda w: [w.activity.pk], expect=EDIT_COOP_ARA),
    Case("suivi:deliverable_edit", args=lambda w: [w.deliverable.pk], expect=EDIT_COOP_ARA),
    Case("suivi:risk_list", args=_coop, expect=READ_COOP_ARA),
    Case("suivi:risk_create", args=_coop, expect=EDIT_COOP_ARA),
    Case("suivi:risk_edit", args=lambda w: [w.risk.pk], expect=EDIT_COOP_ARA),
    Case("suivi:report_list", args=_coop, expect=READ_COOP_ARA),
    Case("suivi:report_create", args=_coop, expect=EDIT_COOP_ARA),
    Case("suivi:report_detail", args=lambda w: [w.report.pk], expect=READ_COOP_ARA),
    Case("suivi:settings_edit", args=_coop, expect=EDIT_COOP_ARA),
    Case("suivi:export", args=lambda w: [w.coop_ara.pk, "livrables", "csv"], expect=READ_COOP_ARA),
    Case("suivi:export", args=lambda w: [w.coop_ara.pk, "risques", "xlsx"], expect=READ_COOP_ARA),
    Case("suivi:copil", args=_coop, expect=READ_COOP_ARA),
    Case(
        "suivi:copil_meeting_add",
        method="post",
        args=_coop,
        data=lambda w: {"held_on": "2027-03-02", "location": "Visioconférence"},
        expect=EDIT_COOP_ARA,
    ),
    Case(
        "suivi:copil_meeting_delete",
        method="post",
        args=lambda w: [w.meeting.pk],
        expect=EDIT_COOP_ARA,
    ),
    Case(
        "suivi:copil_request",
        method="post",
        args=_coop,
        data=lambda w: {"request_key": str(uuid.uuid4())},
        expect=EDIT_COOP_ARA,
    ),
    Case("suivi:copil_status", args=lambda w: [w.pack.pk], expect=READ_COOP_ARA),
    Case("suivi:copil_download", args=lambda w: [w.pack_done.pk], expect=READ_COOP_ARA),
    Case(
        "suivi:copil_retry",
        method="post",
        args=lambda w: [w.pack_failed.pk],
        expect=EDIT_COOP_ARA,
    ),
]
