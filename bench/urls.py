"""The application's URLs plus a bare view: the framework's ceiling on the same server."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def bare(request):
    # Through the whole middleware stack (session, auth, CSP…) but no query and no template.
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/nu/", bare, name="bench-bare"), *app_urlpatterns]
