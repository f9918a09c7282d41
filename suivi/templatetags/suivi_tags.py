from datetime import date

from django import template

register = template.Library()


@register.filter
def isodate(value, fmt="d/m/Y"):
    """Snapshots store ISO dates (JSON): show them as French dates."""
    if not value:
        return "—"
    try:
        parsed = date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    from django.utils.dateformat import format as date_format

    return date_format(parsed, fmt)


@register.filter
def slippage(days) -> str:
    """A deliverable's slippage as the tables show it (suivi.planning.slippage_days): none
    reads « À l'heure », not « 0 j »."""
    if days is None:
        return "—"
    if days > 0:
        return f"+{days} j"
    if days < 0:
        return f"{days} j (avance)"
    return "À l'heure"


@register.filter
def rank_rag(rank) -> dict:
    """The work list's planning rank (0, 1, 2) as a badge and a label."""
    from suivi import planning
    from suivi.portfolio import RAG_OF_RANK

    rag = RAG_OF_RANK.get(rank)
    return {"badge": planning.rag_badge(rag), "label": planning.rag_label(rag)}
