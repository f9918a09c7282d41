"""The background autosave of a step never races with the explicit save or submission.

An autosave bumps the step's version; the explicit save posts the version the page holds.
A click on « Enregistrer… » while an autosave is in flight, or about to start, must not
end in a false "someone else edited this" warning.
"""

import re

from playwright.sync_api import expect

from core.locking import STALE_MESSAGE
from fiches.models import Answer
from tests.fiches.helpers import steps_of

BESOINS = re.compile("Quels besoins de la population")
SAVED = "Vos réponses sont enregistrées (brouillon)."


def _is_autosave(request) -> bool:
    return request.method == "POST" and "hx-request" in request.headers


def _wait_for(page, condition, timeout_ms=10000):
    for _ in range(timeout_ms // 25):
        if condition():
            return
        page.wait_for_timeout(25)  # lets Playwright run the route handlers
    raise AssertionError("délai dépassé")


def test_a_save_clicked_while_an_autosave_is_in_flight_waits_for_it(
    world, page, browser_login, live_server
):
    step = steps_of(world.coop_ara)[1]
    url = f"{live_server.url}/kit1/etapes/{step.pk}/"
    held = []

    def hold_autosave_response(route):
        if _is_autosave(route.request):
            held.append((route, route.fetch()))  # the server saved; the browser still waits
        else:
            route.continue_()

    browser_login(page, world.referent_a)
    page.goto(url)
    page.route(url, hold_autosave_response)
    page.get_by_label(BESOINS).fill("Délais d'IRM de 60 jours.")
    page.keyboard.press("Tab")
    _wait_for(page, lambda: held)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    route, response = held[0]
    route.fulfill(response=response)

    expect(page.locator("main")).not_to_contain_text(STALE_MESSAGE[:40])
    expect(page.get_by_text(SAVED)).to_be_visible()
    assert page.get_by_label(BESOINS).input_value() == "Délais d'IRM de 60 jours."
    assert Answer.objects.get(step=step, question__code="besoins").value == (
        "Délais d'IRM de 60 jours."
    )


def test_no_autosave_starts_once_the_form_is_submitted(world, page, browser_login, live_server):
    step = steps_of(world.coop_ara)[1]
    url = f"{live_server.url}/kit1/etapes/{step.pk}/"
    autosaves, held = [], []

    def hold_explicit_save(route):
        if _is_autosave(route.request):
            autosaves.append(route.request)
            route.continue_()
        elif route.request.method == "POST":
            held.append(route)  # a slow server: the page stays while the save runs
        else:
            route.continue_()

    browser_login(page, world.referent_a)
    page.goto(url)
    page.route(url, hold_explicit_save)
    page.get_by_label(BESOINS).fill("Délais d'IRM de 60 jours.")
    # The click leaves the field (a change event: an autosave is due 800 ms later)
    # and submits the form at once.
    page.get_by_role("button", name="Enregistrer le brouillon").click(no_wait_after=True)
    _wait_for(page, lambda: held)
    page.wait_for_timeout(1500)  # longer than the autosave delay
    assert autosaves == []
    held[0].continue_()
    expect(page.get_by_text(SAVED)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(STALE_MESSAGE[:40])
