import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize(
    "username,sees,does_not_see",
    [
        ("admin", ["Imagerie partagée de l'Ain", "Biologie Haute-Garonne"], []),
        ("agent_ara", ["Imagerie partagée de l'Ain"], ["Biologie Haute-Garonne"]),
        ("agent_occ", ["Biologie Haute-Garonne"], ["Imagerie partagée de l'Ain"]),
        ("referent_a", ["Imagerie partagée de l'Ain"], ["Biologie Haute-Garonne"]),
        ("copil", ["Imagerie partagée de l'Ain"], ["Biologie Haute-Garonne"]),
        ("outsider", [], ["Imagerie partagée de l'Ain", "Biologie Haute-Garonne"]),
    ],
)
def test_each_role_logs_in_and_sees_only_its_scope(
    world, page, browser_login, live_server, screenshot, username, sees, does_not_see
):
    user = world.users()[username]
    browser_login(page, user)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Coopérations"
    ).click()
    page.wait_for_url(f"{live_server.url}/cooperations/")
    body = page.locator("main").inner_text()
    for title in sees:
        assert title in body
    for title in does_not_see:
        assert title not in body
    screenshot(page, f"foundation-portfolio-{username}")


def test_director_creates_a_cooperation_and_sees_its_history(
    world, page, browser_login, live_server, screenshot
):
    browser_login(page, world.agent_ara)
    page.goto(f"{live_server.url}/cooperations/nouvelle/")
    page.get_by_label("Intitulé").fill("Stérilisation commune Bourg-Oyonnax")
    page.get_by_label("Départements concernés").select_option(label="01 – Ain")
    page.get_by_label("Date de lancement").fill("2026-03-01")
    page.get_by_label("Date de décision").fill("2026-01-01")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text(
        "La date de décision ne peut pas précéder la date de lancement."
    )
    # The user's input is kept after the error.
    assert page.get_by_label("Intitulé").input_value() == "Stérilisation commune Bourg-Oyonnax"
    screenshot(page, "foundation-create-error")
    page.get_by_label("Date de décision").fill("2026-04-01")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=La coopération a été créée.")
    page.get_by_role("link", name="Modifier").first.click()
    page.get_by_label("Objectifs", exact=True).fill("Une seule stérilisation pour deux sites.")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Les modifications ont été enregistrées.")
    history = page.locator("#historique + ul").inner_text()
    assert "Objectifs" in history and "Une seule stérilisation pour deux sites." in history
    screenshot(page, "foundation-detail-history")
