"""What the cooperation page and the COPIL pack show of the convention (one or two queries)."""

from django.db.models import Count

from conventions.models import Convention


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
    return {"convention": convention, "latest": latest}


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
    """Conventions signed by every member that wait for this ARS agent's approval."""
    waiting = (
        Convention.objects.filter(
            status="signed",
            cooperation__pilot_ars_id=request.user.ars_id,
            template__legal_form__requires_approval=True,
        )
        .select_related("cooperation", "template")
        .order_by("updated_at", "pk")
    )
    items = list(waiting[: HOME_LIMIT + 1])
    return {"conventions": items[:HOME_LIMIT], "more": len(items) > HOME_LIMIT}
