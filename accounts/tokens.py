"""Personal API tokens: creation, revocation and lookup (the read API's credential).

A token reads `kc_<prefix>_<secret>`: the prefix (8 characters) finds the row, the SHA-256
digest of the whole token proves it. A fast digest is enough here: the secret has 256 bits
of entropy (secrets.token_urlsafe(32)), so it cannot be guessed from its digest, unlike a
password. The clear token exists only in the creation response.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken

PREFIX_SIZE = 8
TOKEN_START = "kc_"
# Validity offered on the account page (days); a year at most.
VALIDITY_CHOICES = [(30, "30 jours"), (90, "90 jours"), (180, "6 mois"), (365, "1 an")]
MAX_ACTIVE_TOKENS = 10
# How often last_used_at is written (a token used in a loop would write on every call).
LAST_USED_PRECISION = timedelta(minutes=5)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, days: int) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with its clear value (to show once).

    Raises ValidationError (French) for an empty name, a validity not offered or too many
    active tokens.
    """
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Donnez un nom au jeton (par exemple l'outil qui l'utilisera)."
    if days not in dict(VALIDITY_CHOICES):
        errors["days"] = "Choisissez une durée de validité proposée."
    if ApiToken.objects.filter(user=user).active().count() >= MAX_ACTIVE_TOKENS:
        errors["name"] = (
            f"Vous avez déjà {MAX_ACTIVE_TOKENS} jetons actifs : révoquez-en un avant d'en créer "
            "un autre."
        )
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(PREFIX_SIZE // 2)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(PREFIX_SIZE // 2)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user,
        name=name[:100],
        prefix=prefix,
        digest=digest(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_user(raw: str):
    """The active user behind a clear token, or None (unknown, revoked, expired, inactive)."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_START):
        return None
    prefix, _, secret = raw[len(TOKEN_START) :].partition("_")
    if len(prefix) != PREFIX_SIZE or not secret:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.active(now)
        .select_related("user")
        .filter(prefix=prefix, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, digest(raw)):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
