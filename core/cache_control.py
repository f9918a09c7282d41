"""`Cache-Control: no-store` on what should never stay in a browser's or a proxy's cache.

Every response to a signed-in user (pages show names, notes, decisions of a cooperation)
and every download (PDF, DOCX, exports, attachments, even when reached without a session,
e.g. through the API) is sent with no-store: the back button of a shared computer, after
sign-out, shows nothing, and no intermediate cache keeps a copy.
"""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        download = "attachment" in response.get("Content-Disposition", "")
        if signed_in or download:
            add_never_cache_headers(response)
        return response
