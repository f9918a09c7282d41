"""The main journey with the keyboard alone: Tab to reach, Enter/Space to act, typing to fill.

create a cooperation → submit KIT 1 step 1 → the ARS agent validates it → a status report.
`tab_to` fails if an element cannot be reached with Tab within a bounded number of presses.
"""

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from demo.fiches import DEMO_PDF

MAX_TABS = 200


def tab_to(page, locator):
    target = locator.first
    target.wait_for(state="attached")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return target
    raise AssertionError(f"Élément inaccessible au clavier : {locator}")


def follow(page, name):
    tab_to(page, page.get_by_role("link", name=name))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def press_button(page, name):
    tab_to(page, page.get_by_role("button", name=name))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def open_file_chooser(page, locator):
    """Space on the focused file input opens the chooser. On a loaded machine Chromium
    sometimes drops that first activation: try again (Space, then Enter), still by keyboard."""
    for key in ("Space", "Enter", "Space"):
        target = locator.first
        if not target.evaluate("el => el === document.activeElement"):
            tab_to(page, locator)
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                page.keyboard.press(key)
        except PlaywrightTimeoutError:
            continue
        return chooser.value
    raise AssertionError("Le sélecteur de fichier ne s'ouvre pas au clavier.")


def type_into(page, label, text):
    tab_to(page, page.get_by_label(label))
    page.keyboard.type(text)


def keyboard_login(page, live_server, user, password):
    page.goto(f"{live_server.url}/connexion/")
    type_into(page, "Identifiant", user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def test_create_submit_validate_report_with_the_keyboard_only(
    world, page, live_server, password, screenshot
):
    director, agent = world.referent_a, world.agent_ara

    # 1. The director creates a cooperation.
    keyboard_login(page, live_server, director, password)
    follow(page, "Coopérations")
    follow(page, "Nouvelle coopération")
    type_into(page, "Intitulé", "Astreinte de radiologie partagée")
    tab_to(page, page.get_by_label("ARS pilote"))
    page.keyboard.type("ARS Auv")
    tab_to(page, page.get_by_label("Départements concernés"))
    page.keyboard.type("01")
    press_button(page, "Enregistrer")
    page.wait_for_selector("text=La coopération a été créée.")
    assert "Astreinte de radiologie partagée" in page.locator("h1").inner_text()

    # 2. KIT 1, step 1: answers typed, the synthesis uploaded, the step submitted.
    follow(page, "Fiches repères (KIT 1)")
    follow(page, "Diagnostic territorial partagé")
    type_into(
        page, re.compile("Quels besoins de la population"), "Pas de radiologue de garde la nuit."
    )
    type_into(
        page, re.compile("Comment l'offre actuelle"), "Trois sites, deux radiologues, aucune garde."
    )
    press_button(page, "Enregistrer le brouillon")
    page.wait_for_selector("text=Vos réponses sont enregistrées (brouillon).")
    chooser = open_file_chooser(page, page.get_by_label("Fichier"))
    chooser.set_files({"name": "synthese.pdf", "mimeType": "application/pdf", "buffer": DEMO_PDF})
    press_button(page, "Déposer le document")
    page.wait_for_selector("text=« synthese.pdf » est déposé (version 1).")
    press_button(page, "Enregistrer et soumettre à l'ARS")
    page.wait_for_selector("text=L'étape est soumise à l'ARS pour validation.")
    press_button(page, "Se déconnecter")

    # 3. The ARS agent validates it from the home page queue.
    keyboard_login(page, live_server, agent, password)
    follow(page, re.compile("Étape 1 — Diagnostic territorial partagé"))
    type_into(page, "Commentaire (facultatif)", "Diagnostic clair, validé.")
    press_button(page, "Valider l'étape")
    page.wait_for_selector("text=L'étape 1 est validée.")
    press_button(page, "Se déconnecter")

    # 4. The director establishes the period's status report (KIT 3).
    keyboard_login(page, live_server, director, password)
    follow(page, "Coopérations")
    follow(page, "Astreinte de radiologie partagée")
    follow(page, "Suivi de projet (KIT 3)")
    follow(page, "Rapports d'avancement")
    follow(page, "Établir le rapport de la période")
    type_into(page, "Principales réalisations de la période", "Diagnostic validé par l'ARS.")
    press_button(page, "Établir le rapport et figer les chiffres")
    page.wait_for_selector("text=Diagnostic validé par l'ARS.")
    screenshot(page, "keyboard-only-report")
