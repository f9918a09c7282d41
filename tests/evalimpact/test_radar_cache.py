"""Radars are drawn when an evaluation is saved (Celery task warm_radars, eager in tests), so
the first view of the Eval'Impact page takes them from the cache."""

from datetime import date
from unittest import mock

from evalimpact.services import evaluations as services
from evalimpact.services import radar
from evalimpact.services.radar_cache import warm_cooperation
from tests.evalimpact.factories import complete_rows, create_evaluation


def test_saving_an_evaluation_draws_its_radars_so_the_page_draws_none(
    world, login, django_capture_on_commit_callbacks
):
    coop = world.coop_ara
    evaluation = create_evaluation(coop, user=world.referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluation_save(
            evaluation=evaluation,
            user=world.referent_a,
            header={"kind": "potential", "evaluated_on": date(2026, 1, 15), "comments": ""},
            rows=complete_rows(evaluation),
            version=evaluation.version,
        )
    with mock.patch.object(radar, "draw", wraps=radar.draw) as draw:
        page = login(world.agent_ara).get(f"/evalimpact/cooperation/{coop.pk}/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    assert draw.call_count == 0  # served from the cache filled at save time


def test_a_cooperation_without_evaluation_has_nothing_to_draw(world):
    assert warm_cooperation(world.coop_occ) == 0
