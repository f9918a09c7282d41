from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from conventions import approval as approval_rules
from conventions import diff, documents, exports, services
from conventions.forms import (
    ApprovalCompleteForm,
    ApprovalForm,
    ConventionDataForm,
    MemberTermsForm,
    SignatureForm,
    VersionEditForm,
)
from conventions.models import (
    ApprovalDecision,
    Convention,
    ConventionVersion,
    MemberTerms,
    Signature,
    Status,
)
from cooperations.access import access_to, check, cooperation_access
from cooperations.breadcrumbs import cooperation_breadcrumb, kit_page
from cooperations.models import Membership
from core.decorators import post_from
from core.forms import add_service_errors, save_versioned
from core.locking import StaleObjectError
from core.ratelimit import document_rate_limit
from core.uploads import attachment_response

VERSIONS_PAGE_SIZE = 10
TRANSITIONS_SHOWN = 15
JOURNAL_PAGE_SIZE = 50


def _team_cooperation(request, pk):
    # "edit" first: a read-only role is told so, an ARS agent that only the team may act.
    return check(cooperation_access(request, pk, "edit"), "team").cooperation


def _breadcrumb(cooperation, current):
    link = {"url": reverse("conventions:detail", args=[cooperation.pk]), "title": "Convention"}
    return cooperation_breadcrumb(cooperation, link, current=current)


def _expected_version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _convention(cooperation):
    return (
        Convention.objects.select_related("template__legal_form", "approved_by")
        .filter(cooperation=cooperation)
        .first()
    )


def _version(convention, number: int) -> ConventionVersion:
    return get_object_or_404(
        ConventionVersion.objects.select_related(
            "author", "amends", "convention__cooperation", "files"
        ).prefetch_related("clauses"),
        convention=convention,
        number=number,
    )


def convention_detail(request, pk: int):
    access = cooperation_access(request, pk, queryset=scoping_queryset())
    return render(request, "conventions/detail.html", _detail_context(request, access))


def scoping_queryset():
    from cooperations.models import Cooperation

    return Cooperation.objects.select_related("legal_form", "pilot_ars")


def _detail_context(request, access, not_ready=None):
    cooperation = access.cooperation
    template, facts, result = services.preview(cooperation)
    convention = _convention(cooperation)
    versions_page = latest = None
    transitions = []
    transitions_total = 0
    parties = []
    if convention:
        versions = convention.versions.select_related("author", "amends", "files").order_by(
            "-number"
        )
        versions_page = Paginator(versions, VERSIONS_PAGE_SIZE).get_page(request.GET.get("page"))
        latest = (
            convention.versions.select_related("author", "files")
            .prefetch_related(Prefetch("signatures", queryset=Signature.objects.order_by("pk")))
            .order_by("-number")
            .first()
        )
        transitions = list(
            convention.transitions.select_related("actor", "version")[:TRANSITIONS_SHOWN]
        )
        transitions_total = (
            len(transitions)
            if len(transitions) < TRANSITIONS_SHOWN
            else convention.transitions.count()
        )
        signatures = {s.membership_id: s for s in latest.signatures.all()} if latest else {}
        parties = [
            {**p, "signature": signatures.get(p["membership"])}
            for p in (latest.parties if latest else [])
        ]
    clock = approval_rules.clock_for(convention) if convention else None
    placeholders = (
        services.placeholder_problems(latest, facts)
        if latest and convention.status in services.EDITABLE_STATUSES
        else []
    )
    last_decision = (
        convention.decisions.order_by("-decided_on", "-pk").first()
        if convention and convention.status in (Status.SENT_BACK, Status.REFUSED)
        else None
    )
    totals = {
        "rights": _total(facts, "rights_share"),
        "charges": _total(facts, "charges_share"),
    }
    return {
        **kit_page(access, "Convention"),
        "template": template,
        "facts": facts,
        "check": not_ready or result,
        "convention": convention,
        "latest": latest,
        "files": documents.files_of(latest) if latest else None,
        "versions_page": versions_page,
        "transitions": transitions,
        "transitions_total": transitions_total,
        "parties": parties,
        "totals": totals,
        "Status": Status,
        "all_signed": bool(parties) and all(p["signature"] for p in parties),
        "clock": clock,
        "placeholders": placeholders,
        "last_decision": last_decision,
        "locked": convention is not None and convention.status not in services.EDITABLE_STATUSES,
        "editable_statuses": [str(status) for status in services.EDITABLE_STATUSES],
    }


def convention_journal(request, pk: int):
    """Every state change of the convention, newest first; read as the convention page."""
    cooperation = cooperation_access(request, pk).cooperation
    convention = _convention(cooperation)
    if convention is None:
        raise Http404("Cette coopération n'a pas encore de convention.")
    transitions = convention.transitions.select_related("actor", "version").order_by("-at", "-pk")
    page = Paginator(transitions, JOURNAL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "conventions/journal.html",
        {
            "title": f"Journal de la convention — {cooperation.title}",
            "cooperation": cooperation,
            "convention": convention,
            "page_obj": page,
            "breadcrumb_data": _breadcrumb(cooperation, "Journal complet"),
        },
    )


def _total(facts, attr):
    values = [getattr(m.terms, attr, None) if m.terms else None for m in facts.members]
    known = [v for v in values if v is not None]
    return sum(known) if known else None


@require_http_methods(["GET", "POST"])
def convention_data(request, pk: int):
    cooperation = _team_cooperation(request, pk)
    locked = services.convention_lock(cooperation.pk)
    if locked is not None and request.method == "POST":
        raise services.ConventionLockedError(services.locked_message(locked))
    instance = services.facts_for(cooperation).data
    template = services.template_for(cooperation, instance if instance.pk else None)
    form = ConventionDataForm(
        request.POST or None, instance=instance, cooperation=cooperation, template=template
    )
    if locked is not None:
        form.disable_all()
    if save_versioned(
        request,
        form,
        lambda data, version: services.convention_data_save(
            cooperation=cooperation, data=data, version=version
        ),
        success="Les données de la convention ont été enregistrées.",
    ):
        return redirect("conventions:detail", cooperation.pk)
    return render(
        request,
        "conventions/form.html",
        {
            "title": "Données de la convention",
            "intro": "Ces informations alimentent les clauses du modèle de convention.",
            "form": form,
            "locked_message": services.locked_message(locked) if locked else "",
            "cooperation": cooperation,
            "breadcrumb_data": _breadcrumb(cooperation, "Données"),
        },
    )


@require_http_methods(["GET", "POST"])
def member_terms(request, pk: int, membership_pk: int):
    cooperation = _team_cooperation(request, pk)
    membership = get_object_or_404(
        Membership.objects.active().select_related("establishment", "legal_entity"),
        pk=membership_pk,
        cooperation=cooperation,
    )
    locked = services.convention_lock(cooperation.pk)
    if locked is not None and request.method == "POST":
        raise services.ConventionLockedError(services.locked_message(locked))
    instance = MemberTerms.objects.filter(membership=membership).first() or MemberTerms(
        membership=membership
    )
    form = MemberTermsForm(request.POST or None, instance=instance)
    if locked is not None:
        form.disable_all()
    if save_versioned(
        request,
        form,
        lambda data, version: services.member_terms_save(
            membership=membership, data=data, version=version
        ),
        success=f"Les engagements de {membership.member_name} ont été enregistrés.",
    ):
        return redirect(reverse("conventions:detail", args=[cooperation.pk]) + "#parts")
    return render(
        request,
        "conventions/form.html",
        {
            "title": f"Engagements de {membership.member_name}",
            "intro": f"FINESS {membership.finess} — {membership.member.get_legal_status_display()}.",
            "form": form,
            "locked_message": services.locked_message(locked) if locked else "",
            "cooperation": cooperation,
            "breadcrumb_data": _breadcrumb(cooperation, membership.member_name),
        },
    )


@require_POST
def convention_generate(request, pk: int):
    cooperation = _team_cooperation(request, pk)
    try:
        version = services.convention_generate(
            cooperation=cooperation,
            user=request.user,
            expected_version=_expected_version(request),
        )
    except services.NotReadyError as error:
        messages.error(
            request,
            "La convention n'a pas été générée : complétez les éléments listés ci-dessous.",
        )
        context = _detail_context(request, access_to(request, cooperation), not_ready=error.result)
        return render(request, "conventions/detail.html", context, status=422)
    except StaleObjectError as error:
        messages.error(request, error.messages[0])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"La version {version.number} de la convention a été générée.")
    return redirect("conventions:detail", cooperation.pk)


def version_detail(request, pk: int, number: int):
    access = cooperation_access(request, pk)
    cooperation = access.cooperation
    convention = get_object_or_404(Convention, cooperation=cooperation)
    version = _version(convention, number)
    return render(
        request,
        "conventions/version.html",
        {
            "title": f"Version {version.number} — {cooperation.title}",
            "cooperation": cooperation,
            "convention": convention,
            "version": version,
            "articles": exports.articles(version),
            "preamble": exports.blocks(version.preamble),
            "signatures": version.signatures.select_related(
                "membership__establishment", "membership__legal_entity"
            ),
            "files": documents.files_of(version),
            "caps": access,
            "breadcrumb_data": _breadcrumb(cooperation, f"Version {version.number}"),
        },
    )


@require_http_methods(["GET", "POST"])
def version_edit(request, pk: int):
    cooperation = _team_cooperation(request, pk)
    convention = get_object_or_404(
        Convention.objects.select_related("template__legal_form"), cooperation=cooperation
    )
    # Read after the convention: the text (the form's stored values, for a merge) is never
    # older than the version the form carries.
    latest = convention.versions.prefetch_related("clauses").order_by("-number").first()
    if latest is None:
        raise Http404("Aucune version à modifier.")
    form = VersionEditForm(request.POST or None, version=latest, convention=convention)
    if save_versioned(
        request,
        form,
        lambda data, version: services.version_edit(
            convention=convention,
            user=request.user,
            preamble=data["preamble"],
            clauses=form.clause_changes(),
            expected_version=version,
            note=data["note"],
        ),
        success=lambda new: f"La version {new.number} a été enregistrée.",
    ):
        return redirect("conventions:detail", cooperation.pk)
    return render(
        request,
        "conventions/edit.html",
        {
            "title": "Modifier le texte de la convention",
            "cooperation": cooperation,
            "convention": convention,
            "latest": latest,
            "form": form,
            "editable": convention.status in services.EDITABLE_STATUSES,
            "breadcrumb_data": _breadcrumb(cooperation, "Modifier le texte"),
        },
    )


def version_diff(request, pk: int):
    cooperation = cooperation_access(request, pk).cooperation
    convention = get_object_or_404(Convention, cooperation=cooperation)
    numbers = list(convention.versions.order_by("number").values_list("number", flat=True))
    error = None
    diffs = None
    old = new = None
    try:
        a = int(request.GET.get("de", numbers[-2] if len(numbers) > 1 else 0))
        b = int(request.GET.get("a", numbers[-1] if numbers else 0))
    except ValueError:
        a = b = 0
        error = "Les numéros de version doivent être des nombres entiers."
    if not error and len(numbers) < 2:
        error = "Il faut au moins deux versions pour les comparer."
    elif not error and (a not in numbers or b not in numbers):
        error = "Choisissez deux versions existantes."
    elif not error and a == b:
        error = "Choisissez deux versions différentes."
    if not error:
        old, new = _version(convention, min(a, b)), _version(convention, max(a, b))
        diffs = diff.compare(old, new)
    return render(
        request,
        "conventions/diff.html",
        {
            "title": "Comparer deux versions",
            "cooperation": cooperation,
            "convention": convention,
            "numbers": numbers,
            "a": a,
            "b": b,
            "old": old,
            "new": new,
            "diffs": diffs,
            "changed": [d for d in diffs if d.status != "unchanged"] if diffs else [],
            "unchanged": [d for d in diffs if d.status == "unchanged"] if diffs else [],
            "error": error,
            "breadcrumb_data": _breadcrumb(cooperation, "Comparer"),
        },
        status=400 if error and len(numbers) >= 2 else 200,
    )


# --- stored PDF and DOCX of a version (produced by Celery, see conventions/documents.py) ---


def _files_version(request, pk: int, number: int) -> ConventionVersion:
    """The version, in the user's scope (404 otherwise), with its files row if any."""
    cooperation = cooperation_access(request, pk).cooperation
    return get_object_or_404(
        ConventionVersion.objects.select_related("convention__cooperation", "files"),
        convention__cooperation=cooperation,
        number=number,
    )


def _files_context(request, version) -> dict:
    cooperation = version.convention.cooperation
    return {
        "cooperation": cooperation,
        "caps": access_to(request, cooperation),
        "version": version,
        "files": documents.files_of(version),
    }


def _download(request, pk: int, number: int, extension: str):
    version = _files_version(request, pk, number)
    files = documents.files_of(version)
    if files is None or not files.is_ready:
        # Never rendered on GET: the version page shows the progress or the button.
        messages.info(
            request,
            f"Le fichier {extension.upper()} de la version {version.number} n'est pas encore "
            "disponible : suivez sa génération ci-dessous.",
        )
        return redirect("conventions:version", pk, version.number)
    return attachment_response(getattr(files, extension), exports.filename(version, extension))


def version_pdf(request, pk: int, number: int):
    return _download(request, pk, number, "pdf")


def version_docx(request, pk: int, number: int):
    return _download(request, pk, number, "docx")


@require_http_methods(["GET"])
def version_files(request, pk: int, number: int):
    """The htmx poll of the files' progress (the version page without htmx)."""
    version = _files_version(request, pk, number)
    if not request.htmx:
        return redirect("conventions:version", pk, version.number)
    return render(
        request, "conventions/_version_files_state.html", _files_context(request, version)
    )


@require_POST
@document_rate_limit
def version_files_generate(request, pk: int, number: int):
    """Produce the files of a version that has none, or start a failed run again.

    Every reader but the read-only COPIL guest may ask (a document job is a write, though
    it changes no convention data); files already ready or being produced are left alone.
    Rate-limited per user.
    """
    version = _files_version(request, pk, number)
    access_to(request, version.convention.cooperation, "documents")
    _files, enqueued = documents.version_files_request(version=version, user=request.user)
    if enqueued:
        messages.info(request, "La génération des fichiers PDF et DOCX est lancée.")
    return redirect("conventions:version", pk, version.number)


@require_POST
def signature_start(request, pk: int):
    cooperation = _team_cooperation(request, pk)
    convention = get_object_or_404(Convention, cooperation=cooperation)
    try:
        services.signature_start(
            convention=convention, user=request.user, expected_version=_expected_version(request)
        )
    except StaleObjectError as error:
        messages.error(request, error.messages[0])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "La convention est soumise à la signature des membres.")
    return redirect("conventions:detail", cooperation.pk)


@require_http_methods(["GET", "POST"])
def signature_add(request, pk: int, membership_pk: int):
    cooperation = _team_cooperation(request, pk)
    convention = get_object_or_404(
        Convention.objects.select_related("template__legal_form"), cooperation=cooperation
    )
    latest = convention.versions.order_by("-number").first()
    party = next(
        (p for p in (latest.parties if latest else []) if p["membership"] == membership_pk), None
    )
    if party is None:
        raise Http404("Ce membre n'est pas partie à la convention.")
    form = SignatureForm(
        request.POST or None,
        request.FILES or None,
        initial={"signatory": party["representative"]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_record(
                convention=convention,
                membership_id=membership_pk,
                user=request.user,
                signatory=form.cleaned_data["signatory"],
                signed_on=form.cleaned_data["signed_on"],
                signed_copy=form.cleaned_data["signed_copy"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"La signature de {party['name']} est enregistrée.")
            return redirect("conventions:detail", cooperation.pk)
    return render(
        request,
        "conventions/signature.html",
        {
            "title": f"Signature de {party['name']}",
            "cooperation": cooperation,
            "convention": convention,
            "party": party,
            "form": form,
            "breadcrumb_data": _breadcrumb(cooperation, "Signature"),
        },
    )


def signed_copy(request, pk: int, signature_pk: int):
    cooperation = cooperation_access(request, pk).cooperation
    signature = get_object_or_404(
        Signature.objects.select_related("version"),
        pk=signature_pk,
        version__convention__cooperation=cooperation,
    )
    return attachment_response(signature.signed_copy, signature.original_name or "signature.pdf")


def _approval_convention(request, pk: int) -> Convention:
    """The convention of a cooperation the user validates (pilot ARS agent; 403/404 else)."""
    cooperation = cooperation_access(
        request, pk, "validate", queryset=scoping_queryset()
    ).cooperation
    convention = get_object_or_404(
        Convention.objects.select_related("template__legal_form"), cooperation=cooperation
    )
    convention.cooperation = cooperation  # already read through the door, with its pilot ARS
    return convention


@require_http_methods(["GET", "POST"])
def approval(request, pk: int):
    """The decision page: the form's approver and clock, the text and the signed copies,
    past decisions with their arrêtés, and (pilot ARS agent) the decision form."""
    convention = _approval_convention(request, pk)
    form = ApprovalForm(
        request.POST or None,
        request.FILES or None,
        initial={"version": convention.version},
        convention=convention,
    )
    if save_versioned(
        request,
        form,
        lambda data, version: services.approval_decide(
            convention=convention,
            user=request.user,
            decision=data["decision"],
            decided_on=data["decided_on"],
            reference=data["reference"],
            reason=data["reason"],
            arrete=data.get("arrete"),
            published_on=data.get("published_on"),
            expected_version=version,
        ),
        success="La décision sur la convention est enregistrée.",
    ):
        return redirect("conventions:detail", convention.cooperation_id)
    complete_form = (
        ApprovalCompleteForm(initial={"version": convention.version}, convention=convention)
        if convention.status == Status.APPROVED
        else None
    )
    return _approval_page(request, convention, form, complete_form)


def _approval_page(request, convention, form, complete_form):
    cooperation = convention.cooperation
    clock = approval_rules.clock_for(convention)
    can_decide = convention.status == Status.SIGNED and clock.requires_approval
    can_decide = can_decide and not clock.tacit_reached
    latest = (
        convention.versions.select_related("files")
        .prefetch_related(
            Prefetch(
                "signatures",
                queryset=Signature.objects.select_related(
                    "membership__establishment", "membership__legal_entity"
                ).order_by("signed_on", "pk"),
            )
        )
        .order_by("-number")
        .first()
    )
    decisions = convention.decisions.select_related("version", "recorded_by").order_by(
        "-decided_on", "-pk"
    )
    return render(
        request,
        "conventions/approval.html",
        {
            "title": "Décision sur la convention",
            "cooperation": cooperation,
            "convention": convention,
            "legal_form": convention.template.legal_form,
            "clock": clock,
            "latest": latest,
            "files": documents.files_of(latest) if latest else None,
            "decisions": decisions,
            "form": form,
            "can_approve": can_decide,
            "complete_form": complete_form,
            "breadcrumb_data": _breadcrumb(cooperation, "Décision"),
        },
    )


@post_from("conventions:approval", fetch=_approval_convention)
def approval_complete(request, pk: int):
    """The pilot ARS agent adds the publication date or the signed document afterwards.

    Refused (the form's own checks, the service's, a stale version): the decision page again,
    with the error summary at the top of this form and what was typed kept (a file must be
    chosen again: browsers never send it back)."""
    convention = _approval_convention(request, pk)
    form = ApprovalCompleteForm(request.POST, request.FILES, convention=convention)
    if save_versioned(
        request,
        form,
        lambda data, version: services.approval_complete(
            convention=convention,
            user=request.user,
            published_on=data.get("published_on"),
            arrete=data.get("arrete"),
            expected_version=version,
        ),
        success="La décision d'approbation est complétée.",
    ):
        return redirect("conventions:approval", convention.cooperation_id)
    decision_form = ApprovalForm(initial={"version": convention.version}, convention=convention)
    return _approval_page(request, convention, decision_form, form)


def decision_arrete(request, pk: int, decision_pk: int):
    """The signed arrêté of a decision: whoever reads the convention may download it."""
    cooperation = cooperation_access(request, pk).cooperation
    decision = get_object_or_404(
        ApprovalDecision.objects.exclude(arrete=""),
        pk=decision_pk,
        convention__cooperation=cooperation,
    )
    return attachment_response(decision.arrete, decision.arrete_name or "arrete.pdf")


@require_POST
def amendment_start(request, pk: int):
    cooperation = _team_cooperation(request, pk)
    convention = get_object_or_404(Convention, cooperation=cooperation)
    try:
        amendment = services.amendment_start(
            convention=convention,
            user=request.user,
            expected_version=_expected_version(request),
            note=request.POST.get("note", "")[:255],
        )
    except StaleObjectError as error:
        messages.error(request, error.messages[0])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"L'avenant est ouvert (version {amendment.number}) : modifiez le texte ou "
            "régénérez-le, puis soumettez-le à la signature.",
        )
    return redirect("conventions:detail", cooperation.pk)
