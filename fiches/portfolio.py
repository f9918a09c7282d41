"""KIT 1's columns and flags of the portfolio work list (core.registry)."""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.cells import esc, plural
from core.registry import PortfolioColumn, PortfolioFlag
from fiches.models import Step, StepState


def _steps():
    return Step.objects.filter(cooperation=OuterRef("pk")).order_by()


def annotate(queryset, today):
    counts = _steps().values("cooperation")
    oldest_submitted = _steps().filter(state=StepState.SUBMITTED).order_by("submitted_at", "pk")
    team_step = _steps().exclude(state=StepState.VALIDATED).order_by("number")
    return queryset.annotate(
        pf_kit1_total=Coalesce(Subquery(counts.annotate(n=Count("pk")).values("n")), 0),
        pf_kit1_validated=Coalesce(
            Subquery(counts.filter(state=StepState.VALIDATED).annotate(n=Count("pk")).values("n")),
            0,
        ),
        pf_pending_since=Subquery(oldest_submitted.values("submitted_at")[:1]),
        pf_pending_number=Subquery(oldest_submitted.values("number")[:1]),
        pf_pending_step=Subquery(oldest_submitted.values("pk")[:1]),
        pf_team_number=Subquery(team_step.values("number")[:1]),
        pf_team_state=Subquery(team_step.values("state")[:1]),
    )


def waiting_days(cooperation) -> int | None:
    since = cooperation.pf_pending_since
    return (timezone.now() - since).days if since else None


def export(row) -> list:
    c = row.cooperation
    since = c.pf_pending_since
    return [
        c.pf_kit1_validated,
        c.pf_kit1_total,
        c.pf_pending_number,
        timezone.localtime(since).date() if since else None,
        waiting_days(c),
        c.pf_team_number,
        StepState(c.pf_team_state).label if c.pf_team_state else "",
    ]


def _waiting_badge(days) -> str:
    if days is None:
        return "info"
    return "error" if days > 14 else "warning" if days > 7 else "info"


def cell(row) -> SafeString:
    """The markup of templates/fiches/_portfolio_cell.html."""
    from core.templatetags.core_tags import days_since

    c = row.cooperation
    if c.pf_kit1_total:
        html = (
            f'<span class="kc-nowrap">{esc(c.pf_kit1_validated)}/{esc(c.pf_kit1_total)} '
            f"validée{plural(c.pf_kit1_validated)}</span>"
        )
    else:
        html = "—"
    html += "\n"
    if c.pf_pending_step:
        days = days_since(c.pf_pending_since)
        url = reverse("fiches:step", args=[c.pf_pending_step])
        html += (
            f'<br><a class="fr-text--xs" href="{esc(url)}">Étape {esc(c.pf_pending_number)} '
            f'à valider</a> <span class="fr-badge fr-badge--sm fr-badge--{_waiting_badge(days)} '
            f"fr-badge--no-icon kc-waiting\">attend l'ARS depuis {esc(days)} j</span>"
        )
    elif c.pf_team_number:
        returned = " (renvoyée)" if c.pf_team_state == StepState.RETURNED else ""
        html += (
            f'<br><span class="fr-text--xs kc-muted">Équipe : étape {esc(c.pf_team_number)}'
            f"{returned}</span>"
        )
    return mark_safe(html)  # noqa: S308 - every value is escaped


COLUMN = PortfolioColumn(
    key="kit1",
    label="KIT 1 : avancement et attente de l'ARS",
    cell_template="fiches/_portfolio_cell.html",
    cell=cell,
    export_headers=(
        "Étapes KIT 1 validées",
        "Étapes KIT 1 ouvertes",
        "Étape attendant la validation de l'ARS",
        "Soumise le",
        "Jours d'attente (ARS)",
        "Étape en cours pour l'équipe",
        "État de cette étape",
    ),
    export=export,
    annotate=annotate,
    # Oldest submission first: the longest wait for the ARS heads the list.
    sort="pf_pending_since",
    order=20,
)

FLAG = PortfolioFlag(
    key="a-valider",
    label="Étape KIT 1 en attente de validation",
    apply=lambda queryset, today: queryset.filter(
        Exists(Step.objects.filter(cooperation=OuterRef("pk"), state=StepState.SUBMITTED))
    ),
    order=10,
)
