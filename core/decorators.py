"""View decorators shared by the kits."""

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect


def post_from(page: str, *, fetch):
    """For a view that takes the POST of a form shown on `page` (a URL name taking the same
    `pk`) and, when the post is refused, shows that page again at its own address: a GET of
    that address (Back, or reopening the tab later) is sent to `page` instead of the
    405 page, once `fetch(request, pk)` has found the object in the user's scope (it raises
    Http404 outside it, as the page would: nothing is learnt from the redirect). Other
    methods: 405 as with require_POST."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, pk: int, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                fetch(request, pk)
                return redirect(page, pk)
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, pk, *args, **kwargs)

        return wrapper

    return decorator
