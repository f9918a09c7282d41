import markdown as md
import nh3
from django import template
from django.utils.safestring import mark_safe

from core.templatetags.core_tags import fr_plural

register = template.Library()

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "code",
    "pre", "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip

STATE_BADGES = {
    "not_started": "fr-badge--no-icon",
    "in_progress": "fr-badge--info",
    "submitted": "fr-badge--new",
    "validated": "fr-badge--success",
    "returned": "fr-badge--warning",
}


def render_markdown(text: str) -> str:
    """Markdown written by admins, cleaned so that no script or inline handler survives."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


@register.filter
def markdown(text):
    return mark_safe(render_markdown(text))  # noqa: S308 - cleaned by nh3 above


@register.filter
def state_badge(state):
    return STATE_BADGES.get(state, "")


register.filter("fr_plural", fr_plural)  # the French plural lives in core_tags
