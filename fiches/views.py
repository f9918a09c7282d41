from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cooperations.access import access_to, cooperation_access
from cooperations.breadcrumbs import cooperation_breadcrumb, kit_page
from cooperations.models import LegalForm
from core.decorators import post_from
from core.forms import save_versioned
from core.idempotency import once_per_submission
from core.locking import StaleObjectError
from core.uploads import attachment_response
from fiches import chooser, selectors
from fiches.forms import (
    FIELD_PREFIX,
    AttachmentForm,
    ChooserForm,
    CommentForm,
    KnowledgeSearchForm,
    ReasonForm,
    RecordChoiceForm,
    StepAnswersForm,
    ValidateForm,
)
from fiches.models import (
    Attachment,
    KnowledgePage,
    LegalFormDecision,
    QuestionKind,
    Step,
    StepState,
)
from fiches.services import comments, workflow
from fiches.services import legal_form as legal_form_service
from fiches.services.answers import attachment_add, step_save_answers
from fiches.services.questions import applicable_questions, missing_answers, plan_objective_choices

PAGE_SIZE = 25


def stepper(request, pk: int):
    """Read only: the steps were created when they became due (fiches/receivers.py)."""
    access = cooperation_access(request, pk)
    rows = selectors.stepper(access.cooperation)
    return render(
        request,
        "fiches/stepper.html",
        {
            **kit_page(access, "Fiches repères", current="Fiches repères (KIT 1)"),
            "rows": rows,
            "progress": selectors.progress(rows),
        },
    )


def _objective_choices(step, questions) -> list:
    """Asked only where a question needs them (KIT 1 step 1): no query on other steps."""
    if any(q.kind == QuestionKind.PLAN_OBJECTIVES for q in questions):
        return plan_objective_choices(step)
    return []


def _objective_codes(step, questions):
    if any(q.kind == QuestionKind.PLAN_OBJECTIVES for q in questions):
        return list(step.cooperation.plan_objectives.values_list("code", flat=True))
    return None


def _get_step(request, pk: int) -> Step:
    try:
        return selectors.step_detail(pk, request.user)
    except Step.DoesNotExist:
        raise Http404("Étape introuvable.") from None


def _render_step(
    request,
    step,
    *,
    form=None,
    reason_form=None,
    validate_form=None,
    reopen_form=None,
    comment_form=None,
    attachment_form=None,
    status=200,
):
    cooperation = step.cooperation
    caps = access_to(request, cooperation)
    locks = workflow.step_locks(step, workflow._states(step))
    # A step whose prerequisites await the ARS is drafted all the same: only its
    # submission waits (fiches.services.workflow.step_submit).
    editable = caps["is_project_team"] and step.state not in (
        StepState.SUBMITTED,
        StepState.VALIDATED,
    )
    questions = applicable_questions(step)
    answers = {a.question_id: a.value for a in step.answers.all()}
    if form is None:
        form = StepAnswersForm(
            questions=questions,
            answers=answers,
            version=step.version,
            read_only=not editable,
            plan_objectives=_objective_choices(step, questions),
            plan_selected=_objective_codes(step, questions),
        )
    slots = (
        [q.label for q in questions if q.kind == "file"]
        + step.fiche.documents_list
        + ["Autre document"]
    )
    attachments = list(step.attachments.all())
    latest, older = {}, []
    for attachment in attachments:
        if attachment.slot in latest:
            older.append(attachment)
        else:
            latest[attachment.slot] = attachment
    file_errors = getattr(form, "file_errors", {})
    decided_on = {"version": step.version}  # the page the ARS decides on
    file_questions = [
        {"question": q, "attachment": latest.get(q.label), "errors": file_errors.get(q.code, [])}
        for q in questions
        if q.kind == "file"
    ]
    return render(
        request,
        "fiches/step.html",
        {
            "title": f"Étape {step.number} — {step.fiche.title}",
            "step": step,
            "cooperation": cooperation,
            "caps": caps,
            "locks": locks,
            "editable": editable,
            "form": form,
            "file_questions": file_questions,
            "missing": missing_answers(step) if editable else {},
            "reason_form": reason_form or ReasonForm(initial=decided_on, step=step),
            "validate_form": validate_form or ValidateForm(initial=decided_on, step=step),
            "reopen_form": reopen_form
            or ReasonForm(prefix="reopen", initial=decided_on, step=step),
            "comment_form": comment_form or CommentForm(),
            "attachment_form": attachment_form
            or AttachmentForm(slots=slots, max_bytes=settings.UPLOAD_MAX_BYTES),
            "latest_attachments": list(latest.values()),
            "step_panels": _step_panels(request, step),
            "older_attachments": older,
            "breadcrumb_data": cooperation_breadcrumb(
                cooperation,
                {
                    "url": reverse("fiches:stepper", args=[cooperation.pk]),
                    "title": "Fiches repères",
                },
                current=f"Étape {step.number}",
            ),
        },
        status=status,
    )


def _step_panels(request, step) -> list[dict]:
    """Blocks other apps add to a step page (core.registry.StepPanel)."""
    from core.registry import STEP_PANELS

    panels = []
    for panel in STEP_PANELS:
        context = panel.get_context(request, step)
        if context is not None:
            panels.append({"template": panel.template, "context": context})
    return panels


@require_http_methods(["GET", "POST"])
def step_view(request, pk: int):
    step = _get_step(request, pk)
    if request.method == "GET":
        return _render_step(request, step)
    access_to(request, step.cooperation, "team")
    questions = applicable_questions(step)
    form = StepAnswersForm(
        request.POST,
        questions=questions,
        answers={},
        version=step.version,
        plan_objectives=_objective_choices(step, questions),
    )
    if request.htmx and request.POST.get("action") == "autosave":
        return _autosave(request, step, form)
    form_valid = form.is_valid()
    if not form_valid and "version" in form.errors:
        return _render_step(request, step, form=form)
    submit = request.POST.get("action") == "submit"
    # The valid answers are saved even when others (or the submission) are refused: the
    # user corrects the fields the summary lists and loses nothing.
    values = {
        code: form.cleaned_data[FIELD_PREFIX + code]
        for code in form.questions
        if FIELD_PREFIX + code in form.cleaned_data
    }
    try:
        step_save_answers(
            step=step, user=request.user, values=values, version=form.cleaned_data["version"]
        )
    except StaleObjectError as error:
        form.add_error(None, error)
        # The user's text stays in the form; the next save goes through once they checked.
        form.data = form.data.copy()
        form.data["version"] = str(Step.objects.get(pk=step.pk).version)
        return _render_step(request, step, form=form, status=409)
    except ValidationError as error:
        form.add_service_errors(error)
        form_valid = False
    if not form_valid:
        return _render_partly_saved(request, pk, form, submit=submit)
    if not submit:
        messages.success(request, "Vos réponses sont enregistrées (brouillon).")
        return redirect(step)
    try:
        # The version the answers were just saved under: a save in between refuses it.
        workflow.step_submit(step=step, user=request.user, version=step.version)
    except ValidationError as error:
        form.add_service_errors(error)
        return _render_partly_saved(request, pk, form, submit=True)
    messages.success(request, "L'étape est soumise à l'ARS pour validation.")
    return redirect(step)


def _render_partly_saved(request, pk: int, form, *, submit: bool):
    """The step page after a refused save or submission: the answers that were valid are
    stored (the form keeps every typed value), the version field follows the saved step."""
    step = _get_step(request, pk)
    form.data = form.data.copy()
    form.data["version"] = str(step.version)
    saved = step.answers.exists()
    if submit:
        form.error_title = "Soumission impossible"
        form.add_error(
            None,
            (
                "Vos réponses valides sont enregistrées, mais l'étape ne peut pas encore "
                "être soumise : "
                if saved
                else "L'étape ne peut pas encore être soumise : "
            )
            + "corrigez ou complétez les champs signalés.",
        )
    else:
        form.error_title = "Enregistrement partiel"
        form.add_error(
            None,
            "Les réponses signalées ne sont pas enregistrées ; vos autres réponses le sont.",
        )
    return _render_step(request, step, form=form)


def _autosave(request, step, form):
    """Background draft save (htmx): only a status line changes, the typed text stays put."""
    context = {"step": step}
    if form.is_valid():
        try:
            step_save_answers(
                step=step,
                user=request.user,
                values=form.values(),
                version=form.cleaned_data["version"],
            )
        except StaleObjectError:
            context["error"] = (
                "Enregistrement automatique suspendu : quelqu'un d'autre a modifié cette étape. "
                "Vos saisies restent affichées ; copiez-les puis rechargez la page."
            )
        except ValidationError:
            context["error"] = (
                "Certaines réponses ne sont pas valides : cliquez sur « Enregistrer le brouillon » "
                "pour voir le détail."
            )
        else:
            context["saved"] = True
    else:
        context["error"] = "Brouillon non enregistré : la page est incomplète, rechargez-la."
    step.refresh_from_db(fields=["version"])
    return render(request, "fiches/_autosave_status.html", context)


@dataclass(frozen=True)
class Decision:
    """An ARS decision on a step: its form on the page (class, prefix, context key), the
    workflow service, the form field the service takes, the French success message."""

    form_class: type
    prefix: str | None
    form_key: str
    decide: Callable
    text_field: str
    success: str


DECISIONS = {
    "validate": Decision(
        ValidateForm,
        None,
        "validate_form",
        workflow.step_validate,
        "comment",
        "L'étape {} est validée.",
    ),
    "return": Decision(
        ReasonForm,
        None,
        "reason_form",
        workflow.step_return,
        "reason",
        "L'étape {} est renvoyée à l'équipe projet.",
    ),
    "reopen": Decision(
        ReasonForm,
        "reopen",
        "reopen_form",
        workflow.step_reopen,
        "reason",
        "L'étape {} est rouverte.",
    ),
}


def _decide(request, pk, action):
    """One ARS decision on a step through core.forms.save_versioned: a stale page is the
    French warning at the top of the decision form, the input kept, and the form then offers
    the stored version."""
    step = _get_step(request, pk)
    access_to(request, step.cooperation, "validate")
    decision = DECISIONS[action]
    form = decision.form_class(request.POST, prefix=decision.prefix, step=step)
    refusals = []

    def save(data, version):
        try:
            return decision.decide(
                step=step,
                user=request.user,
                version=version,
                **{decision.text_field: data[decision.text_field]},
            )
        except ValidationError as error:
            refusals.append(error)
            raise

    if save_versioned(request, form, save, success=decision.success.format(step.number)):
        if action == "validate" and request.POST.get("suivante"):
            following = selectors.validation_queue(request.user).exclude(pk=step.pk).first()
            if following is None:
                messages.info(request, "Plus aucune étape n'attend votre validation.")
                return redirect("fiches:queue")
            return redirect(following)
        return redirect(step)
    if refusals and action != "reopen" and _get_step(request, pk).state != StepState.SUBMITTED:
        # Decided meanwhile (double click, another agent): the decision forms are gone from
        # the page, so the French message comes as a notice on it.
        for message in refusals[0].messages:
            messages.warning(request, message)
        return redirect(step)
    return _render_step(request, step, **{decision.form_key: form})


@post_from("fiches:step", fetch=_get_step)
def step_validate(request, pk: int):
    return _decide(request, pk, "validate")


@post_from("fiches:step", fetch=_get_step)
def step_return(request, pk: int):
    return _decide(request, pk, "return")


@post_from("fiches:step", fetch=_get_step)
def step_reopen(request, pk: int):
    return _decide(request, pk, "reopen")


@require_POST
@once_per_submission
def comment_add(request, pk: int):
    step = _get_step(request, pk)
    # Agents of a concerned ARS read and may comment; the read-only COPIL guest may not.
    access_to(request, step.cooperation, "comment")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comments.comment_add(step=step, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Votre commentaire est publié.")
            return redirect(f"{step.get_absolute_url()}#commentaires")
    return _render_step(request, step, comment_form=form)


@require_POST
def attachment_upload(request, pk: int):
    step = _get_step(request, pk)
    access_to(request, step.cooperation, "team")
    questions = applicable_questions(step)
    slots = (
        [q.label for q in questions if q.kind == "file"]
        + step.fiche.documents_list
        + ["Autre document"]
    )
    form = AttachmentForm(
        request.POST, request.FILES, slots=slots, max_bytes=settings.UPLOAD_MAX_BYTES
    )
    if form.is_valid():
        slot = form.cleaned_data["slot"]
        question = next((q for q in questions if q.kind == "file" and q.label == slot), None)
        try:
            attachment = attachment_add(
                step=step,
                user=request.user,
                uploaded=form.cleaned_data["file"],
                slot=slot,
                question=question,
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(
                request,
                f"« {attachment.original_name} » est déposé (version {attachment.revision}).",
            )
            return redirect(f"{step.get_absolute_url()}#documents")
    return _render_step(request, step, attachment_form=form)


def attachment_download(request, pk: int):
    attachment = get_object_or_404(
        Attachment.objects.filter(step__in=Step.objects.visible_to(request.user)), pk=pk
    )
    return attachment_response(attachment.file, attachment.original_name)


def legal_form_chooser(request, pk: int):
    """The questionnaire is a GET form: answering it changes nothing until the team records."""
    access = cooperation_access(request, pk)
    cooperation = access.cooperation
    last = (
        LegalFormDecision.objects.filter(cooperation=cooperation)
        .select_related("legal_form", "decided_by")
        .first()
    )
    facts = chooser.known_facts(cooperation)
    # The team's last answers win; what the register says fills the questions it left open.
    initial = {**facts.initial, **(last.answers if last else {})}
    form = ChooserForm(request.GET or None, initial=initial)
    ranking = chooser.rank_legal_forms(form.cleaned_data) if form.is_valid() else None
    return render(
        request,
        "fiches/chooser.html",
        {
            "title": "Aide au choix de la forme juridique",
            "cooperation": cooperation,
            "form": form,
            "ranking": ranking,
            "record_form": RecordChoiceForm(ranking=ranking) if ranking else None,
            "last": last,
            "facts": facts,
            "caps": access,
            "breadcrumb_data": cooperation_breadcrumb(
                cooperation, current="Choix de la forme juridique"
            ),
        },
    )


@require_POST
def legal_form_record(request, pk: int):
    access = cooperation_access(request, pk, "team")
    cooperation = access.cooperation
    answers = ChooserForm(request.POST)
    if not answers.is_valid():
        messages.error(request, "Répondez à toutes les questions avant d'enregistrer un choix.")
        return redirect("fiches:legal_form_chooser", cooperation.pk)
    ranking = chooser.rank_legal_forms(answers.cleaned_data)
    form = RecordChoiceForm(request.POST, ranking=ranking)
    if form.is_valid():
        legal_form = LegalForm.objects.get(code=form.cleaned_data["legal_form"])
        try:
            legal_form_service.legal_form_record(
                cooperation=cooperation,
                user=request.user,
                legal_form=legal_form,
                answers=answers.cleaned_data,
                ranking=[r.as_json() for r in ranking],
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                f"La forme juridique « {legal_form.name} » est enregistrée pour la coopération.",
            )
            return redirect(cooperation)
    return render(
        request,
        "fiches/chooser.html",
        {
            "title": "Aide au choix de la forme juridique",
            "cooperation": cooperation,
            "form": answers,
            "ranking": ranking,
            "record_form": form,
            "facts": chooser.known_facts(cooperation),
            "caps": access,
            "breadcrumb_data": cooperation_breadcrumb(
                cooperation, current="Choix de la forme juridique"
            ),
        },
    )


def validation_queue(request):
    if not request.user.is_ars_agent:
        raise PermissionDenied("Cette file d'attente est réservée aux agents d'ARS.")
    page = Paginator(selectors.validation_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "fiches/queue.html",
        {
            "title": "Étapes à valider",
            "page_obj": page,
            "breadcrumb_data": {"current": "Étapes à valider"},
        },
    )


def kb_list(request):
    form = KnowledgeSearchForm(request.GET or None)
    query = category = ""
    if form.is_valid():
        query, category = form.cleaned_data["q"], form.cleaned_data["category"]
    page = Paginator(selectors.search_pages(query, category), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "fiches/kb_list.html",
        {
            "title": "Base de connaissances",
            "form": form,
            "query": query,
            "page_obj": page,
            "breadcrumb_data": {"current": "Base de connaissances"},
        },
    )


def kb_page(request, slug: str):
    page = get_object_or_404(
        KnowledgePage.objects.filter(is_published=True).select_related("legal_form"), slug=slug
    )
    return render(
        request,
        "fiches/kb_page.html",
        {
            "title": page.title,
            "page": page,
            "breadcrumb_data": {
                "links": [{"url": reverse("fiches:kb_list"), "title": "Base de connaissances"}],
                "current": page.title,
            },
        },
    )
