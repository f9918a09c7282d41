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
