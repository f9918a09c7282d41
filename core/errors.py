"""French DSFR error pages beyond Django's handlers: 405, the CSRF failure page, and the
French 404 under DEBUG.

- Django answers 405 (`require_http_methods`) with an empty body: `ErrorPagesMiddleware`
  renders templates/405.html in its place (the Allow header is kept).
- Under DEBUG (`make run`) Django shows its English technical 404 page; a 404 raised by a
  view (an object outside the user's scope, `cooperation_access`) is rendered with
  templates/404.html there too, so that developers see what users see. An unknown URL
  keeps Django's technical page (it lists the routes, which is what a developer needs).
- `csrf_failure` (settings.CSRF_FAILURE_VIEW) explains that the session or the page
  expired, and offers to go back, where the browser still holds what was typed.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


class ErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not response.streaming
            and not response.content
            and not getattr(request, "htmx", False)
        ):
            allow = response.get("Allow", "")
            response = render(request, "405.html", {"allowed": allow}, status=405)
            if allow:
                response["Allow"] = allow
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return render(request, "404.html", {"exception": exception}, status=404)
        return None


def csrf_failure(request, reason="", template_name="403_csrf.html"):
    referer = request.META.get("HTTP_REFERER", "")
    back = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else ""
    )
    return render(request, template_name, {"back_url": back, "reason": reason}, status=403)
