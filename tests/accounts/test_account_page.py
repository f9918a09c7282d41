"""The account page: API tokens created (shown once, hashed at rest) and revoked."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_only_its_digest_is_stored(world, login):
    client = login(world.referent_a)
    response = client.post(reverse("accounts:profile"), {"name": "Tableau régional", "days": "90"})
    assert response.status_code == 302
    page = client.get(reverse("accounts:profile")).content.decode()
    token = ApiToken.objects.get(user=world.referent_a)
    start = page.index('id="new-token-value"')
    raw = page[start:].split('value="', 1)[1].split('"', 1)[0]
    assert raw.startswith(f"kc_{token.prefix}_") and len(raw) > 40
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values_list().get(pk=token.pk))
    assert abs((token.expires_at - timezone.now()) - timedelta(days=90)) < timedelta(minutes=1)
    # Shown once: a reload lists the token by its prefix only.
    again = client.get(reverse("accounts:profile")).content.decode()
    assert raw not in again and f"kc_{token.prefix}_…" in again and "Tableau régional" in again


def test_token_form_errors_are_french_and_keep_the_input(world, login):
    client = login(world.referent_a)
    response = client.post(reverse("accounts:profile"), {"name": "  ", "days": "999"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it(world, login):
    token, raw = tokens.api_token_create(user=world.referent_a, name="Outil", days=30)
    assert tokens.token_user(raw) == world.referent_a
    client = login(world.referent_a)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at and token.status == "Révoqué"
    assert tokens.token_user(raw) is None


def test_expired_wrong_and_foreign_tokens_are_refused(world):
    token, raw = tokens.api_token_create(user=world.referent_a, name="Outil", days=30)
    assert tokens.token_user(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert tokens.token_user("kc_00000000_" + raw.split("_", 2)[2]) is None
    assert tokens.token_user("n'importe quoi") is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tokens.token_user(raw) is None
    token2, raw2 = tokens.api_token_create(user=world.referent_a, name="Autre", days=30)
    world.referent_a.is_active = False
    world.referent_a.save()
    assert tokens.token_user(raw2) is None


def test_at_most_ten_active_tokens(world):
    for n in range(tokens.MAX_ACTIVE_TOKENS):
        tokens.api_token_create(user=world.agent_ara, name=f"Jeton {n}", days=30)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="révoquez-en un"):
        tokens.api_token_create(user=world.agent_ara, name="Un de trop", days=30)
