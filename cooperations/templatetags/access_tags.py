"""Templates that are included by several views read the user's rights from the request's
scope (cooperations/scoping.py), where a view did not pass `caps`."""

from django import template

from cooperations import scoping

register = template.Library()


@register.simple_tag(takes_context=True)
def cooperation_caps(context, cooperation):
    """{% cooperation_caps cooperation as caps %}: the CooperationAccess of the request's user
    (no query when the view fetched the cooperation through the scope)."""
    request = context.get("request")
    if request is None or cooperation is None:
        return scoping.CooperationAccess(cooperation=cooperation, can_read=False)
    return scoping.user_capabilities(request.user, cooperation)
