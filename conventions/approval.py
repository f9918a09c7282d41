"""Approval of a convention per legal form: who decides, and the clocks (read-only).

The rules are catalogue data on `LegalForm` (approval_authority, approver,
approval_legal_basis, approval_delay_months, tacit_approval, publication_delay_days):
- GCS de moyens: DG ARS, 2 months, silence = approval, RAA publication within 15 days
  (CSP R6133-1-1);
- GHT: DG ARS, 2 months, silence = approval with a certificate (CSP R6132-6);
- GCS-ES: one DG ARS decision (R6133-17, L6133-8); GCSMS / GTSMS: the State
  representative in the département of the seat (CASF R312-194-18); GIP: the State
  (loi 2011-525 art. 98, décret 2012-91) — no tacit clock computed;
- simple conventions: no approval.

The clock starts on `Convention.submitted_on` (the day the last party's signature was
recorded, which is when the signed text goes to the authority). Tacit approval is
acquired on the deadline (submission + delay) when no decision was recorded; it is
computed here on every read, and written by `services.approval_tacit_apply` (Celery beat).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.formats import date_format

from conventions.models import ApprovalMode, Status
from cooperations.models import ApprovalAuthority

# The KIT 1 fiche "Approbation par l'ARS et démarrage" (catalogues/kit1/fiches/13.yaml):
# its step page shows the approver and the clock of the cooperation's legal form.
APPROVAL_FICHE_NUMBER = 13


def long_date(value: date) -> str:
    text = date_format(value, "j F Y")
    return f"1er{text[1:]}" if value.day == 1 else text


@dataclass
class Clock:
    """What the convention page, the ARS home and the step 13 panel show.

    Dates are `datetime.date`; `days_left` counts calendar days to the deadline (negative
    once passed); None everywhere a rule or a date is unknown.
    """

    legal_form: object
    status: str
    submitted_on: date | None = None
    deadline: date | None = None
    tacit_reached: bool = False
    tacit_on: date | None = None
    decided_on: date | None = None
    publication_due: date | None = None
    published_on: date | None = None
    days_left: int | None = None

    @property
    def requires_approval(self) -> bool:
        return bool(self.legal_form and self.legal_form.requires_approval)

    @property
    def approver(self) -> str:
        return self.legal_form.approver_text if self.legal_form else ""

    @property
    def legal_basis(self) -> str:
        return (self.legal_form.approval_legal_basis or "") if self.legal_form else ""

    @property
    def waiting(self) -> bool:
        """Signed by all, no decision yet, tacit approval not reached."""
        return self.status == Status.SIGNED and not self.tacit_reached

    @property
    def summary(self) -> str:
        """One French sentence on where the clock stands."""
        if not self.requires_approval:
            return "Cette forme de coopération ne requiert pas d'approbation."
        if self.tacit_reached and self.tacit_on:
            text = f"Approbation tacite acquise le {long_date(self.tacit_on)}"
            if self.legal_basis:
                text += f" ({self.legal_basis})"
            return text + "."
        if self.status == Status.SIGNED and self.deadline:
            text = f"Décision attendue au plus tard le {long_date(self.deadline)}"
            if self.legal_form.tacit_approval:
                text += " ; à défaut, l'approbation sera tacite"
            return text + "."
        if self.status == Status.SIGNED:
            return (
                "Décision attendue : les textes ne fixent pas de délai dont KitCoop puisse "
                "déduire une approbation tacite pour cette forme."
            )
        return ""


def _add_months(value: date, months: int) -> date:
    return value + relativedelta(months=months)


def clock_for(convention, *, today: date | None = None) -> Clock:
    """The approval clock of `convention` on `today`, by the legal form of its model (no
    query when its template and legal form are already loaded)."""
    today = today or timezone.localdate()
    form = convention.template.legal_form
    clock = Clock(
        legal_form=form,
        status=convention.status,
        submitted_on=convention.submitted_on,
        published_on=convention.published_on,
    )
    if not form.requires_approval:
        return clock
    if convention.submitted_on and form.approval_delay_months:
        clock.deadline = _add_months(convention.submitted_on, form.approval_delay_months)
        clock.days_left = (clock.deadline - today).days
    decided = None
    if convention.approval_mode == ApprovalMode.TACIT and convention.approved_on:
        clock.tacit_reached, clock.tacit_on = True, convention.approved_on
    elif (
        convention.status == Status.SIGNED
        and form.tacit_approval
        and clock.deadline
        and today >= clock.deadline
    ):
        # Computed on read: the beat task may not have run yet.
        clock.tacit_reached, clock.tacit_on = True, clock.deadline
    if convention.status == Status.APPROVED and convention.approved_on:
        decided = convention.approved_on
    clock.decided_on = decided if not clock.tacit_reached else None
    start = clock.tacit_on or decided
    if start and form.publication_delay_days:
        clock.publication_due = start + timedelta(days=form.publication_delay_days)
    return clock


def tacit_due(convention, today: date) -> date | None:
    """The day tacit approval was acquired, if `convention` (signed, waiting) has reached it."""
    clock = clock_for(convention, today=today)
    if convention.status == Status.SIGNED and clock.tacit_reached:
        return clock.tacit_on
    return None


def decision_sentence(convention, decision=None) -> str:
    """The approval line of the PDF and DOCX: number, date and the form's approver."""
    form = convention.template.legal_form
    approver = form.approver_text
    if form.approval_authority == ApprovalAuthority.DG_ARS:
        approver += f" ({convention.cooperation.pilot_ars})"
    basis = f" — {form.approval_legal_basis}" if form.approval_legal_basis else ""
    if convention.approval_mode == ApprovalMode.TACIT:
        text = (
            f"Convention approuvée tacitement le {long_date(convention.approved_on)}, faute "
            f"de décision dans le délai de {form.approval_delay_months} mois ; autorité "
            f"d'approbation : {approver}{basis}."
        )
    else:
        reference = convention.approval_reference
        text = (
            f"Convention approuvée par arrêté n° {reference} du "
            f"{long_date(convention.approved_on)} ; autorité d'approbation : {approver}{basis}."
        )
    if convention.published_on:
        text += f" Publiée le {long_date(convention.published_on)}."
    return text
