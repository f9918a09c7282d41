"""Conventions views × roles. `setup_world` gives coop_ara a convention in signature."""

from django.utils import timezone

from tests.matrix import (
    DOCUMENTS_COOP_ARA,
    READ_COOP_ARA,
    TEAM_COOP_ARA,
    VALIDATE_COOP_ARA,
    Case,
)


def setup_world(world):
    from conventions import services
    from tests.conventions.factories import complete

    complete(world.coop_ara)
    services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    convention = world.coop_ara.convention
    services.signature_start(convention=convention, user=world.referent_a, expected_version=1)
    world.convention = convention
    world.party = world.coop_ara.memberships.get(establishment=world.et_a)
    world.other_party = world.coop_ara.memberships.get(establishment=world.et_b)
    from django.core.files.uploadedfile import SimpleUploadedFile

    world.signature = services.signature_record(
        convention=convention,
        membership_id=world.party.pk,
        user=world.referent_a,
        signatory="Mme Directrice",
        signed_on=timezone.localdate(),
        signed_copy=SimpleUploadedFile("signee.pdf", b"%PDF-1.4 signed", "application/pdf"),
    )
    # Version 1's files as the worker leaves them (on_commit never runs in this world).
    from django.core.files.base import ContentFile

    from conventions.models import VersionFiles

    files = VersionFiles.objects.get(version__convention=convention, version__number=1)
    files.pdf.save("v1.pdf", ContentFile(b"%PDF-1.7 matrix"), save=False)
    files.docx.save("v1.docx", ContentFile(b"PK\x03\x04 matrix"), save=False)
    files.status = VersionFiles.Status.DONE
    files.save()
    # A decision with its signed arrêté (a send-back on an earlier round, say).
    from conventions.models import ApprovalDecision

    world.decision = ApprovalDecision(
        convention=convention,
        version=files.version,
        kind=ApprovalDecision.Kind.SENT_BACK,
        decided_on=timezone.localdate(),
        reason="Mise en conformité demandée",
    )
    world.decision.arrete.save("arrete.pdf", ContentFile(b"%PDF-1.7 arrete"), save=False)
    world.decision.arrete_name = "arrete.pdf"
    world.decision.save()


def _coop(w):
    return [w.coop_ara.pk]


CASES = [
    Case("conventions:detail", args=_coop, expect=READ_COOP_ARA),
    Case("conventions:journal", args=_coop, expect=READ_COOP_ARA),
    Case("conventions:data", args=_coop, expect=TEAM_COOP_ARA),
    Case(
        "conventions:member_terms", args=lambda w: [w.coop_ara.pk, w.party.pk], expect=TEAM_COOP_ARA
    ),
    # The convention is in signature: the team's generate POST is answered with a redirect.
    Case("conventions:generate", args=_coop, method="post", expect=TEAM_COOP_ARA),
    Case("conventions:edit", args=_coop, expect=TEAM_COOP_ARA),
    Case("conventions:diff", args=_coop, expect=READ_COOP_ARA, ok_statuses=(200, 400)),
    Case("conventions:version", args=lambda w: [w.coop_ara.pk, 1], expect=READ_COOP_ARA),
    Case("conventions:pdf", args=lambda w: [w.coop_ara.pk, 1], expect=READ_COOP_ARA),
    Case("conventions:docx", args=lambda w: [w.coop_ara.pk, 1], expect=READ_COOP_ARA),
    # The htmx poll of the files' progress (a plain GET redirects to the version page).
    Case("conventions:files", args=lambda w: [w.coop_ara.pk, 1], expect=READ_COOP_ARA),
    # Every reader but the read-only COPIL guest may ask for its missing files.
    Case(
        "conventions:files_generate",
        args=lambda w: [w.coop_ara.pk, 1],
        method="post",
        expect=DOCUMENTS_COOP_ARA,
    ),
    Case("conventions:signature_start", args=_coop, method="post", expect=TEAM_COOP_ARA),
    Case(
        "conventions:signature_add",
        args=lambda w: [w.coop_ara.pk, w.other_party.pk],
        expect=TEAM_COOP_ARA,
    ),
    Case(
        "conventions:signed_copy",
        args=lambda w: [w.coop_ara.pk, w.signature.pk],
        expect=READ_COOP_ARA,
    ),
    Case("conventions:approval", args=_coop, expect=VALIDATE_COOP_ARA),
    # After an approval: publication date and signed document (here refused: not approved).
    Case("conventions:approval_complete", args=_coop, method="post", expect=VALIDATE_COOP_ARA),
    # The signed arrêté of a decision: whoever reads the convention downloads it.
    Case(
        "conventions:decision_arrete",
        args=lambda w: [w.coop_ara.pk, w.decision.pk],
        expect=READ_COOP_ARA,
    ),
    Case("conventions:amendment", args=_coop, method="post", expect=TEAM_COOP_ARA),
]
