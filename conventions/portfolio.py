"""The conventions' column and flags of the portfolio work list (core.registry).

Approval clock: days since the convention was signed by all members, while it waits for
the ARS's approval (forms that need one). Renewal: a convention in force whose cooperation
ends (date de fin prévue) within RENEWAL_NOTICE_DAYS, or has ended.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from conventions.models import Convention, Status, Transition
from core.cells import date_fr, esc
from core.registry import PortfolioColumn, PortfolioFlag

IN_FORCE = (Status.APPROVED, Status.APPROVAL_NOT_REQUIRED, Status.AMENDED)
STATUS_LABELS = dict(Status.choices)


def annotate(queryset, today):
    convention = Convention.objects.filter(cooperation=OuterRef("pk"))
    signed = Transition.objects.filter(
        convention__cooperation=OuterRef("pk"), to_state=Status.SIGNED
    ).order_by("-at", "-pk")
    status = Subquery(convention.values("status")[:1])
    queryset = queryset.annotate(
        pf_convention_status=status,
        pf_signed_at=Subquery(signed.values("at")[:1]),
    )
    return queryset.annotate(
        pf_convention_label=Case(
            *[
                When(pf_convention_status=value, then=Value(label))
                for value, label in Status.choices
            ],
            default=Value("Pas de convention"),
            output_field=CharField(),
        ),
        pf_renewal_due=Case(
            When(
                Q(pf_convention_status__in=IN_FORCE)
                & Q(ends_on__lte=today + timedelta(days=settings.RENEWAL_NOTICE_DAYS)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def awaiting_approval_days(cooperation) -> int | None:
    if cooperation.pf_convention_status != Status.SIGNED or not cooperation.pf_signed_at:
        return None
    return (timezone.now() - cooperation.pf_signed_at).days


def status_label(cooperation) -> str:
    return STATUS_LABELS.get(cooperation.pf_convention_status, "Pas de convention")


def cell(row) -> SafeString:
    """The markup of templates/conventions/_portfolio_cell.html."""
    from core.templatetags.core_tags import days_since

    c = row.cooperation
    html = f'<span class="fr-text--sm">{esc(c.pf_convention_label)}</span>'
    requires_approval = c.legal_form.requires_approval if c.legal_form else False
    if c.pf_convention_status == Status.SIGNED and c.pf_signed_at and requires_approval:
        html += (
            '<br><span class="fr-badge fr-badge--sm fr-badge--warning fr-badge--no-icon '
            f'kc-clock">à approuver, signée il y a {esc(days_since(c.pf_signed_at))} j</span>'
        )
    html += "\n"
    if c.pf_renewal_due:
        html += (
            '<br><span class="fr-badge fr-badge--sm fr-badge--error fr-badge--no-icon">'
            f"à renouveler : fin le {date_fr(c.ends_on)}</span>"
        )
    return mark_safe(html)  # noqa: S308 - every value is escaped


COLUMN = PortfolioColumn(
    key="convention",
    label="Convention",
    cell_template="conventions/_portfolio_cell.html",
    cell=cell,
    export_headers=(
        "État de la convention",
        "En attente d'approbation depuis (jours)",
        "Fin prévue",
        "Renouvellement à prévoir",
    ),
    export=lambda row: [
        status_label(row.cooperation),
        awaiting_approval_days(row.cooperation),
        row.cooperation.ends_on,
        "oui" if row.cooperation.pf_renewal_due else "",
    ],
    annotate=annotate,
    # The oldest signature still waiting for approval first.
    sort="pf_signed_at",
    order=30,
)


def _awaiting(queryset, today):
    return queryset.filter(
        Exists(Convention.objects.filter(cooperation=OuterRef("pk"), status=Status.SIGNED)),
        legal_form__requires_approval=True,
    )


def _renewal(queryset, today):
    return queryset.filter(
        Exists(Convention.objects.filter(cooperation=OuterRef("pk"), status__in=IN_FORCE)),
        Q(ends_on__lte=today + timedelta(days=settings.RENEWAL_NOTICE_DAYS)),
    )


FLAGS = [
    PortfolioFlag(
        key="a-approuver", label="Convention signée à approuver", apply=_awaiting, order=20
    ),
    PortfolioFlag(
        key="renouvellement",
        label=f"Convention à renouveler (fin dans moins de {settings.RENEWAL_NOTICE_DAYS} jours)",
        apply=_renewal,
        order=50,
    ),
]
