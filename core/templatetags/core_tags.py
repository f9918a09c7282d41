from django import template
from django.urls import NoReverseMatch, reverse

from core.registry import NAV_ITEMS

register = template.Library()


@register.simple_tag(takes_context=True)
def main_navigation(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    items = []
    for item in NAV_ITEMS:
        if user is None or not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        current = request.path == url if url == "/" else request.path.startswith(url)
        badge = item.badge(request) if item.badge else None
        items.append({"label": item.label, "url": url, "current": current, "badge": badge})
    # Nested URLs (/cooperations/ and /cooperations/tableau-de-bord/): the longest match only.
    matches = [i for i in items if i["current"]]
    if len(matches) > 1:
        longest = max(matches, key=lambda i: len(i["url"]))
        for item in matches:
            item["current"] = item is longest
    return items


@register.filter
def percent(value, digits: int = 0):
    """French percentage: 12,5 %."""
    if value is None or value == "":
        return "—"
    formatted = f"{float(value):.{int(digits)}f}".replace(".", ",")
    return f"{formatted}\u00a0%"


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template (None when absent): `{{ notes|get_item:indicator.pk }}`."""
    return mapping.get(key) if mapping else None


@register.filter
def css_string(value) -> str:
    """Quote a value for a CSS string (PDF running headers): no HTML entities, no way out."""
    from django.utils.safestring import mark_safe

    escaped = "".join(
        ch
        if ch.isalnum() or ch in " -_.,:;!?'()/«»–—éèêëàâäîïôöùûüçÉÈÊÀÂÎÔÙÛÇœŒ°%+&"
        else f"\\{ord(ch):x} "
        for ch in str(value)
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every unsafe character is CSS-escaped


@register.filter
def fr_plural(value, suffix="s"):
    """French plural: 0 and 1 take the singular (unlike Django's `pluralize`)."""
    try:
        count = len(value) if hasattr(value, "__len__") else int(value)
    except (TypeError, ValueError):
        return ""
    return suffix if abs(count) >= 2 else ""


@register.filter
def days_since(value) -> int | None:
    """Whole days from a date or datetime to today (local time); None for no value."""
    import datetime as dt

    from django.utils import timezone

    if not value:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return (timezone.localdate() - value).days
