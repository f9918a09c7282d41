"""Context functions for the shared screens (cooperation page, menu, COPIL pack)."""

from evalimpact import selectors


def can_compare(user) -> bool:
    return user.is_authenticated and (user.is_national_admin or user.is_ars_agent)


def section_context(request, cooperation) -> dict:
    """Latest axis scores for the cooperation page: 2 queries."""
    summary = selectors.summary_for(cooperation)
    return {
        "potential": summary["potential"],
        "effective": summary["effective"],
        "table": summary["table"],
        "count": len(summary["evaluations"]),
    }


def copil_context(cooperation) -> dict | None:
    summary = selectors.summary_for(cooperation)
    if not summary["evaluations"]:
        return None
    return {"cooperation": cooperation, **selectors.pdf_section_context(summary)}
