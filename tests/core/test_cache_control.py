"""Sensitive pages and downloads are never kept by a browser or proxy cache; password
reset requests are rate-limited per address and per IP."""

from django.core import mail
from django.urls import reverse

from tests.accounts.factories import UserFactory


def test_signed_in_pages_are_sent_with_no_store(world, login):
    client = login(world.referent_a)
    for url in ("/", f"/cooperations/{world.coop_ara.pk}/", f"/suivi/{world.coop_ara.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_downloads_are_sent_with_no_store(world, login):
    client = login(world.referent_a)
    response = client.get(f"/suivi/{world.coop_ara.pk}/export/livrables.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]


def test_public_pages_stay_cacheable(client):
    response = client.get("/accessibilite/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_password_reset_is_rate_limited_per_address(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    UserFactory(username="oubli", email="oubli@test.kitcoop.local")
    for _ in range(3):
        response = client.post(reverse("password_reset"), {"email": "Oubli@test.kitcoop.local"})
        assert response.status_code == 302
    response = client.post(reverse("password_reset"), {"email": "oubli@test.kitcoop.local"})
    assert response.status_code == 429
    assert "Trop de demandes de réinitialisation" in response.content.decode()
    assert len(mail.outbox) == 3
    # Another address from the same place is still served.
    UserFactory(username="autre", email="autre@test.kitcoop.local")
    assert (
        client.post(reverse("password_reset"), {"email": "autre@test.kitcoop.local"}).status_code
        == 302
    )


def test_password_reset_is_rate_limited_per_ip(client, settings, db):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 5
    for n in range(5):
        response = client.post(reverse("password_reset"), {"email": f"a{n}@exemple.fr"})
        assert response.status_code == 302
    response = client.post(reverse("password_reset"), {"email": "a9@exemple.fr"})
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    # From another IP the same address goes through.
    other = client.post(
        reverse("password_reset"), {"email": "a9@exemple.fr"}, REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 302
