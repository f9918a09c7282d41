"""How the read API knows who is calling: a personal token, or the session from KitCoop's
own pages only.

- `BearerTokenAuthentication`: `Authorization: Bearer kc_…` (accounts/tokens.py). The token
  carries its owner's scope, so every endpoint filters through the same scoping module as
  the pages.
- `SameOriginSessionAuthentication`: the session cookie counts only for requests from
  KitCoop's own origin (the documentation page's "try it out"). A request that a browser
  marks as coming from another site (`Sec-Fetch-Site`, or an `Origin` that is not ours) is
  treated as anonymous, so another site cannot read the API with a signed-in user's cookie.
  No CORS header is ever sent.
"""

from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)

from accounts.tokens import token_user


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "En-tête Authorization invalide : « Bearer <jeton> » attendu."
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Jeton invalide.") from None
        user = token_user(raw)
        if user is None:
            raise exceptions.AuthenticationFailed("Jeton invalide, expiré ou révoqué.")
        return (user, None)

    def authenticate_header(self, request):
        return 'Bearer realm="KitCoop API"'


def is_same_origin(request) -> bool:
    site = request.META.get("HTTP_SEC_FETCH_SITE")
    if site and site not in ("same-origin", "none"):
        return False
    origin = request.META.get("HTTP_ORIGIN")
    return not origin or origin == f"{request.scheme}://{request.get_host()}"


class SameOriginSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        if not is_same_origin(request._request):
            return None
        return super().authenticate(request)
