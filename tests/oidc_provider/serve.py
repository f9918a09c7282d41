"""Run the test OpenID provider: `python -m tests.oidc_provider.serve` (see harness.py).

Environment: OP_PORT, OP_DB, OP_KEY, OP_IDENTITIES, OP_ISSUER, OP_CLIENT_ID, OP_CLIENT_SECRET.
Prints READY once it answers. Stops on SIGTERM.
"""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    Application.objects.update_or_create(
        client_id=os.environ["OP_CLIENT_ID"],
        defaults={
            "name": "KitCoop (tests)",
            "client_secret": os.environ["OP_CLIENT_SECRET"],
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
            "redirect_uris": "http://testserver/proconnect/retour/",
            "post_logout_redirect_uris": "http://testserver/proconnect/deconnexion/",
        },
    )
    for username, identity in settings.IDENTITIES.items():
        user, _ = User.objects.get_or_create(username=username)
        user.email = identity["email"]
        user.first_name = identity.get("given_name", "")
        user.last_name = identity.get("usual_name", "")
        user.set_password(identity["password"])
        user.save()
    server = make_server(
        "127.0.0.1",
        int(os.environ["OP_PORT"]),
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
