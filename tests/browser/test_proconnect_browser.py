"""ProConnect in a real browser: KitCoop (live server) and the local OpenID provider."""

import copy

from tests.accounts.factories import UserFactory
from tests.oidc_provider.harness import IDENTITIES


def test_sign_in_and_out_through_the_provider(page, live_server, proconnect, settings, screenshot):
    # The sign-out form ends at the provider: CSP form-action allows its origin (base.py
    # derives it from PROCONNECT_ISSUER at start-up; here the issuer is set at run time).
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(f"http://127.0.0.1:{proconnect.port}")
    settings.CONTENT_SECURITY_POLICY = policy
    proconnect.allow(
        f"{live_server.url}/proconnect/retour/", f"{live_server.url}/proconnect/deconnexion/"
    )
    identity = IDENTITIES["camille.agent"]
    user = UserFactory(
        username="camille", email=identity["email"].lower(), first_name="Camille", last_name="Agent",
        ars_agent=True,
    )  # fmt: skip

    page.goto(f"{live_server.url}/connexion/")
    screenshot(page, "proconnect-01-login-page")
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    page.wait_for_url(f"http://127.0.0.1:{proconnect.port}/**")
    page.get_by_label("Identifiant du fournisseur").fill("camille.agent")
    page.get_by_label("Mot de passe du fournisseur").fill(identity["password"])
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}/")
    header = page.locator("#current-user").inner_text()
    assert "Camille Agent" in header and "Agent d'ARS" in header
    screenshot(page, "proconnect-02-signed-in")

    page.get_by_role("link", name="Mon compte").click()
    assert page.locator("#proconnect-identity").inner_text().count(identity["siret"]) == 1

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/connexion/")
    assert "Vous êtes déconnecté de KitCoop et de ProConnect." in page.content()
    screenshot(page, "proconnect-03-signed-out")
    user.refresh_from_db()
    assert user.role == "agent_ars"
