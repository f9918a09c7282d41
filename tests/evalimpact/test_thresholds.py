"""Each quantitative indicator is scored on its own thresholds, read from the catalogue files.

The two cases of issue 16: a 5 % fall of the IP-DMS is a large gain (it scored 2 on the
common thresholds), and a purchasing saving from a baseline of 0 (an infinite relative
change, which scored 4 whatever the amount) is read in euros.
"""

from decimal import Decimal

import pytest

from core.catalogues import read_yaml
from evalimpact.catalogue import FILES
from evalimpact.models import Indicator
from evalimpact.services import scoring
from evalimpact.services.catalogue import current_catalogue

pytestmark = pytest.mark.django_db


class Row:
    def __init__(self, baseline, value):
        self.baseline, self.value = Decimal(str(baseline)), Decimal(str(value))
        self.not_applicable, self.level = False, None


def _score(code, baseline, value):
    indicator = Indicator.objects.get(version=current_catalogue(), code=code)
    return scoring.score_answer(indicator, Row(baseline, value))


def test_a_five_percent_fall_of_the_ip_dms_is_a_strong_impact():
    # IP-DMS 1,00 → 0,95 (observed stays 5 % shorter than expected): a large gain.
    result = _score("E5", "1.00", "0.95")
    assert result.score == 4 and result.change == pytest.approx(5.0)
    assert scoring.score_from_change(5.0, [-5, 2, 10, 25]) == 2  # what the common scale gave
    assert _score("E5", "1.00", "0.98").score == 3  # −2 %: a clear gain
    assert _score("E5", "1.00", "1.00").score == 1  # no change, no impact
    assert _score("E5", "1.00", "1.03").score == 0  # longer stays: negative


def test_purchasing_savings_from_zero_are_read_in_euros():
    assert _score("E3", 0, 900_000).score == 4
    assert _score("E3", 0, 250_000).score == 3
    assert _score("E3", 0, 50_000).score == 2
    nothing = _score("E3", 0, 0)
    assert nothing.score == 1 and nothing.change == 0 and nothing.absolute
    assert scoring.format_change(50_000, "€ par an") == "+50 000 € par an"


def test_a_relative_indicator_with_a_zero_baseline_is_not_scored_but_explained():
    result = _score("F2", 0, 12)  # days to an appointment: 0 before is a data error
    assert result.score is None and result.missing
    assert "référence nulle" in result.problem


def test_every_quantitative_indicator_has_its_thresholds_and_their_reason_in_the_files(
    settings,
):
    for path in FILES.values():
        data = read_yaml(settings.CATALOGUES_DIR.joinpath(*path))
        for item in data["indicators"]:
            if item["kind"] == "quantitative":
                assert item["scale"] in {"relative", "absolute"}, item["code"]
                assert len(item["thresholds"]) == 4, item["code"]
                assert len(item["thresholds_reason"]) > 40, item["code"]


def test_the_evaluation_page_states_each_indicators_scale_and_reason(world, login):
    from tests.evalimpact.factories import create_evaluation

    evaluation = create_evaluation(world.coop_ara)
    page = login(world.admin).get(f"/evalimpact/evaluation/{evaluation.pk}/").content.decode()
    import html

    page = html.unescape(page)
    assert "écart absolu (valeur − référence, en € par an)" in page  # E3
    assert "L'IP-DMS est un rapport proche de 1" in page  # E5's reason
