"""What the cooperation page and the COPIL pack show of the convention (one or two queries)."""

from django.db.models import Count

from conventions import portfolio
from conventions.approval import APPROVAL_FICHE_NUMBER, clock_for
from conventions.models import Convention, Status
from cooperations.models import Cooperation
from core.registry import CooperationSection, CopilSection, HomeWidget, StepPanel, signed_in


def _convention_with_latest(cooperation):
    convention = (
        Convention.objects.select_related("template__legal_form")
        .filter(cooperation=cooperation)
        .first()
    )
    if convention is None:
        return None, None
    latest = (
        convention.versions.annotate(signed=Count("signatures"))
        .select_related("author")
        .order_by("-number")
        .first()
    )
    return convention, latest


def summary_context(request, cooperation) -> dict:
    convention, latest = _convention_with_latest(cooperation)
    clock = clock_for(convention) if convention else None
    return {"convention": convention, "latest": latest, "clock": clock}


def copil_context(cooperation) -> dict | None:
    convention, latest = _convention_with_latest(cooperation)
    if convention is None:
        return None
    return {
        "convention": convention,
        "latest": latest,
        "parties": len(latest.parties) if latest else 0,
        "signed": latest.signed if latest else 0,
    }


HOME_LIMIT = 5


def home_approvals(request) -> dict:
    """Conventions signed by every member that wait for a decision this user may record
    (the scope's rule: only an agent of the pilot ARS decides, as the approval page's
    `need="validate"`), oldest transmission first, each with its clock (deadline, tacit
    approval reached)."""
    waiting = (
        Convention.objects.filter(
            status=Status.SIGNED,
            cooperation__in=Cooperation.objects.validatable_by(request.user),
            template__legal_form__requires_approval=True,
        )
        .select_related("cooperation", "template__legal_form")
        .order_by("submitted_on", "updated_at", "pk")
    )
    items = list(waiting[: HOME_LIMIT + 1])
    for convention in items:
        convention.clock = clock_for(convention)
    return {"conventions": items[:HOME_LIMIT], "more": len(items) > HOME_LIMIT}


def step_panel(request, step) -> dict | None:
    """KIT 1 step 13 (approval and start): who approves this cooperation's legal form, how,
    and where its convention's clock stands. None on every other step."""
    if step.number != APPROVAL_FICHE_NUMBER:
        return None
    cooperation = step.cooperation
    legal_form = cooperation.legal_form
    if legal_form is None:
        return {"cooperation": cooperation, "legal_form": None, "clock": None}
    convention = (
        Convention.objects.select_related("template__legal_form")
        .filter(cooperation=cooperation)
        .first()
    )
    # The clock follows the form of the convention's model, as approval_tacit_apply does.
    clock = clock_for(convention) if convention else None
    return {
        "cooperation": cooperation,
        "legal_form": legal_form,
        "convention": convention,
        "clock": clock,
    }


# What the conventions add to the shared screens (registered by KitConfig.ready()).
REGISTRY = (
    portfolio.COLUMN,
    *portfolio.FLAGS,
    CooperationSection(
        key="conventions",
        label="Convention",
        url_name="conventions:detail",
        order=30,
        summary_template="conventions/_summary.html",
        get_context=summary_context,
    ),
    HomeWidget(
        key="conventions-approvals",
        template="conventions/_home_approvals.html",
        get_context=home_approvals,
        order=30,
        visible=signed_in("is_ars_agent"),
    ),
    StepPanel(
        key="conventions-approval",
        template="conventions/_step_approval.html",
        get_context=step_panel,
        order=20,
    ),
    CopilSection(
        key="conventions",
        title="Convention",
        template="conventions/_copil.html",
        get_context=copil_context,
        order=30,
    ),
)
