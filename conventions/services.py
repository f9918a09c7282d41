"""Writes on conventions. Keyword-only, atomic, validated first; views stay thin.

State machine (models.CONVENTION_MOVES, moved by core.workflow.transition, every change
written to Transition):
    draft → in_signature → signed → approved | approval_not_required → amended → in_signature …
"""

import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from conventions import approval as approval_rules
from conventions.checks import CheckResult, check, facts_for
from conventions.documents import version_files_request
from conventions.models import (
    ApprovalDecision,
    ApprovalMode,
    Clause,
    Convention,
    ConventionData,
    ConventionTemplate,
    ConventionVersion,
    MemberTerms,
    Signature,
    Status,
    VersionClause,
)
from conventions.rendering import PLACEHOLDERS, Missing, missing_for, placeholders_in, render_body
from cooperations.signals import announce
from core.locking import StaleObjectError, save_with_version
from core.uploads import ALLOWED_TYPES, safe_upload_name, validate_upload
from core.workflow import check_transition, log_transition, transition

# The text and its data change only in these states; from "en signature" onwards what was
# signed stays as signed and a change goes through an amendment (avenant).
EDITABLE_STATUSES = {Status.DRAFT, Status.AMENDED, Status.SENT_BACK, Status.REFUSED}
# What an unfilled named field prints (rendering.render_body): never signed.
PLACEHOLDER_MARK = "[à compléter"
PLACEHOLDER_LABEL_RE = re.compile(r"\[à compléter : ([^\]]+)\]")


class ConventionLockedError(PermissionDenied):
    """A write on convention data or member engagements after submission to signature."""


def locked_message(convention) -> str:
    return (
        f"La convention est à l'état « {convention.get_status_display()} » : ses données et "
        "les engagements des membres ne se modifient plus, pour que le texte signé reste tel "
        "qu'il a été signé. Pour les changer, préparez un avenant depuis la page de la "
        "convention (après la signature et, le cas échéant, l'approbation)."
    )


def convention_lock(cooperation_id: int):
    """The convention when its data are read-only (status beyond the editable ones), else None."""
    convention = (
        Convention.objects.filter(cooperation_id=cooperation_id).only("pk", "status").first()
    )
    if convention is not None and convention.status not in EDITABLE_STATUSES:
        return convention
    return None


def ensure_data_editable(cooperation_id: int) -> None:
    """Raise ConventionLockedError (403, French message) once the convention is in signature."""
    convention = convention_lock(cooperation_id)
    if convention is not None:
        raise ConventionLockedError(locked_message(convention))


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
    ensure_data_editable(cooperation.pk)
    _check_data(data, cooperation)
    return _save_one_per_owner(ConventionData, {"cooperation": cooperation}, data, version)


@transaction.atomic
def member_terms_save(*, membership, data: dict, version: int | None) -> MemberTerms:
    ensure_data_editable(membership.cooperation_id)
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


def _set_status(
    convention,
    to_status,
    *,
    user,
    version=None,
    comment="",
    expected_version: int | None = None,
    fields: tuple[str, ...] = (),
) -> None:
    """Move the convention (refused unless CONVENTION_MOVES allows it) and log the version
    concerned, in one save: `fields` name the convention's other fields set with the move,
    `expected_version` the form's version (StaleObjectError, nothing written, when someone
    saved since). One move, one save, one history row."""
    transition(
        convention,
        to_status,
        actor=user,
        comment=comment,
        expected_version=expected_version,
        update_fields=["updated_at", *fields],
        log_fields={"version": version},
    )


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
    views = _clause_views(template, latest, facts)
    return template, facts, _with_optional_gaps(check(facts, template, views), facts, views, latest)


def clause_missing(body: str, facts) -> list[Missing]:
    """The data a clause body's named fields lack (each with the link to fill it in)."""
    items = []
    for name in placeholders_in(body):
        if name in PLACEHOLDERS:
            items.extend(missing_for(name, facts))
    return items


def _clause_views(template, latest, facts) -> list[ClauseView]:
    """The template's clauses with the team's choices. An optional clause the team never
    decided on is kept only when its data is complete: a clause whose data is missing
    would print "[à compléter : …]", and no placeholder may be signed."""
    previous = {c.key: c for c in latest.clauses.all()} if latest else {}
    views = []
    for clause in template.clauses.all():
        kept = previous.get(clause.key)
        included = True
        if not clause.mandatory and kept is not None:
            included = kept.included
        elif not clause.mandatory:
            included = not clause_missing(clause.body, facts)
        views.append(ClauseView(clause.key, clause.title, clause.body, clause.mandatory, included))
    return views


def _with_optional_gaps(result, facts, views, latest):
    """Add to the check result what the mandatory-clause check does not see (issue 12 item 9):
    a kept optional clause whose data is missing, or whose hand-edited text still holds
    "[à compléter"; and, for information, the optional clauses left out for lack of data."""
    seen = {item.message for item in result.missing}
    edited = {c.key: c for c in latest.clauses.all() if c.edited} if latest else {}
    result.left_out = []
    for view in views:
        if view.mandatory:
            continue
        hand = edited.get(view.key)
        if not view.included:
            if not hand:
                gaps = clause_missing(view.body, facts)
                if gaps:
                    result.left_out.append((view.title, gaps))
            continue
        if hand is not None:
            if PLACEHOLDER_MARK in hand.body:
                result.missing.append(
                    Missing(
                        f"La clause facultative « {view.title} », modifiée à la main, contient "
                        "encore « [à compléter … ] » : complétez son texte ou retirez-la.",
                        reverse("conventions:edit", args=[facts.cooperation.pk]),
                    )
                )
            continue
        for item in clause_missing(view.body, facts):
            message = f"Clause facultative « {view.title} » retenue : {item.message}"
            if item.message not in seen and message not in seen:
                seen.add(message)
                result.missing.append(Missing(message, item.url))
    return result


def placeholder_problems(version, facts=None) -> list[Missing]:
    """Every "[à compléter" left in `version` (preamble or kept clauses), each with the link
    to what is missing: the data (when a named field is still empty) or the text to edit."""
    problems = []
    edit_url = reverse("conventions:edit", args=[version.convention.cooperation_id])
    detail_url = reverse("conventions:detail", args=[version.convention.cooperation_id])
    if PLACEHOLDER_MARK in (version.preamble or ""):
        problems.append(
            Missing("Le préambule contient « [à compléter … ] » : complétez-le.", edit_url)
        )
    labels = {p.label: name for name, p in PLACEHOLDERS.items()}
    for clause in version.clauses.all():
        if not clause.included or PLACEHOLDER_MARK not in clause.body:
            continue
        gaps = []
        if facts is not None and not clause.edited:
            for label in PLACEHOLDER_LABEL_RE.findall(clause.body):
                name = labels.get(label.strip())
                if name:
                    gaps.extend(missing_for(name, facts))
        if gaps:
            problems.extend(
                Missing(f"Article « {clause.title} » : {gap.message}", gap.url) for gap in gaps
            )
        elif clause.edited:
            problems.append(
                Missing(
                    f"L'article « {clause.title} » contient « [à compléter … ] » : complétez "
                    "son texte ou retirez la clause.",
                    edit_url,
                )
            )
        else:
            problems.append(
                Missing(
                    f"L'article « {clause.title} » contient « [à compléter … ] » alors que ses "
                    "données sont désormais connues : régénérez la convention.",
                    detail_url + "#verifications",
                )
            )
    return problems


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
    views = _clause_views(template, latest, facts)
    result = _with_optional_gaps(check(facts, template, views), facts, views, latest)
    if not result.ok:
        raise NotReadyError(result)
    chosen = {view.key: view.included for view in views}
    if convention is None:
        convention = Convention(cooperation=cooperation, template=template)
        convention.full_clean(validate_unique=False)
        _create_once(convention)
        log_transition(convention, "", Status.DRAFT, actor=user, comment="Première génération")
    else:
        _lock(convention, expected_version)
        if convention.template_id != template.pk:
            convention.template = template
            convention.save(update_fields=["template", "updated_at"])
    previous = {c.key: c for c in latest.clauses.all()} if latest else {}
    amending = convention.status == Status.AMENDED or bool(
        convention.status in (Status.SENT_BACK, Status.REFUSED) and latest and latest.amends_id
    )
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
        if kept is not None and not clause.mandatory and kept.edited:
            body, included, edited = kept.body, kept.included, kept.edited
        else:
            # An optional clause left out is still rendered from today's data, so that
            # keeping it later shows the current text.
            body, included, edited = render_body(clause.body, facts), chosen[clause.key], False
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
    left = [row for row in rows if row.included and PLACEHOLDER_MARK in row.body]
    if left:
        # A named field with no "missing" rule still printed a placeholder: refuse (and roll
        # back the new version) rather than produce a text that could be signed.
        raise NotReadyError(
            CheckResult(
                missing=[
                    Missing(
                        f"L'article « {row.title} » contiendrait « [à compléter … ] » : "
                        "complétez les données de la coopération.",
                        reverse("cooperations:edit", args=[cooperation.pk]),
                    )
                    for row in left
                ]
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
            if convention.status == Status.AMENDED or latest.amends_id
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
    check_transition(
        convention,
        Status.IN_SIGNATURE,
        refusal="Seul un projet ou un avenant peut être mis en signature.",
    )
    latest = _latest(convention)
    if latest is None or not latest.parties:
        raise ValidationError("La version à signer n'a aucune partie signataire.")
    problems = placeholder_problems(latest, facts_for(convention.cooperation))
    if problems:
        raise ValidationError(
            [
                f"La version {latest.number} ne peut pas être soumise à la signature : elle "
                "contient encore des éléments « [à compléter … ] » (voir les vérifications)."
            ]
            + [item.message for item in problems]
        )
    _set_status(
        convention,
        Status.IN_SIGNATURE,
        user=user,
        version=latest,
        comment=f"Version {latest.number} soumise à la signature des membres",
        expected_version=expected_version,
    )
    # The documents lose their "document de travail" banner.
    version_files_request(version=latest, user=user, force=True)


@transaction.atomic
def signature_record(
    *, convention, membership_id: int, user, signatory: str, signed_on: date, signed_copy
) -> Signature:
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    check_transition(convention, Status.SIGNED, refusal="La convention n'est pas en signature.")
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
    original_name = _checked_pdf(
        signed_copy, field="signed_copy", what="l'exemplaire signé numérisé"
    )
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
        legal_form = convention.template.legal_form
        # The approval clock starts when the text signed by all goes to the authority.
        convention.submitted_on = timezone.localdate() if legal_form.requires_approval else None
        _set_status(
            convention,
            Status.SIGNED,
            user=user,
            version=version,
            comment="Tous les membres ont signé",
            fields=("submitted_on",),
        )
        _event(
            convention,
            "convention_all_signed",
            user,
            version,
            f"La version {version.number} de la convention est signée par tous les membres.",
        )
        if not legal_form.requires_approval:
            _set_status(
                convention,
                Status.APPROVAL_NOT_REQUIRED,
                user=user,
                version=version,
                comment=f"La forme « {convention.template.legal_form.short_name} » "
                "ne requiert pas d'approbation",
            )
    return signature


def _event(convention, kind: str, user, target, message: str) -> None:
    announce(Convention, convention.cooperation, kind, actor=user, target=target, message=message)


REFERENCE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z/._\- ]{0,59}$")
REFERENCE_PREFIX_RE = re.compile(r"^(arr[êe]t[ée]\s*)?(ars\s*)?(n\s*[°o]\.?\s*)", re.IGNORECASE)


def clean_reference(reference: str) -> str:
    """The arrêté's number only ("2026-0142"): the documents write "arrêté n° …" themselves.

    A leading "n°" is dropped; a value that still says "arrêté", or holds no digit, is refused.
    """
    value = REFERENCE_PREFIX_RE.sub("", (reference or "").strip()).strip()
    if not value:
        raise ValidationError({"reference": "Indiquez le numéro de l'arrêté."})
    if re.search(r"arr[êe]t", value, re.IGNORECASE):
        raise ValidationError(
            {
                "reference": "Indiquez le numéro seul (ex. 2026-0142) : la convention écrit "
                "elle-même « arrêté n° »."
            }
        )
    if not any(ch.isdigit() for ch in value) or not REFERENCE_RE.match(value):
        raise ValidationError(
            {
                "reference": "Le numéro de l'arrêté ne contient que des chiffres, des lettres, "
                "des tirets, des points ou des barres obliques (ex. 2026-0142 ou DOS/2026/142)."
            }
        )
    return value


DECISION_STATUS = {
    ApprovalDecision.Kind.APPROVED: Status.APPROVED,
    ApprovalDecision.Kind.REFUSED: Status.REFUSED,
    ApprovalDecision.Kind.SENT_BACK: Status.SENT_BACK,
}
DECISION_EVENT = {
    ApprovalDecision.Kind.APPROVED: "convention_approved",
    ApprovalDecision.Kind.REFUSED: "convention_refused",
    ApprovalDecision.Kind.SENT_BACK: "convention_sent_back",
}


def _checked_pdf(upload, *, field: str, what: str) -> str:
    """Check that `upload` is a PDF (name, size, magic bytes: core.uploads), give it a random
    storage name and return its original name; ValidationError on `field` otherwise."""
    try:
        if not (upload.name or "").lower().endswith(".pdf"):
            raise ValidationError(
                f"Le fichier « {upload.name} » n'est pas un PDF : déposez {what} au format PDF."
            )
        validate_upload(upload, allowed={".pdf": ALLOWED_TYPES[".pdf"]})
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    original = upload.name
    upload.name = safe_upload_name(original)
    return original


def _checked_arrete(arrete) -> tuple:
    """(file, original name) after the PDF checks; raises on the `arrete` field. Nothing is
    written yet: the file reaches the storage with the decision's save (`_save_with_arrete`),
    once every check has passed."""
    if not arrete:
        return None, ""
    return arrete, _checked_pdf(arrete, field="arrete", what="l'arrêté signé")[:255]


@contextmanager
def _save_with_arrete(decision, update_fields=None):
    """Save `decision`, which writes its new arrêté into the storage, then run the rest of
    the service in the `with` block: should the save or the rest fail (the transaction then
    writes nothing), the file just written is removed, leaving no orphan in the storage."""
    try:
        decision.save(update_fields=update_fields)
        yield decision
    except BaseException:
        if decision.arrete:
            decision.arrete.delete(save=False)
        raise


@transaction.atomic
def approval_decide(
    *,
    convention,
    user,
    decision: str,
    decided_on: date,
    expected_version: int,
    reference: str = "",
    reason: str = "",
    arrete=None,
    published_on: date | None = None,
    today: date | None = None,
) -> ApprovalDecision:
    """Record the competent authority's decision on the signed version.

    decision: "approved" (number of the arrêté required), "refused" or "sent_back" (reason
    required; the team may then correct, regenerate and submit again). The arrêté PDF is
    optional. Refused once the tacit approval of the legal form is acquired.
    """
    today = today or timezone.localdate()
    convention = (
        Convention.objects.select_for_update()
        .select_related("template__legal_form", "cooperation__pilot_ars")
        .get(pk=convention.pk)
    )
    legal_form = convention.template.legal_form
    if not legal_form.requires_approval:
        raise ValidationError("Cette forme de coopération ne requiert pas d'approbation.")
    # Every decision (approval, refusal, send-back) leaves the "signed" state.
    try:
        check_transition(
            convention,
            Status.APPROVED,
            refusal="La décision ne s'enregistre que sur une convention signée par tous ses "
            f"membres (état actuel : « {convention.get_status_display()} »).",
        )
    except ValidationError:
        if expected_version is not None and convention.version != expected_version:
            # Moved since the form was opened (another agent's decision): the stale warning,
            # not "not signed" about a state the user never saw.
            raise StaleObjectError() from None
        raise
    tacit_on = approval_rules.tacit_due(convention, today)
    if tacit_on is not None:
        raise ValidationError(
            f"L'approbation tacite est acquise depuis le {tacit_on:%d/%m/%Y} "
            f"({legal_form.approval_legal_basis}) : aucune décision ne peut plus être enregistrée "
            "sur cette version."
        )
    if decision not in DECISION_STATUS:
        raise ValidationError({"decision": "Choisissez une décision."})
    version = _latest(convention)
    last_signature = version.signatures.aggregate(last=Max("signed_on"))["last"]
    errors = {}
    if decided_on > today:
        errors["decided_on"] = "La date de décision ne peut pas être dans le futur."
    elif last_signature and decided_on < last_signature:
        errors["decided_on"] = (
            f"La décision ne peut pas précéder la dernière signature ({last_signature:%d/%m/%Y})."
        )
    reason = (reason or "").strip()
    number = ""
    if decision == ApprovalDecision.Kind.APPROVED:
        try:
            number = clean_reference(reference)
        except ValidationError as error:
            errors.update(error.message_dict)
        if published_on and (published_on > today or published_on < decided_on):
            errors["published_on"] = (
                "La date de publication est comprise entre la décision et aujourd'hui."
            )
    elif not reason:
        errors["reason"] = (
            "Indiquez le motif du refus."
            if decision == ApprovalDecision.Kind.REFUSED
            else "Indiquez ce qui doit être mis en conformité."
        )
    if errors:
        raise ValidationError(errors)
    stored, original = _checked_arrete(arrete)
    record = ApprovalDecision(
        convention=convention,
        version=version,
        kind=decision,
        decided_on=decided_on,
        reference=number,
        reason=reason,
        arrete=stored or "",
        arrete_name=original,
        recorded_by=user,
    )
    record.full_clean()
    fields = ()
    if decision == ApprovalDecision.Kind.APPROVED:
        convention.approved_on = decided_on
        convention.approval_reference = number
        convention.approved_by = user
        convention.approval_mode = ApprovalMode.EXPRESS
        convention.published_on = published_on
        fields = (
            "approved_on",
            "approval_reference",
            "approved_by",
            "approval_mode",
            "published_on",
        )
        comment = f"Arrêté n° {number} du {decided_on:%d/%m/%Y}"
        message = f"La convention est approuvée par arrêté n° {number} du {decided_on:%d/%m/%Y}."
    else:
        comment = f"{record.get_kind_display()} du {decided_on:%d/%m/%Y} : {reason}"[:255]
        message = f"{record.get_kind_display()} de la convention : {reason}"
    # The form's version is checked by the move's own save (a stale decision writes nothing),
    # before the decision's save writes the arrêté into the storage.
    _set_status(
        convention,
        DECISION_STATUS[decision],
        user=user,
        version=version,
        comment=comment,
        expected_version=expected_version,
        fields=fields,
    )
    with _save_with_arrete(record):
        _event(convention, DECISION_EVENT[decision], user, record, message)
        if decision == ApprovalDecision.Kind.APPROVED:
            # The approved text carries its arrêté: the stored PDF and DOCX are produced again.
            version_files_request(version=version, user=user, force=True)
    return record


def approval_record(
    *, convention, user, decided_on: date, reference: str, expected_version: int, **extra
) -> Convention:
    """Record an express approval (see approval_decide)."""
    approval_decide(
        convention=convention,
        user=user,
        decision=ApprovalDecision.Kind.APPROVED,
        decided_on=decided_on,
        reference=reference,
        expected_version=expected_version,
        **extra,
    )
    convention.refresh_from_db()
    return convention


@transaction.atomic
def approval_complete(
    *,
    convention,
    user,
    expected_version: int,
    published_on: date | None = None,
    arrete=None,
    today: date | None = None,
) -> ApprovalDecision:
    """After the approval (express or tacit): record its publication date and attach the
    signed arrêté, or the certificate of tacit approval (GHT, CSP R6132-6), when it comes
    later. Each value may be given alone; what is already recorded is kept otherwise."""
    today = today or timezone.localdate()
    convention = (
        Convention.objects.select_for_update()
        .select_related("template__legal_form", "cooperation")
        .get(pk=convention.pk)
    )
    if convention.status != Status.APPROVED:
        raise ValidationError("Seule une convention approuvée se complète ainsi.")
    decision = (
        convention.decisions.filter(
            kind__in=[ApprovalDecision.Kind.APPROVED, ApprovalDecision.Kind.TACIT]
        )
        .order_by("-decided_on", "-pk")
        .first()
    )
    if decision is None:
        raise ValidationError("Aucune décision d'approbation n'est enregistrée.")
    if published_on is None and not arrete:
        raise ValidationError("Indiquez une date de publication ou déposez le document signé.")
    if published_on and (published_on > today or published_on < convention.approved_on):
        raise ValidationError(
            {
                "published_on": "La date de publication est comprise entre l'approbation "
                f"({convention.approved_on:%d/%m/%Y}) et aujourd'hui."
            }
        )
    stored, original = _checked_arrete(arrete)
    # One save of the convention: its version (a stale form writes nothing) with the
    # publication date, before the arrêté reaches the storage.
    fields = ["published_on"] if published_on else []
    if published_on:
        convention.published_on = published_on
    if expected_version is not None:
        save_with_version(convention, expected_version, update_fields=["updated_at", *fields])
    elif fields:
        convention.save(update_fields=fields)
    if stored:
        decision.arrete = stored
        decision.arrete_name = original
    with (
        _save_with_arrete(decision, update_fields=["arrete", "arrete_name"])
        if stored
        else nullcontext()
    ):
        if published_on:
            version = decision.version
            log_transition(
                convention,
                convention.status,
                convention.status,
                actor=user,
                version=version,
                comment=f"Publication de l'approbation le {published_on:%d/%m/%Y}",
            )
            # The approved text states its publication.
            version_files_request(version=version, user=user, force=True)
    return decision


@transaction.atomic
def approval_tacit_apply(*, today: date | None = None) -> list[Convention]:
    """Mark approved every signed convention whose form's silence is worth approval and whose
    delay has run out without a decision (CSP R6133-1-1 for a GCS, R6132-6 for a GHT).

    Idempotent (only conventions still "signed" are touched); each one gets a Transition,
    an ApprovalDecision of kind "tacit" and the event "convention_tacit_approval". Called
    daily by Celery beat (conventions.tasks.apply_tacit_approvals).
    """
    today = today or timezone.localdate()
    candidates = (
        Convention.objects.select_for_update()
        .filter(
            status=Status.SIGNED,
            submitted_on__isnull=False,
            template__legal_form__tacit_approval=True,
            template__legal_form__approval_delay_months__isnull=False,
        )
        .select_related("template__legal_form", "cooperation")
        .order_by("pk")
    )
    done = []
    for convention in candidates:
        tacit_on = approval_rules.tacit_due(convention, today)
        if tacit_on is None:
            continue
        legal_form = convention.template.legal_form
        version = _latest(convention)
        ApprovalDecision.objects.create(
            convention=convention,
            version=version,
            kind=ApprovalDecision.Kind.TACIT,
            decided_on=tacit_on,
            reason="",
        )
        convention.approved_on = tacit_on
        convention.approval_reference = ""
        convention.approved_by = None
        convention.approval_mode = ApprovalMode.TACIT
        basis = legal_form.approval_legal_basis
        comment = (
            f"Approbation tacite acquise le {tacit_on:%d/%m/%Y} : aucune décision dans le délai "
            f"de {legal_form.approval_delay_months} mois ({basis})"
        )
        _set_status(
            convention,
            Status.APPROVED,
            user=None,
            version=version,
            comment=comment,
            fields=("approved_on", "approval_reference", "approved_by", "approval_mode"),
        )
        _event(convention, "convention_tacit_approval", None, convention, comment + ".")
        version_files_request(version=version, force=True)
        done.append(convention)
    return done


@transaction.atomic
def amendment_start(
    *, convention, user, expected_version: int, note: str = ""
) -> ConventionVersion:
    """Open an amendment: a new version that points at the signed text it modifies."""
    check_transition(
        convention,
        Status.AMENDED,
        refusal="Un avenant ne se prépare que sur une convention signée "
        "(et approuvée si nécessaire).",
    )
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
    convention.approval_mode = ""
    convention.submitted_on = None
    convention.published_on = None
    # The form's version is checked by the move's own save (a stale form writes nothing).
    _set_status(
        convention,
        Status.AMENDED,
        user=user,
        version=amendment,
        comment=amendment.note,
        expected_version=expected_version,
        fields=(
            "approved_on",
            "approval_reference",
            "approval_mode",
            "submitted_on",
            "published_on",
        ),
    )
    version_files_request(version=amendment, user=user)
    return amendment
