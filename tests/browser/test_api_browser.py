"""The account page's API tokens and the API documentation page, in a real browser."""


def test_token_then_documentation_with_a_live_call(
    page, live_server, world, browser_login, screenshot
):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_login(page, world.referent_a)
    page.get_by_role("link", name="Mon compte").click()
    page.get_by_label("Nom du jeton").fill("Tableau de bord régional")
    page.get_by_label("Durée de validité").select_option("30")
    page.get_by_role("button", name="Créer le jeton").click()
    token = page.locator("#new-token-value").input_value()
    assert token.startswith("kc_")
    screenshot(page, "api-01-token-created")
    page.reload()
    assert page.locator("#new-token-value").count() == 0
    assert "Tableau de bord régional" in page.locator("#tokens-table").inner_text()

    page.get_by_role("link", name="documentation").click()
    page.wait_for_url(f"{live_server.url}/api/v1/docs/")
    # The reference, in DSFR HTML: the summary leads to an operation and its parameters.
    page.get_by_role("link", name="Coopérations visibles").click()
    operation = page.locator("#cooperations_list")
    assert "/api/v1/cooperations/" in operation.inner_text()
    assert "legal_form" in operation.get_by_role("region").first.inner_text()
    screenshot(page, "api-02-docs")
    page.get_by_role("link", name="Console d'essai").click()
    page.wait_for_url(f"{live_server.url}/api/v1/console/")
    page.get_by_text("/api/v1/cooperations/", exact=True).first.wait_for()
    # "Try it out" on the list: the session of this same origin is accepted.
    page.locator("#operations-Coopérations-cooperations_list").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    body = page.locator(".live-responses-table .response-col_description pre").first
    body.wait_for()
    assert world.coop_ara.title in body.inner_text()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    screenshot(page, "api-03-docs-try-it-out")
