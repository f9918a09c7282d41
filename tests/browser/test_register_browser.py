"""The establishment picker with the keyboard only, and the register pages in a browser."""

from django.urls import reverse

from tests.browser.a11y import axe_violations
from tests.territories.factories import EstablishmentFactory, LegalEntityFactory


def test_a_member_is_found_and_added_with_the_keyboard_only(
    world, page, browser_login, live_server, screenshot
):
    entity = LegalEntityFactory(name="CENTRE HOSPITALIER DE BELLEY", legal_status_code="13")
    site = EstablishmentFactory(
        legal_entity=entity,
        name="CH DE BELLEY",
        commune="BELLEY",
        long_name="CENTRE HOSPITALIER DE BELLEY",
    )
    EstablishmentFactory(name="CH DE BELLEGARDE", commune="BELLEGARDE-SUR-VALSERINE")
    browser_login(page, world.referent_a)
    page.goto(live_server.url + reverse("cooperations:member_add", args=[world.coop_ara.pk]))
    page.focus("#id_finess")
    page.keyboard.type("belley", delay=60)
    # Wait for a real suggestion: under load the answer to a shorter prefix typed on the way
    # ("be": « Aucun établissement… », a disabled option) may be on screen first.
    page.wait_for_selector("#id_finess-listbox li[role=option]:not([aria-disabled=true])")
    assert page.get_attribute("#id_finess", "aria-expanded") == "true"
    assert "suggestion" in page.inner_text("#id_finess-status")
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#id_finess", "aria-activedescendant")
    assert active and page.get_attribute(f"#{active}", "aria-selected") == "true"
    screenshot(page, "register-picker-keyboard")
    page.keyboard.press("Enter")
    assert page.input_value("#id_finess") == site.finess
    assert page.get_attribute("#id_finess", "aria-expanded") == "false"
    # Tab to the submit button and press it, still without a mouse.
    page.keyboard.press("Tab")  # role
    page.keyboard.press("Tab")  # date
    page.keyboard.press("Tab")  # submit
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{world.coop_ara.get_absolute_url()}")
    assert world.coop_ara.memberships.filter(establishment=site).exists()


def test_the_picker_page_has_no_axe_violation_with_suggestions_open(
    world, a11y_page, browser_login, live_server
):
    EstablishmentFactory(name="CH DE BELLEY", commune="BELLEY")
    browser_login(a11y_page, world.referent_a)
    a11y_page.goto(live_server.url + reverse("cooperations:member_add", args=[world.coop_ara.pk]))
    a11y_page.focus("#id_finess")
    a11y_page.keyboard.type("belley", delay=60)
    a11y_page.wait_for_selector("#id_finess-listbox li[role=option]:not([aria-disabled=true])")
    assert axe_violations(a11y_page) == []
