"""axe-core on every main page, for every role: a violation fails the test."""

import pytest
from django.urls import NoReverseMatch, reverse

from tests.browser.a11y import axe_violations

# (url name, args builder): the main page of each part, with the kits' objects of
# the permission matrix world (matrix_world) so that pages show real content.
MAIN_PAGES = [
    ("home", lambda w: []),
    ("cooperations:list", lambda w: []),
    ("cooperations:detail", lambda w: [w.coop_ara.pk]),
    ("cooperations:edit", lambda w: [w.coop_ara.pk]),
    ("cooperations:history", lambda w: [w.coop_ara.pk]),
    ("cooperations:create", lambda w: []),
    ("territories:search", lambda w: []),
    ("registre:establishment", lambda w: [w.et_a.finess]),
    ("registre:legal_entity", lambda w: [w.et_a.legal_entity.finess]),
    ("registre:ght_region", lambda w: []),
    ("cooperations:member_add", lambda w: [w.coop_ara.pk]),
    ("accessibility", lambda w: []),
    ("legal-notice", lambda w: []),
    ("personal-data", lambda w: []),
    ("accounts:profile", lambda w: []),
    ("api:docs", lambda w: []),
    ("fiches:stepper", lambda w: [w.coop_ara.pk]),
    ("fiches:step", lambda w: [w.step_open.pk]),
    ("fiches:step", lambda w: [w.step_submitted.pk]),
    ("fiches:queue", lambda w: []),
    ("fiches:kb_list", lambda w: []),
    ("notifications:list", lambda w: []),
    ("notifications:preferences", lambda w: []),
    ("cooperations:dashboard", lambda w: []),
    ("cooperations:objectives", lambda w: []),
    ("cooperations:ars_notes", lambda w: [w.coop_ara.pk]),
    ("conventions:detail", lambda w: [w.coop_ara.pk]),
    ("conventions:journal", lambda w: [w.coop_ara.pk]),
    ("conventions:data", lambda w: [w.coop_ara.pk]),
    ("conventions:version", lambda w: [w.coop_ara.pk, 1]),
    ("evalimpact:cooperation", lambda w: [w.coop_ara.pk]),
    ("evalimpact:detail", lambda w: [w.evaluation.pk]),
    ("evalimpact:edit", lambda w: [w.evaluation.pk]),
    ("evalimpact:compare", lambda w: []),
    ("evalimpact:summary", lambda w: [w.summary.pk]),
    ("suivi:tracker", lambda w: [w.coop_ara.pk]),
    ("suivi:activity_detail", lambda w: [w.activity.pk]),
    ("suivi:risk_list", lambda w: [w.coop_ara.pk]),
    ("suivi:report_list", lambda w: [w.coop_ara.pk]),
    ("suivi:report_detail", lambda w: [w.report.pk]),
    ("suivi:copil", lambda w: [w.coop_ara.pk]),
]


def _urls(world):
    for name, args in MAIN_PAGES:
        try:
            yield name, reverse(name, args=args(world))
        except NoReverseMatch:
            continue


@pytest.mark.parametrize("role", ["admin", "agent_ara", "referent_a", "copil"])
def test_main_pages_have_no_axe_violation(
    matrix_world, a11y_page, browser_login, live_server, role
):
    world = matrix_world
    page = a11y_page
    browser_login(page, world.users()[role])
    failures = []
    for name, url in _urls(world):
        response = page.goto(live_server.url + url)
        if response.status != 200:
            continue  # pages a role may not open are covered by the permission matrix
        failures += [f"{name}: {problem}" for problem in axe_violations(page)]
    assert not failures, "\n".join(failures)


def test_login_page_has_no_axe_violation(a11y_page, live_server):
    page = a11y_page
    page.goto(live_server.url + "/connexion/")
    assert axe_violations(page) == []
