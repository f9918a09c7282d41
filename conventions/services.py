"""Writes on conventions. Keyword-only, atomic, validated first; views stay thin.

State machine (every change is written to Transition):
    draft → in_signature → signed → approved | approval_not_required → amended → in_signature …
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from conventions.checks import check, facts_for
from conventions.documents import version_files_request
from conventions.models import (
    Clause,
    Convention,
    ConventionData,
    ConventionTemplate,
    ConventionVersion,
    MemberTerms,
    Signature,
    Status,
    Transition,
    VersionClause,
)
from conventions.rendering import render_body
from core.locking import StaleObjectError, save_with_version
from core.uploads import ALLOWED_TYPES, safe_upload_name, validate_upload

EDITABLE_STATUSES = {Status.DRAFT, Status.AMENDED}
SIGNED_STATUSES = {Status.APPROVED, Status.APPROVAL_NOT_REQUIRED}


class NotReadyError(ValidationError):
    """Generation refused: carries the check result so the page can list every item."""

    def __init__(self, result):
        self.result = result
        super().__init__(result.messages)


@dataclass
class ClauseView:
    """A clause as the checks see it (template clause + the team's inclusion choice)."""

    key: str
    title: str
    body: str
    mandatory: bool
    included: bool = True


# --- data -----------------------------------------------------------------------------


def _create_once(instance) -> None:
    """Insert a one-per-parent row; a concurrent insert of the same row reads as stale."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise StaleObjectError() from error


def _check_data(data: dict, cooperation) -> None:
    errors = {}
    if data.get("indefinite_duration") and data.get("duration_years"):
        errors["duration_years"] = (
            "Choisissez une durée indéterminée ou un nombre d'années, pas les deux."
        )
    if data.get("has_capital") is False and data.get("capital_amount"):
        errors["capital_amount"] = (
            "Un groupement sans capital ne peut pas avoir de montant de capital."
        )
    support = data.get("support_membership")
    if support is not None and (support.cooperation_id != cooperation.pk or support.left_on):
        errors["support_membership"] = "L'établissement support doit être un membre actif."
    template = data.get("template")
    if template is not None and (
        not template.is_current or template.legal_form_id != cooperation.legal_form_id
    ):
        errors["template"] = "Ce modèle ne correspond pas à la forme juridique de la coopération."
    if errors:
        raise ValidationError(errors)


def _save_one_per_owner(model, owner: dict, data: dict, version: int | None):
    """Create the owner's single row once, or update it under optimistic locking."""
    instance = model.objects.filter(**owner).first()
    if instance is None:
        instance = model(**owner, **data)
        instance.full_clean(validate_unique=False)
        _create_once(instance)
        return instance
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    save_with_version(instance, version or 0)
    return instance


@transaction.atomic
def convention_data_save(*, cooperation, data: dict, version: int | None) -> ConventionData:
    _check_data(data, cooperation)
    return _save_one_per_owner(ConventionData, {"cooperation": cooperation}, data, version)


@transaction.atomic
def member_terms_save(*, membership, data: dict, version: int | None) -> MemberTerms:
    if membership.left_on:
        raise ValidationError("Ce membre s'est retiré de la coopération.")
    return _save_one_per_owner(MemberTerms, {"membership": membership}, data, version)


# --- templates ------------------------------------------------------------------------


def templates_for(cooperation):
    if not cooperation.legal_form_id:
        return ConventionTemplate.objects.none()
    return ConventionTemplate.objects.current().filter(legal_form_id=cooperation.legal_form_id)


def template_for(cooperation, data: ConventionData | None = None) -> ConventionTemplate | None:
    if (
        data is not None
        and data.template_id
        and data.template.is_current
        and data.template.legal_form_id == cooperation.legal_form_id
    ):
        return data.template
    return templates_for(cooperation).order_by("order", "pk").first()


def template_snapshot(template: ConventionTemplate):
    """The stored state of a template and its clauses, taken before an admin edit."""
    stored = ConventionTemplate.objects.get(pk=template.pk)
    return stored, list(stored.clauses.all())


@transaction.atomic
def template_archive(*, template: ConventionTemplate, snapshot) -> ConventionTemplate:
    """Keep `snapshot` (the text before an edit) as an archived row; bump the live version.

    The live row (the one conventions point to) carries the new text and number; the
    archive keeps the old clauses, so a convention generated from version N can always
    be traced to that exact text.
    """
    stored, clauses = snapshot
    # Free the (code, version) pair for the archive before writing it.
    template.version = stored.version + 1
    ConventionTemplate.objects.filter(pk=template.pk).update(version=template.version)
    archive = stored
    archive.pk = None
    archive.is_current = False
    archive.archived_at = timezone.now()
    archive.save()
    for clause in clauses:
        clause.pk = None
        clause.template = archive
    Clause.objects.bulk_create(clauses)
    return archive


# --- generation and versions ----------------------------------------------------------


def _latest(convention) -> ConventionVersion | None:
    return convention.versions.order_by("-number").first() if convention.pk else None


def _parties(facts) -> list[dict]:
    return [
        {
            "membership": m.membership.pk,
            "name": m.name,
            "finess": m.membership.finess,
            "status": m.membership.member.get_legal_status_display(),
            "representative": (m.terms.representative if m.terms else "") or "",
            "role": m.membership.get_role_display(),
        }
        for m in facts.members
    ]


def _log(convention, from_status, to_status, *, user, version=None, comment="") -> None:
    Transition.objects.create(
        convention=convention,
        from_status=from_status or "",
        to_status=to_status,
        version=version,
        by=user,
        comment=comment,
    )


def _set_status(convention, to_status, *, user, version=None, comment="") -> None:
    from_status = convention.status
    convention.status = to_status
    convention.save(update_fields=["status", "updated_at"])
    _log(convention, from_status, to_status, user=user, version=version, comment=comment)


def preview(cooperation):
    """(template, facts, check result) for the convention page, without writing anything."""
    facts = facts_for(cooperation)
    template = template_for(cooperation, facts.data if facts.data.pk else None)
    if template is None:
        return None, facts, None
    latest = None
    convention = Convention.objects.filter(cooperation=cooperation).first()
    if convention:
        latest = _latest(convention)
    return template, facts, check(facts, template, _clause_views(template, latest))


def _clause_views(template, latest) -> list[ClauseView]:
    previous = {c.key: c for c in latest.clauses.all()} if latest else {}
    views = []
    for clause in template.clauses.all():
        kept = previous.get(clause.key)
        included = True
        if kept is not None and not clause.mandatory:
            included = kept.included
        views.append(ClauseView(clause.key, clause.title, clause.body, clause.mandatory, included))
    return views


def _lock(convention, expected_version) -> None:
    if expected_version is not None:
        save_with_version(convention, expected_version, update_fields=["updated_at"])


@transaction.atomic
def convention_generate(*, cooperation, user, expected_version: int | None = None, note: str = ""):
    """Check, then render the template into a new numbered version.

    Optional clauses the team edited or left out in the previous version keep that
    choice; mandatory ones are always rendered again from the current data.
    """
    facts = facts_for(cooperation)
    template = template_for(cooperation, facts.data if facts.data.pk else None)
    if template is None:
        raise ValidationError(
            "Aucun modèle de convention n'existe pour la forme juridique de cette coopération."
        )
    convention = Convention.objects.select_for_update().filter(cooperation=cooperation).first()
    if convention is not None and convention.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"La convention est à l'état « {convention.get_status_display()} » : "
            "elle ne peut plus être régénérée. Préparez un avenant pour la modifier."
        )
    latest = _latest(convention) if convention else None
    result = check(facts, template, _clause_views(template, latest))
    if not result.ok:
        raise NotReadyError(result)
    if convention is None:
        convention = Convention(cooperation=cooperation, template=template)
        convention.full_clean(validate_unique=False)
        _create_once(convention)
        _log(convention, "", Status.DRAFT, user=user, comment="Première génération")
    else:
        _lock(convention, expected_version)
        if convention.template_id != template.pk:
            convention.template = template
            convention.save(update_fields=["template", "updated_at"])
    previous = {c.key: c for c in latest.clauses.all()} if latest else {}
    amending = convention.status == Status.AMENDED
    version = ConventionVersion.objects.create(
        convention=convention,
        number=(latest.number + 1) if latest else 1,
        kind=ConventionVersion.Kind.AMENDMENT if amending else ConventionVersion.Kind.GENERATED,
        title=f"{template.document_title} «\u00a0{render_body('{{ nom }}', facts)}\u00a0»",
        preamble=latest.preamble if latest else "",
        template_version=template.version,
        amends=latest.amends if (amending and latest) else None,
        note=note
        or (
            "Avenant régénéré à partir des données"
            if amending
            else "Génération à partir des données"
        ),
        parties=_parties(facts),
        author=user,
    )
    rows = []
    for clause in template.clauses.all():
        kept = previous.get(clause.key)
        if kept is not None and not clause.mandatory and (kept.edited or not kept.included):
            body, included, edited = kept.body, kept.included, kept.edited
        else:
            body, included, edited = render_body(clause.body, facts), True, False
        rows.append(
            VersionClause(
                version=version,
                order=clause.order,
                key=clause.key,
                title=clause.title,
                body=body,
                mandatory=clause.mandatory,
                included=included,
                edited=edited,
                legal_reference=clause.legal_reference,
            )
        )
    VersionClause.objects.bulk_create(rows)
    version_files_request(version=version, user=user)
    return version


@transaction.atomic
def version_edit(
    *, convention, user, preamble: str, clauses: dict, expected_version: int, note: str = ""
) -> ConventionVersion:
    """A new version from the latest one with the team's free text and optional clauses.

    `clauses` maps a clause key to {"included": bool, "body": str}; mandatory clauses are
    copied unchanged whatever is sent.
    """
    if convention.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"La convention est à l'état « {convention.get_status_display()} » : "
            "son texte ne peut plus être modifié."
        )
    _lock(convention, expected_version)
    latest = _latest(convention)
    if latest is None:
        raise ValidationError("Générez d'abord la convention.")
    new = ConventionVersion.objects.create(
        convention=convention,
        number=latest.number + 1,
        kind=(
            ConventionVersion.Kind.AMENDMENT
            if convention.status == Status.AMENDED
            else ConventionVersion.Kind.EDITED
        ),
        title=latest.title,
        preamble=preamble.strip(),
        template_version=latest.template_version,
        amends=latest.amends,
        note=note or "Modification du texte",
        parties=latest.parties,
        author=user,
    )
    rows = []
    for clause in latest.clauses.all():
        body, included, edited = clause.body, clause.included, clause.edited
        change = clauses.get(clause.key)
        if change is not None and not clause.mandatory:
            new_body = (change.get("body") or "").strip()
            included = bool(change.get("included"))
            if included and not new_body:
                raise ValidationError(
                    f"Le texte de la clause « {clause.title} » est vide : retirez-la ou rédigez-la."
                )
            if new_body and new_body != clause.body.strip():
                body, edited = new_body, True
        rows.append(
            VersionClause(
                version=new,
                order=clause.order,
                key=clause.key,
                title=clause.title,
                body=body,
                mandatory=clause.mandatory,
                included=True if clause.mandatory else included,
                edited=edited,
                legal_reference=clause.legal_reference,
            )
        )
    VersionClause.objects.bulk_create(rows)
    version_files_request(version=new, user=user)
    return new


# --- signature and approval -----------------------------------------------------------


@transaction.atomic
def signature_start(*, convention, user, expected_version: int) -> None:
    if convention.status not in EDITABLE_STATUSES:
        raise ValidationError("Seul un projet ou un avenant peut être mis en signature.")
    latest = _latest(convention)
    if latest is None or not latest.parties:
        raise ValidationError("La version à signer n'a aucune partie signataire.")
    _lock(convention, expected_version)
    _set_status(
        convention,
        Status.IN_SIGNATURE,
        user=user,
        version=latest,
        comment=f"Version {latest.number} soumise à la signature des membres",
    )
    # The documents lose their "document de travail" banner.
    version_files_request(version=latest, user=user, force=True)


@transaction.atomic
def signature_record(
    *, convention, membership_id: int, user, signatory: str, signed_on: date, signed_copy
) -> Signature:
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    if convention.status != Status.IN_SIGNATURE:
        raise ValidationError("La convention n'est pas en signature.")
    version = _latest(convention)
    parties = {p["membership"]: p for p in version.parties}
    if membership_id not in parties:
        raise ValidationError("Ce membre n'est pas partie à la version en signature.")
    if version.signatures.filter(membership_id=membership_id).exists():
        raise ValidationError(
            f"La signature de {parties[membership_id]['name']} est déjà enregistrée."
        )
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "La date de signature ne peut pas être dans le futur."})
    if signed_on < version.created_at.date():
        raise ValidationError(
            {
                "signed_on": "La date de signature précède la création de la version signée "
                f"({version.created_at:%d/%m/%Y})."
            }
        )
    try:
        if not (signed_copy.name or "").lower().endswith(".pdf"):
            raise ValidationError(
                f"Le fichier « {signed_copy.name} » n'est pas un PDF : déposez l'exemplaire "
                "signé numérisé au format PDF."
            )
        validate_upload(signed_copy, allowed={".pdf": ALLOWED_TYPES[".pdf"]})
    except ValidationError as error:
        raise ValidationError({"signed_copy": error.messages}) from error
    original_name = signed_copy.name
    signed_copy.name = safe_upload_name(original_name)
    signature = Signature(
        version=version,
        membership_id=membership_id,
        signatory=signatory.strip(),
        signed_on=signed_on,
        signed_copy=signed_copy,
        original_name=original_name[:255],
        recorded_by=user,
    )
    signature.full_clean()
    signature.save()
    # The signature block of the documents now shows this signature.
    version_files_request(version=version, user=user, force=True)
    signed = set(version.signatures.values_list("membership_id", flat=True))
    if signed >= set(parties):
        _set_status(
            convention,
            Status.SIGNED,
            user=user,
            version=version,
            comment="Tous les membres ont signé",
        )
        if not convention.template.legal_form.requires_approval:
            _set_status(
                convention,
                Status.APPROVAL_NOT_REQUIRED,
                user=user,
                version=version,
                comment=f"La forme « {convention.template.legal_form.short_name} » "
                "ne requiert pas d'approbation",
            )
    return signature


@transaction.atomic
def approval_record(
    *, convention, user, decided_on: date, reference: str, expected_version: int
) -> Convention:
    if convention.status != Status.SIGNED:
        raise ValidationError(
            "L'approbation ne s'enregistre que sur une convention signée par tous."
        )
    if not convention.template.legal_form.requires_approval:
        raise ValidationError("Cette forme de coopération ne requiert pas d'approbation.")
    version = _latest(convention)
    last_signature = version.signatures.aggregate(last=Max("signed_on"))["last"]
    errors = {}
    if decided_on > timezone.localdate():
        errors["decided_on"] = "La date de décision ne peut pas être dans le futur."
    elif last_signature and decided_on < last_signature:
        errors["decided_on"] = (
            "La décision d'approbation ne peut pas précéder la dernière signature "
            f"({last_signature:%d/%m/%Y})."
        )
    if not reference.strip():
        errors["reference"] = "Indiquez la référence de l'arrêté."
    if errors:
        raise ValidationError(errors)
    _lock(convention, expected_version)
    convention.approved_on = decided_on
    convention.approval_reference = reference.strip()
    convention.approved_by = user
    convention.save(update_fields=["approved_on", "approval_reference", "approved_by"])
    _set_status(
        convention,
        Status.APPROVED,
        user=user,
        version=version,
        comment=f"Arrêté {convention.approval_reference} du {decided_on:%d/%m/%Y}",
    )
    # The approved text carries its arrêté: the stored PDF and DOCX are produced again.
    version_files_request(version=version, user=user, force=True)
    return convention


@transaction.atomic
def amendment_start(
    *, convention, user, expected_version: int, note: str = ""
) -> ConventionVersion:
    """Open an amendment: a new version that points at the signed text it modifies."""
    if convention.status not in SIGNED_STATUSES:
        raise ValidationError(
            "Un avenant ne se prépare que sur une convention signée (et approuvée si nécessaire)."
        )
    _lock(convention, expected_version)
    signed = _latest(convention)
    amendment = ConventionVersion.objects.create(
        convention=convention,
        number=signed.number + 1,
        kind=ConventionVersion.Kind.AMENDMENT,
        title=signed.title,
        preamble=signed.preamble,
        template_version=signed.template_version,
        amends=signed,
        note=note.strip() or f"Avenant à la version {signed.number}",
        parties=signed.parties,
        author=user,
    )
    VersionClause.objects.bulk_create(
        [
            VersionClause(
                version=amendment,
                order=c.order,
                key=c.key,
                title=c.title,
                body=c.body,
                mandatory=c.mandatory,
                included=c.included,
                edited=c.edited,
                legal_reference=c.legal_reference,
            )
            for c in signed.clauses.all()
        ]
    )
    convention.approved_on = None
    convention.approval_reference = ""
    convention.save(update_fields=["approved_on", "approval_reference"])
    _set_status(convention, Status.AMENDED, user=user, version=amendment, comment=amendment.note)
    version_files_request(version=amendment, user=user)
    return amendment
