from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.suivi.factories import ActivityFactory, DeliverableFactory, RiskFactory


def _project(world):
    today = timezone.localdate()
    activity = ActivityFactory(
        cooperation=world.coop_ara, title="Plateau d'imagerie partagé", lead_name="Dr Jeanne Martin"
    )
    DeliverableFactory(
        activity=activity,
        title="Étude de besoins",
        planned_on=today - timedelta(days=60),
        done_on=today - timedelta(days=62),
        progress=100,
    )
    DeliverableFactory(
        activity=activity,
        title="Dossier d'autorisation IRM",
        planned_on=today - timedelta(days=20),
        revised_on=today + timedelta(days=25),
        progress=50,
        weight=2,
    )
    DeliverableFactory(
        activity=activity,
        title="Mise en service",
        kind="jalon",
        planned_on=today + timedelta(days=90),
    )
    DeliverableFactory(
        activity=activity, title="Tableau de garde commun", planned_on=today - timedelta(days=10)
    )
    RiskFactory(
        cooperation=world.coop_ara, title="Blindage livré en retard", probability=3, impact=4
    )
    RiskFactory(cooperation=world.coop_ara, title="Départ d'un radiologue", probability=2, impact=2)
    return activity


def test_team_follows_the_project_and_generates_the_copil_pack(
    world, page, browser_login, live_server, screenshot
):
    activity = _project(world)
    browser_login(page, world.referent_a)
    # Home: the late deliverable is listed for its team.
    late = page.locator("#home-late").inner_text()
    assert "Tableau de garde commun" in late and "dépassée de 10 j" in late
    assert "Dossier d'autorisation IRM" not in late
    screenshot(page, "suivi-home-widget")
    page.goto(f"{live_server.url}/cooperations/{world.coop_ara.pk}/")
    assert "Suivi de projet (KIT 3)" in page.locator("main").inner_text()
    screenshot(page, "suivi-cooperation-summary")
    page.goto(f"{live_server.url}/suivi/{world.coop_ara.pk}/")
    assert page.locator("#global-progress").inner_text() == "40 %"  # (100 + 50×2 + 0 + 0) / 5
    assert page.locator("#project-rag").text_content().strip() == "En retard"
    assert page.locator("svg[role=img] .gantt-planned").count() == 4
    assert page.locator("svg[role=img] .gantt-revised").count() == 1
    screenshot(page, "suivi-tracker")
    # A table wider than the screen scrolls inside its frame: the page itself never does
    # (the "Modifier" links' hidden text used to escape the frame and widen the page).
    page.set_viewport_size({"width": 700, "height": 900})
    assert page.evaluate("document.querySelector('#deliverables').scrollWidth") > 700
    assert page.evaluate("document.documentElement.scrollWidth") <= 700
    page.set_viewport_size({"width": 1280, "height": 900})

    # Keyboard: the table alternative of the Gantt opens with Enter.
    page.get_by_role("button", name="Voir le diagramme sous forme de tableau").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#gantt-table table", state="visible")

    page.goto(f"{live_server.url}/suivi/chantiers/{activity.pk}/")
    assert "Dr Jeanne Martin" in page.locator("main").inner_text()
    screenshot(page, "suivi-activity-sheet")
    page.goto(f"{live_server.url}/suivi/chantiers/{activity.pk}/livrables/nouveau/")
    page.get_by_label("Intitulé").fill("Convention de téléradiologie")
    page.get_by_label("Date prévisionnelle planifiée").fill("2026-12-01")
    page.get_by_label("Avancement (%)").fill("120")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("L'avancement est un pourcentage entre 0 et 100.")
    assert page.get_by_label("Intitulé").input_value() == "Convention de téléradiologie"
    screenshot(page, "suivi-deliverable-error")

    page.goto(f"{live_server.url}/suivi/{world.coop_ara.pk}/risques/")
    assert "Blindage livré en retard" in page.locator("#risk-matrix").inner_text()
    screenshot(page, "suivi-risks")

    page.goto(f"{live_server.url}/suivi/{world.coop_ara.pk}/copil/")
    page.get_by_role("button", name="Générer le dossier COPIL").click()
    page.wait_for_selector("#copil-download", timeout=60000)
    screenshot(page, "suivi-copil-ready")
    with page.expect_download() as download_info:
        page.locator("#copil-download").click()
    assert download_info.value.suggested_filename.endswith(".pdf")


def test_settings_threshold_changes_the_rag_and_a_stale_tab_is_warned(
    world, page, browser_login, live_server, screenshot
):
    today = timezone.localdate()
    DeliverableFactory(
        activity=ActivityFactory(cooperation=world.coop_ara, title="Téléradiologie"),
        title="Convention de téléradiologie",
        planned_on=today + timedelta(days=10),
        revised_on=today + timedelta(days=30),  # 20 days of slippage
    )
    browser_login(page, world.referent_a)
    tracker = f"{live_server.url}/suivi/{world.coop_ara.pk}/"
    page.goto(tracker)
    expect(page.locator("#project-rag")).to_have_text("À risque")
    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/suivi/{world.coop_ara.pk}/parametres/")
    page.get_by_role("link", name="Modifier le seuil « à risque »").click()
    page.get_by_label("Seuil « à risque » (jours de glissement)").fill("15")
    screenshot(page, "suivi-settings")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("body")).to_contain_text("Les paramètres du suivi sont enregistrés.")
    expect(page.locator("#rag-rule")).to_contain_text("de 1 à 15 jours")
    expect(page.locator("#project-rag")).to_have_text("En retard")
    screenshot(page, "suivi-settings-saved")
    # The tab opened before the change is told, and keeps what was typed there.
    other_tab.get_by_label("Seuil « à risque » (jours de glissement)").fill("60")
    other_tab.get_by_role("button", name="Enregistrer").click()
    expect(other_tab.locator("main")).to_contain_text("Quelqu'un d'autre a enregistré")
    expect(other_tab.get_by_label("Seuil « à risque » (jours de glissement)")).to_have_value("60")
    screenshot(other_tab, "suivi-settings-stale")
