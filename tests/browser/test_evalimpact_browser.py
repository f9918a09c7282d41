import re
from datetime import date
from pathlib import Path

from playwright.sync_api import expect

from evalimpact.models import Answer, Evaluation, Indicator, SummaryPdf
from evalimpact.services import evaluations as services
from tests.evalimpact.factories import answer_all


def _imaging_evaluation(world):
    """A potential-impact evaluation of ARA's cooperation for imaging, by its team member."""
    return services.evaluation_create(
        cooperation=world.coop_ara,
        user=world.referent_a,
        kind="potential",
        evaluated_on=date(2026, 1, 10),
        activity="imagerie",
    )


def test_director_fills_an_effective_evaluation_and_reads_the_radar(
    world, page, browser_login, live_server, screenshot
):
    # A final potential evaluation already exists (made before the project).
    potential = services.evaluation_create(
        cooperation=world.coop_ara,
        user=world.agent_ara,
        kind="potential",
        evaluated_on=date(2026, 1, 10),
    )
    answer_all(potential)
    services.evaluation_finalize(evaluation=potential, user=None, version=potential.version)

    browser_login(page, world.referent_a)
    page.goto(f"{live_server.url}/cooperations/{world.coop_ara.pk}/")
    page.get_by_role("navigation", name="Outils de la coopération").get_by_role(
        "link", name="Eval'Impact"
    ).click()
    page.get_by_role("link", name="Nouvelle évaluation").click()
    page.get_by_label("Type d'évaluation").select_option("effective")
    page.get_by_label("Activité évaluée").select_option("imagerie")
    page.get_by_label("Date de l'évaluation").fill("2026-10-01")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=L'évaluation est créée.")

    effective = Evaluation.objects.get(cooperation=world.coop_ara, kind="effective")
    codes = {i.code: i.pk for i in Indicator.objects.filter(version=effective.catalogue)}
    # A percentage above 100 is refused, the rest of the input is kept.
    page.locator(f"#id_a-{codes['F4']}-0-baseline").fill("12")
    page.locator(f"#id_a-{codes['F4']}-0-value").fill("120")
    page.locator(f"#id_a-{codes['F2']}-0-baseline").fill("40")
    page.locator(f"#id_a-{codes['F2']}-0-value").fill("30")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    # expect() retries: the click starts a navigation that may not have rendered yet.
    expect(page.locator("main")).to_contain_text("Un pourcentage doit être compris entre 0 et 100.")
    assert page.locator(f"#id_a-{codes['F2']}-0-value").input_value() == "30"
    screenshot(page, "evalimpact-edit-error")
    page.locator(f"#id_a-{codes['F4']}-0-value").fill("10,5")
    page.locator(f"#id_a-{codes['F5']}-0-level").select_option("2")
    page.locator(f"#id_a-{codes['F5']}-0-justification").fill("Deux protocoles communs signés.")
    page.get_by_role("button", name="Enregistrer et passer à l'axe 2").click()
    expect(page.locator(f"#id_a-{codes['Q1']}-0-level")).to_be_visible()
    page.locator(f"#id_a-{codes['Q1']}-0-level").select_option("4")
    page.locator(f"#id_a-{codes['Q1']}-0-justification").fill(
        "Procédures communes en usage partout."
    )
    page.get_by_role("button", name="Enregistrer et passer à l'axe 3").click()
    page.locator(f"label[for=id_a-{codes['T7']}-0-not_applicable]").click()
    page.locator(f"#id_a-{codes['T7']}-0-not_applicable_reason").fill("Pas d'instance commune.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_selector("text=Les réponses sont enregistrées")
    # Trying to finalise with missing answers: one red alert, and the list with its links.
    page.get_by_role("button", name="Enregistrer et rendre définitive").click()
    expect(page.locator(".fr-alert--error")).to_have_count(1)
    expect(page.locator(".fr-alert--success")).to_have_count(0)
    missing = page.locator("#missing-answers")
    expect(missing).to_contain_text("F1 — Part de marché des membres")
    missing.get_by_text("Voir la liste").click()  # a long list is folded
    missing.get_by_role("link", name=re.compile("E1 — Coût unitaire")).first.click()
    expect(page.locator(f"#id_a-{codes['E1']}-0-baseline")).to_be_visible()

    page.goto(f"{live_server.url}/evalimpact/cooperation/{world.coop_ara.pk}/")
    table = page.locator("#radar-table").inner_text()
    # Axis 1 effective, on each indicator's thresholds: F2 −25 % days → 3,
    # F4 12 → 10,5 % (−12,5 %) → 3, F5 → 2: 8/3 × 25 = 66,7
    assert "66,7" in table
    alt = page.locator("#radar").get_attribute("alt")
    assert "Impact effectif (01/10/2026) : Filières de soins 66,7" in alt
    assert page.locator("#radar").evaluate("img => img.naturalWidth") > 0
    screenshot(page, "evalimpact-radar")

    # The one-page summary: asked for, produced by Celery, followed, downloaded.
    page.get_by_role("button", name="Générer la synthèse PDF").click()
    expect(page.locator("#summary-progress")).to_contain_text("Synthèse prête")
    expect(page.locator("#summary-news")).to_have_attribute("role", "status")
    screenshot(page, "evalimpact-summary-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la synthèse (PDF)").click()
    assert download.value.suggested_filename.startswith(f"evalimpact-synthese-{world.coop_ara.pk}-")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    assert SummaryPdf.objects.get().requested_by == world.referent_a
    page.get_by_role("link", name="Retour à Eval'Impact").click()
    expect(page.locator("#last-summary")).to_contain_text("Dernière synthèse PDF")

    page.get_by_role("link", name="Impact effectif du 01/10/2026").click()
    expect(page.locator("main")).to_contain_text(
        "Axe 1 — Structurer les filières de soins : 66,7 / 100"
    )
    screenshot(page, "evalimpact-detail")


def test_answers_typed_are_saved_in_the_background_and_kept_after_a_reload(
    world, page, browser_login, live_server, screenshot
):
    """Fill part of an evaluation, on a phone, without clicking any button; reload: every
    answer is still there (autosave, as on KIT 1's steps), and the page never scrolls
    sideways at 375 px."""
    evaluation = _imaging_evaluation(world)
    codes = {i.code: i.pk for i in Indicator.objects.filter(version=evaluation.catalogue)}
    page.set_viewport_size({"width": 375, "height": 800})
    browser_login(page, world.referent_a)
    url = f"{live_server.url}/evalimpact/evaluation/{evaluation.pk}/saisie/"
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    typed = {
        f"#id_a-{codes['F2']}-0-baseline": "42",
        f"#id_a-{codes['F2']}-0-value": "15,1",
        f"#id_a-{codes['F3']}-0-value": "200",
        f"#id_a-{codes['F5']}-0-justification": "Protocoles d'imagerie partagés à écrire.",
    }
    for selector, text in typed.items():
        page.locator(selector).fill(text)
    page.locator(f"#id_a-{codes['F5']}-0-level").select_option("2")
    page.locator(f"#id_a-{codes['F2']}-0-baseline").focus()  # leaves the last field: change
    expect(page.locator("#autosave-status")).to_contain_text("Brouillon enregistré automatiquement")
    screenshot(page, "evalimpact-edit-phone")

    def saved() -> bool:
        answers = {a.indicator.code: a for a in Answer.objects.filter(evaluation=evaluation)}
        return "F5" in answers and answers["F5"].level == 2 and "F3" in answers

    for _ in range(200):  # the last debounced autosave may still be on its way
        if saved():
            break
        page.wait_for_timeout(50)
    page.reload()
    for selector, text in typed.items():
        assert page.locator(selector).input_value() == text, selector
    assert page.locator(f"#id_a-{codes['F5']}-0-level").input_value() == "2"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The save bar stays in view at the bottom of the screen.
    bar = page.locator(".kc-sticky-bar").bounding_box()
    assert bar is not None and bar["y"] + bar["height"] <= 800 + 1


def test_a_field_reached_with_tab_is_never_hidden_under_the_save_bar(
    world, page, browser_login, live_server
):
    """Keyboard only on the entry page: every field the Tab key reaches is scrolled into
    view above the sticky save bar (WCAG 2.4.11, focus not obscured), not left underneath
    it where the user cannot see what is typed, on a desktop and on a phone, where the bar
    wraps to two rows."""
    evaluation = _imaging_evaluation(world)
    browser_login(page, world.referent_a)
    hidden = []
    for width, height in ((1280, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/evalimpact/evaluation/{evaluation.pk}/saisie/")
        for _ in range(60):
            page.keyboard.press("Tab")
            state = page.evaluate(
                """() => {
                  const field = document.activeElement;
                  if (!field.closest('main') || field.closest('.kc-sticky-bar')) return null;
                  const box = field.getBoundingClientRect();
                  const bar = document.querySelector('.kc-sticky-bar').getBoundingClientRect();
                  return box.bottom > bar.top + 1 ? field.name || field.id : null;
                }"""
            )
            if state:
                hidden.append((width, state))
    assert hidden == []


def test_the_not_applicable_label_is_whole_on_a_laptop_screen(
    world, page, browser_login, live_server
):
    """At 1280 px, « Non applicable » stays on one line inside its column: in a one-twelfth
    column it overflowed onto the next field and was cut."""
    evaluation = _imaging_evaluation(world)
    browser_login(page, world.referent_a)
    page.goto(f"{live_server.url}/evalimpact/evaluation/{evaluation.pk}/saisie/")
    labels = page.evaluate(
        """() => [...document.querySelectorAll('.kc-indicator .fr-checkbox-group label')]
          .map(label => {
            const column = label.closest('[class*="fr-col-md-"]');
            const inner = column.getBoundingClientRect().right
              - parseFloat(getComputedStyle(column).paddingRight);
            const text = document.createRange();
            text.selectNodeContents(label.firstChild);
            return {
              text: label.firstChild.textContent.trim(),
              lines: new Set([...text.getClientRects()].map(r => Math.round(r.top))).size,
              fits: text.getBoundingClientRect().right <= inner + 0.5,
            };
          })"""
    )
    assert labels and {label["text"] for label in labels} == {"Non applicable"}
    assert all(label["lines"] == 1 and label["fits"] for label in labels), labels
