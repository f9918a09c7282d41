"""A COPIL guest goes from the convention page to the full journal and pages through it."""

from playwright.sync_api import expect

from tests.conventions.factories import convention_with_log


def test_guest_reads_the_full_journal_page_by_page(
    world, page, browser_login, live_server, screenshot
):
    convention_with_log(world, 59, label="Régénération n°")
    browser_login(page, world.copil)
    page.goto(f"{live_server.url}/conventions/{world.coop_ara.pk}/")
    link = page.get_by_role("link", name="Voir tout le journal (60 entrées)")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("h1")).to_have_text("Journal de la convention")
    expect(page.locator("#journal tbody tr")).to_have_count(50)
    expect(page.locator("#journal tbody tr").first).to_contain_text("Régénération n° 59")
    screenshot(page, "conventions-journal")
    page.get_by_role("link", name="Page suivante").click()
    expect(page.locator("#journal tbody tr")).to_have_count(10)
    expect(page.locator("#journal tbody tr").last).to_contain_text("Première génération")
    screenshot(page, "conventions-journal-page-2")
