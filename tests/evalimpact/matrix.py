import uuid

from django.core.files.base import ContentFile

from evalimpact.models import Evaluation, HospidiagImport, SummaryPdf
from tests.evalimpact.factories import create_evaluation
from tests.matrix import ADMIN_ONLY, DOCUMENTS_COOP_ARA, EDIT_COOP_ARA, READ_COOP_ARA, ROLES, Case

COMPARE = {
    **dict.fromkeys(ROLES, 403),
    "admin": 200,
    "agent_ara": 200,
    "agent_occ": 200,
    "agent_concerned": 200,
}


def setup_world(world):
    world.evaluation = create_evaluation(world.coop_ara, comments="Évaluation de la matrice")
    # A summary as the worker leaves it (on_commit never runs in this world).
    world.summary = SummaryPdf(cooperation=world.coop_ara, status=SummaryPdf.Status.DONE)
    world.summary.file.save("synthese.pdf", ContentFile(b"%PDF-1.7 matrix"), save=False)
    world.summary.save()
    world.summary_failed = SummaryPdf.objects.create(
        cooperation=world.coop_ara, status=SummaryPdf.Status.FAILED, error="Échec simulé"
    )
    world.hospidiag_run = HospidiagImport.objects.create(
        file_name="hd2022.csv", status=HospidiagImport.Status.FAILED, error="Échec simulé"
    )


def _evaluation(w) -> Evaluation:
    return w.evaluation


CASES = [
    Case("evalimpact:compare", expect=COMPARE),
    Case("evalimpact:export", expect=COMPARE),
    Case("evalimpact:cooperation", args=lambda w: [w.coop_ara.pk], expect=READ_COOP_ARA),
    Case("evalimpact:create", args=lambda w: [w.coop_ara.pk], expect=EDIT_COOP_ARA),
    Case(
        "evalimpact:create",
        method="post",
        args=lambda w: [w.coop_ara.pk],
        data=lambda w: {"kind": "effective", "evaluated_on": "2026-06-01", "activity": "medecine"},
        expect=EDIT_COOP_ARA,
    ),
    # Every reader but the read-only COPIL guest may ask for its summary PDF (a job is a write).
    Case(
        "evalimpact:summary_request",
        method="post",
        args=lambda w: [w.coop_ara.pk],
        data=lambda w: {"request_key": str(uuid.uuid4())},
        expect=DOCUMENTS_COOP_ARA,
    ),
    Case("evalimpact:summary", args=lambda w: [w.summary.pk], expect=READ_COOP_ARA),
    Case("evalimpact:summary_download", args=lambda w: [w.summary.pk], expect=READ_COOP_ARA),
    # "Relancer" a failed summary: the same right as asking for one.
    Case(
        "evalimpact:summary_retry",
        method="post",
        args=lambda w: [w.summary_failed.pk],
        expect=DOCUMENTS_COOP_ARA,
    ),
    Case("evalimpact:detail", args=lambda w: [_evaluation(w).pk], expect=READ_COOP_ARA),
    Case("evalimpact:edit", args=lambda w: [_evaluation(w).pk], expect=EDIT_COOP_ARA),
    Case(
        "evalimpact:finalize",
        method="post",
        args=lambda w: [_evaluation(w).pk],
        data=lambda w: {"version": _evaluation(w).version},
        expect=EDIT_COOP_ARA,
    ),
    Case(
        "evalimpact:reopen",
        method="post",
        args=lambda w: [_evaluation(w).pk],
        data=lambda w: {"version": _evaluation(w).version},
        expect=EDIT_COOP_ARA,
    ),
    Case("evalimpact:hospidiag_import_start", expect=ADMIN_ONLY),
    Case(
        "evalimpact:hospidiag_import",
        args=lambda w: [w.hospidiag_run.pk],
        expect=ADMIN_ONLY,
    ),
    Case(
        "evalimpact:hospidiag_import_retry",
        method="post",
        args=lambda w: [w.hospidiag_run.pk],
        expect=ADMIN_ONLY,
    ),
]
