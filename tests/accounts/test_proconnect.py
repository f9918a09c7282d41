"""ProConnect sign-in end to end, against a real OpenID provider running locally.

KitCoop runs in the test client; the provider (django-oauth-toolkit, tests/oidc_provider)
runs in its own process. A `requests.Session` plays the browser at the provider; the
back-channel calls (discovery, token, JWKS, userinfo) go over HTTP as in production.
"""

from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.urls import reverse

from accounts.models import ProConnectIdentity, Role, User
from tests.accounts.factories import UserFactory
from tests.oidc_provider.harness import IDENTITIES

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/proconnect/retour/"
AGENT = IDENTITIES["camille.agent"]


def _start(client) -> str:
    response = client.get(reverse("proconnect:login"))
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def _at_provider(provider, authorize_url, username="camille.agent", browser=None):
    browser = browser or requests.Session()
    password = IDENTITIES[username]["password"]
    return provider.sign_in(browser, authorize_url, username, password, until="http://testserver/")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def _with_param(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _agent_account(**kwargs):
    # Stored in lower case: ProConnect sends "Camille.Agent@ARS.sante.gouv.fr".
    return UserFactory(username="camille", email=AGENT["email"].lower(), ars_agent=True, **kwargs)


def test_without_configuration_there_is_no_button_and_no_endpoint(client, settings):
    settings.PROCONNECT_ISSUER = ""
    settings.PROCONNECT_DISCOVERY_URL = ""
    page = client.get(reverse("login")).content.decode()
    assert "ProConnect" not in page
    assert client.get(reverse("proconnect:login")).status_code == 404
    assert client.get(reverse("proconnect:callback") + "?code=x&state=y").status_code == 404


def test_login_page_shows_the_proconnect_button(client, proconnect):
    page = client.get(reverse("login")).content.decode()
    assert 'class="fr-connect"' in page and "S’identifier avec" in page
    assert '<span class="fr-connect__brand">ProConnect</span>' in page
    assert "Qu’est-ce que ProConnect ?" in page
    # Local assets only: the button's look comes from the DSFR stylesheet served here.
    assert "cdn" not in page.lower()


def test_sign_in_matches_the_account_by_email_and_keeps_kitcoop_role(client, proconnect):
    user = _agent_account()
    before = User.objects.count()
    authorize = _start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(proconnect.issuer + "/authorize/")
    assert query["scope"] == ["openid email given_name usual_name siret idp_id"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert "code_challenge" not in query  # ProConnect refuses any extra parameter
    anonymous_session = client.cookies["sessionid"].value

    callback = _at_provider(proconnect, authorize)
    assert callback.startswith(CALLBACK)
    response = client.get(_path(callback))

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies["sessionid"].value != anonymous_session  # session rotated
    home = client.get("/")
    assert home.context["user"] == user
    assert client.session["oidc_id_token"]
    user.refresh_from_db()
    # The provider also sent role=admin_national and is_staff=true: ignored.
    assert user.role == Role.ARS_AGENT and not user.is_staff and user.ars.region_code == "84"
    identity = ProConnectIdentity.objects.get(user=user)
    assert identity.siret == AGENT["siret"] and identity.idp_id == AGENT["idp_id"]
    assert identity.usual_name == "Agent" and identity.email == AGENT["email"]
    assert User.objects.count() == before


def test_unknown_identity_gets_a_french_page_and_no_account(client, proconnect):
    UserFactory(email="quelquun.dautre@exemple.gouv.fr")
    before = User.objects.count()
    callback = _at_provider(proconnect, _start(client), username="inconnu")
    response = client.get(_path(callback))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Aucun compte KitCoop n'est rattaché à cette identité" in unescape(page)
    assert "personne.inconnue@exemple.gouv.fr" in page
    assert "administration nationale" in page and "administration@kitcoop.local" in page
    assert User.objects.count() == before
    assert not ProConnectIdentity.objects.exists()
    assert client.get("/").status_code == 302  # still signed out


def test_tampered_state_is_refused(client, proconnect):
    _agent_account()
    callback = _at_provider(proconnect, _start(client))
    forged = _with_param(callback, state="x" * 48)
    response = client.get(_path(forged))
    assert response.status_code == 400
    assert "Demande de connexion non reconnue" in response.content.decode()
    assert client.get("/").status_code == 302
    # The genuine state still works once (the forged one consumed nothing).
    assert client.get(_path(callback))["Location"] == "/"


def test_callback_without_a_pending_request_is_refused(client, proconnect):
    response = client.get(reverse("proconnect:callback") + "?code=abc&state=" + "s" * 48)
    assert response.status_code == 400
    assert "Demande de connexion non reconnue" in response.content.decode()


def test_expired_code_is_refused(client, proconnect):
    _agent_account()
    callback = _at_provider(proconnect, _start(client))
    assert proconnect.expire_codes() >= 1
    response = client.get(_path(callback))
    assert response.status_code == 400
    assert "Le code de connexion a expiré ou a déjà servi" in response.content.decode()
    assert client.get("/").status_code == 302


def test_reused_code_is_refused(client, proconnect, django_user_model):
    _agent_account()
    callback = _at_provider(proconnect, _start(client))
    assert client.get(_path(callback))["Location"] == "/"
    client.post(reverse("logout"))
    # A second callback with the same code and a new pending state: the code is spent.
    fresh = _start(client)
    replay = _with_param(callback, state=parse_qs(urlsplit(fresh).query)["state"][0])
    response = client.get(_path(replay))
    assert response.status_code == 400
    assert "a déjà servi" in response.content.decode()


def test_nonce_mismatch_is_refused(client, proconnect):
    _agent_account()
    authorize = _with_param(_start(client), nonce="n" * 48)
    response = client.get(_path(_at_provider(proconnect, authorize)))
    assert response.status_code == 400
    assert "n'a pas pu être vérifiée" in response.content.decode()
    assert client.get("/").status_code == 302


def test_inactive_account_is_refused(client, proconnect):
    _agent_account(is_active=False)
    response = client.get(_path(_at_provider(proconnect, _start(client))))
    assert response.status_code == 403
    assert "Votre compte KitCoop est désactivé" in response.content.decode()


def test_logout_ends_the_proconnect_session(client, proconnect):
    _agent_account()
    browser = requests.Session()
    client.get(_path(_at_provider(proconnect, _start(client), browser=browser)))
    id_token = client.session["oidc_id_token"]

    response = client.post(reverse("logout"))
    end_session = response["Location"]
    query = parse_qs(urlsplit(end_session).query)
    assert end_session.startswith(proconnect.issuer + "/logout/")
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/proconnect/deconnexion/"]
    assert len(query["state"][0]) >= 32
    assert client.get("/").status_code == 302  # signed out of KitCoop at once

    back = proconnect.sign_in(browser, end_session, "", "", until="http://testserver/")
    assert parse_qs(urlsplit(back).query)["state"] == query["state"]
    landing = client.get(_path(back), follow=True)
    assert "Vous êtes déconnecté de KitCoop et de ProConnect." in landing.content.decode()

    # The provider's session is over: a new sign-in asks for the password again.
    again = browser.get(_start(client), allow_redirects=True, timeout=15)
    assert 'name="password"' in again.text


def test_logged_out_page_with_a_wrong_state_warns(client, proconnect):
    response = client.get(reverse("proconnect:logged_out") + "?state=faux", follow=True)
    assert "n'a pas pu être confirmée" in response.content.decode()


def test_agents_must_use_proconnect_when_required(client, proconnect, settings, password):
    settings.PROCONNECT_REQUIRED_FOR_AGENTS = True
    _agent_account()
    UserFactory(username="directrice")
    refused = client.post(reverse("login"), {"username": "camille", "password": password})
    assert refused.status_code == 200
    assert "Les agents d'ARS se connectent à KitCoop avec ProConnect" in unescape(
        refused.content.decode()
    )
    assert client.get("/").status_code == 302
    # A wrong password says nothing about the account's role.
    wrong = client.post(reverse("login"), {"username": "camille", "password": "faux"})
    assert "ProConnect :" not in wrong.content.decode()
    # Directors keep their password; the agent gets in through ProConnect.
    ok = client.post(reverse("login"), {"username": "directrice", "password": password})
    assert ok.status_code == 302
    client.post(reverse("logout"))
    assert client.get(_path(_at_provider(proconnect, _start(client))))["Location"] == "/"


def test_admins_see_the_siret(client, proconnect, login):
    user = _agent_account()
    client.get(_path(_at_provider(proconnect, _start(client))))
    client.post(reverse("logout"))
    admin = UserFactory(national_admin=True)
    page = login(admin).get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert AGENT["siret"] in page and "SIRET transmis à la connexion" in page
    listing = client.get("/admin/accounts/proconnectidentity/").content.decode()
    assert AGENT["siret"] in listing


def test_provider_down_gives_a_french_page(client, settings):
    settings.PROCONNECT_ISSUER = "http://127.0.0.1:9/o"
    settings.PROCONNECT_CLIENT_ID = "x"
    response = client.get(reverse("proconnect:login"))
    assert response.status_code == 503
    assert "ProConnect ne répond pas" in response.content.decode()
