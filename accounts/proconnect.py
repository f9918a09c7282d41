"""ProConnect (OpenID Connect) sign-in, on mozilla-django-oidc.

ProConnect authenticates; KitCoop authorises. A ProConnect identity signs in to the one
existing KitCoop account whose e-mail matches (case-insensitive); role and scope stay those
of the account, whatever the tokens say. No account is ever created here: an unknown
identity gets a French page naming whom to ask (see views.ProConnectCallbackView).

Configuration (environment, see config/settings/base.py and README): PROCONNECT_ISSUER
(e.g. https://auth.agentconnect.gouv.fr/api/v2) or PROCONNECT_DISCOVERY_URL, with
PROCONNECT_CLIENT_ID / PROCONNECT_CLIENT_SECRET; off when unset. The endpoints come from the
provider's discovery document (cached an hour in the shared cache).

Protocol points, from ProConnect's service-provider documentation: `state` and `nonce` of at
least 32 characters, no parameter beyond the documented ones (hence no PKCE), the ID token
and the userinfo JWT signed with the registered algorithm (RS256 by default), the ID token
kept in the session for the end-session call (`id_token_hint`, `state`,
`post_logout_redirect_uri`). mozilla-django-oidc checks `state`, `nonce` and signatures;
this module adds the `iss`/`aud` checks of OpenID Connect Core §3.1.3.7 and the userinfo
`sub` check of §5.3.2, which the library leaves out.
"""

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)

METADATA_CACHE_KEY = "proconnect:metadata"
METADATA_TTL = 3600
# ProConnect asks for at least 32 characters.
STATE_SIZE = 48
SESSION_ID_TOKEN = "oidc_id_token"
SESSION_LOGOUT_STATE = "proconnect_logout_state"
SESSION_METHOD = "kc_login_method"


class ProConnectUnavailable(Exception):
    """The provider's discovery document could not be read."""


class Failure:
    """Why a ProConnect sign-in was refused (the failure page explains each)."""

    UNKNOWN = "unknown"  # no KitCoop account with this e-mail
    AMBIGUOUS = "ambiguous"  # several accounts with this e-mail
    INACTIVE = "inactive"  # the account is disabled
    STATE = "state"  # state missing, unknown or tampered with
    CODE = "code"  # authorisation code refused by the token endpoint (expired, reused)
    TOKEN = "token"  # signature, issuer, audience, nonce or claims not as expected
    DENIED = "denied"  # the provider answered with an error (cancelled, refused)
    UNAVAILABLE = "unavailable"  # the provider does not answer


def enabled() -> bool:
    return bool(
        (settings.PROCONNECT_ISSUER or settings.PROCONNECT_DISCOVERY_URL)
        and settings.PROCONNECT_CLIENT_ID
    )


def discovery_url() -> str:
    if settings.PROCONNECT_DISCOVERY_URL:
        return settings.PROCONNECT_DISCOVERY_URL
    return settings.PROCONNECT_ISSUER.rstrip("/") + "/.well-known/openid-configuration"


def metadata() -> dict:
    """The provider's discovery document (OpenID Connect Discovery 1.0 §4).

    Raises ProConnectUnavailable when it cannot be fetched or lacks an endpoint.
    """
    key = f"{METADATA_CACHE_KEY}:{discovery_url()}"
    data = cache.get(key)
    if data is not None:
        return data
    try:
        response = requests.get(discovery_url(), timeout=settings.PROCONNECT_TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("ProConnect discovery failed: %s", error)
        raise ProConnectUnavailable(str(error)) from error
    needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")
    missing = [name for name in needed if not data.get(name)]
    if missing:
        raise ProConnectUnavailable(f"discovery document without {', '.join(missing)}")
    cache.set(key, data, METADATA_TTL)
    return data


_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def get_setting(attr: str, *default):
    """mozilla-django-oidc's settings, read from KitCoop's PROCONNECT_* settings and the
    discovery document instead of OIDC_* settings."""
    if attr in _ENDPOINTS:
        return metadata()[_ENDPOINTS[attr]]
    fixed = {
        "OIDC_RP_CLIENT_ID": settings.PROCONNECT_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.PROCONNECT_CLIENT_SECRET,
        "OIDC_RP_SCOPES": settings.PROCONNECT_SCOPES,
        "OIDC_RP_SIGN_ALGO": settings.PROCONNECT_SIGN_ALGO,
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_TIMEOUT": settings.PROCONNECT_TIMEOUT,
        "OIDC_VERIFY_SSL": True,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": False,
        "OIDC_STATE_SIZE": STATE_SIZE,
        "OIDC_NONCE_SIZE": STATE_SIZE,
        "OIDC_STORE_ID_TOKEN": True,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_CREATE_USER": False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "proconnect:callback",
        "OIDC_REDIRECT_FIELD_NAME": "next",
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {},
        "LOGIN_REDIRECT_URL": settings.LOGIN_REDIRECT_URL,
    }
    if attr in fixed:
        return fixed[attr]
    if default:
        return getattr(settings, attr, default[0])
    return getattr(settings, attr)


def fail(request, reason: str, **details) -> None:
    """Note on the request why the sign-in is refused (read by the callback view)."""
    if request is not None:
        request.proconnect_failure = {"reason": reason, **details}


class ProConnectBackend(OIDCAuthenticationBackend):
    """Authentication backend for the ProConnect callback only.

    Every password sign-in also instantiates the backends: nothing is fetched until a
    callback (with `code`, `state` and the session's `nonce`) reaches authenticate().
    """

    get_settings = staticmethod(get_setting)

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def _load_settings(self) -> None:
        for name in _ENDPOINTS:
            setattr(self, name, get_setting(name))
        self.OIDC_RP_CLIENT_ID = settings.PROCONNECT_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.PROCONNECT_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.PROCONNECT_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or not enabled():
            return None
        if not request.GET.get("code") or not request.GET.get("state"):
            return None
        try:
            self._load_settings()
            return super().authenticate(request, **kwargs)
        except ProConnectUnavailable:
            fail(request, Failure.UNAVAILABLE)
        except requests.HTTPError as error:
            response = error.response
            if response is not None and response.status_code in (400, 401):
                # invalid_grant: the code expired (30 s at ProConnect) or was already used.
                fail(request, Failure.CODE)
            else:
                fail(request, Failure.UNAVAILABLE)
            logger.warning("ProConnect token or userinfo call refused: %s", error)
        except requests.RequestException as error:
            fail(request, Failure.UNAVAILABLE)
            logger.warning("ProConnect unreachable: %s", error)
        except SuspiciousOperation as error:
            fail(request, Failure.TOKEN)
            logger.warning("ProConnect response rejected: %s", error)
        return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (the userinfo JWT carries no nonce)
            self._check_id_token(payload)
        return payload

    def _check_id_token(self, payload: dict) -> None:
        issuer = metadata()["issuer"]
        if payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token issued by another issuer.")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token issued for another client.")
        if not payload.get("sub"):
            raise SuspiciousOperation("ID token without subject.")
        self.id_token_payload = payload

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("email")) and bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("Userinfo without e-mail or subject.")
        if claims["sub"] != payload.get("sub"):
            raise SuspiciousOperation("Userinfo subject differs from the ID token's.")
        email = claims["email"].strip()
        users = list(self.UserModel.objects.filter(email__iexact=email)[:2])
        if not users:
            fail(self.request, Failure.UNKNOWN, email=email)
            return None
        if len(users) > 1:
            fail(self.request, Failure.AMBIGUOUS, email=email)
            return None
        user = users[0]
        if not user.is_active:
            fail(self.request, Failure.INACTIVE, email=email)
            return None
        record_identity(user=user, claims=claims)
        # Nothing else of the claims touches the account: role and scope stay KitCoop's.
        return user


def record_identity(*, user, claims: dict):
    """Keep the ProConnect identity last used by `user` (SIRET shown to admins)."""
    from accounts.models import ProConnectIdentity

    now = timezone.now()
    values = {
        "user": user,
        "email": claims.get("email", "")[:254],
        "given_name": str(claims.get("given_name") or "")[:150],
        "usual_name": str(claims.get("usual_name") or "")[:150],
        "siret": str(claims.get("siret") or "")[:14],
        "idp_id": str(claims.get("idp_id") or "")[:255],
        "last_login_at": now,
    }
    identity, created = ProConnectIdentity.objects.get_or_create(
        sub=str(claims["sub"])[:255], defaults={**values, "first_login_at": now}
    )
    if not created:
        for name, value in values.items():
            setattr(identity, name, value)
        identity.save()
    return identity


def end_session_url(request, id_token: str) -> str | None:
    """The provider's end-session URL for this session's ID token, or None.

    Stores a fresh `state` in the (new, anonymous) session for the return trip: call it
    after auth.logout().
    """
    try:
        endpoint = metadata().get("end_session_endpoint")
    except ProConnectUnavailable:
        return None
    if not endpoint:
        return None
    from django.urls import reverse

    state = get_random_string(STATE_SIZE)
    request.session[SESSION_LOGOUT_STATE] = state
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": request.build_absolute_uri(
                reverse("proconnect:logged_out")
            ),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
