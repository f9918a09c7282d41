import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_the_dsfr_form_and_french_errors(client, password):
    user = UserFactory(username="camille")
    page = client.get(reverse("login")).content.decode()
    assert 'for="id_username"' in page and "Identifiant" in page
    bad = client.post(reverse("login"), {"username": "camille", "password": "faux"})
    assert "Identifiant ou mot de passe incorrect" in bad.content.decode()
    good = client.post(reverse("login"), {"username": "camille", "password": password})
    assert good.status_code == 302 and good["Location"] == "/"
    assert client.get("/").context["user"] == user


def test_login_is_throttled_after_repeated_failures(client, settings):
    UserFactory(username="cible")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "cible", "password": "mauvais"})
    locked = client.post(reverse("login"), {"username": "cible", "password": "mauvais"})
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion" in locked.content.decode()


def test_only_national_admins_reach_the_django_admin(client, world):
    for user in (world.agent_ara, world.referent_a, world.copil):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert not user.is_staff
    client.force_login(world.admin, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/cooperations/cooperation/").status_code == 200


def test_an_ars_agent_needs_an_ars(world):
    from django.core.exceptions import ValidationError

    world.agent_ara.ars = None
    with pytest.raises(ValidationError, match="doit être rattaché à une ARS"):
        world.agent_ara.full_clean()


def test_password_reset_sends_a_french_email(client):
    UserFactory(username="oubli", email="oubli@test.kitcoop.local")
    response = client.post(reverse("password_reset"), {"email": "oubli@test.kitcoop.local"})
    assert response.status_code == 302
    assert mail.outbox[0].subject == "KitCoop : réinitialisation de votre mot de passe"
    assert "/mot-de-passe/reinitialiser/" in mail.outbox[0].body


def test_pages_require_login_and_public_pages_do_not(client):
    assert client.get("/").status_code == 302
    for url in (
        "/healthz",
        "/accessibilite/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/connexion/",
    ):
        assert client.get(url).status_code == 200, url
    statement = client.get("/accessibilite/").content.decode()
    assert "partiellement conforme" in statement and "RGAA" in statement
