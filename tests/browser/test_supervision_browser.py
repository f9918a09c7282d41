"""The project team asks the pilot ARS to move its cooperation; the pilot ARS accepts; the
change is in the log (issue 14, item 2)."""

from playwright.sync_api import expect

from tests.territories.factories import departement


def test_team_asks_and_the_pilot_ars_accepts_a_new_departement(
    world, page, browser, browser_login, live_server, screenshot
):
    url = f"{live_server.url}/cooperations/{world.coop_ara.pk}/supervision/"
    browser_login(page, world.referent_a)
    page.goto(f"{live_server.url}/cooperations/{world.coop_ara.pk}/")
    page.get_by_role("link", name="Supervision : demander un changement").click()
    expect(page.locator("h1")).to_have_text("Supervision de la coopération")
    jura = str(departement("39").pk)
    selected = page.locator("#id_departements").evaluate(
        "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    page.locator("#id_departements").select_option([*selected, jura])
    page.get_by_label("Motif").fill("Le CH de Lons-le-Saunier rejoint le projet.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande est transmise à l'ARS pilote.")).to_be_visible()
    expect(page.locator("#pending-request")).to_contain_text("L'ARS pilote n'a pas encore répondu.")
    screenshot(page, "supervision-request")

    agent_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    agent_page = agent_context.new_page()
    browser_login(agent_page, world.agent_ara)
    agent_page.goto(url)
    expect(agent_page.locator("#pending-request")).to_contain_text("Lons-le-Saunier")
    agent_page.get_by_label("Décision").select_option("accept")
    agent_page.get_by_role("button", name="Enregistrer la décision").click()
    expect(agent_page.get_by_text("La demande est acceptée")).to_be_visible()
    expect(agent_page.locator("#departements")).to_contain_text("Jura")
    expect(agent_page.locator("#supervision-log tbody tr").first).to_contain_text("Acceptée")
    screenshot(agent_page, "supervision-accepted")
    agent_context.close()
    assert set(world.coop_ara.departements.values_list("code", flat=True)) == {"01", "39", "71"}
