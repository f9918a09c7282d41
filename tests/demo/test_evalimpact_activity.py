"""The evaluated activity chooses the Hospi Diag codes: on the demo's imaging GCS and GHT.

Values read from the repository's Hospi Diag 2022 slices (fixtures/hospidiag-2022/):
CH de Bourg-en-Bresse (EJ 010780054): A1 41, A2 34,2 (pdmza), P1 1,108, P2 1,123, RH8 9,4;
A14 94,2 (bed occupancy in surgery); CHU de Toulouse (EJ 310781406): A1 35,7, P1 0,856,
A13 64, RH8 8,5.
"""

import html
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from cooperations.models import Cooperation
from evalimpact.forms import EvaluationCreateForm
from evalimpact.models import Answer, Evaluation
from tests.evalimpact.factories import create_evaluation

pytestmark = pytest.mark.django_db


def _answers(evaluation, finess) -> dict:
    """{indicator code: Answer} of the member whose legal entity has this FINESS."""
    return {
        a.indicator.code: a
        for a in Answer.objects.filter(
            evaluation=evaluation, membership__legal_entity__finess=finess
        ).select_related("indicator")
    }


def test_demo_imaging_and_surgery_cooperations_take_the_codes_of_their_activity(
    settings, tmp_path, world, login
):
    settings.SHARED_DATA_DIR = tmp_path  # the repository's fixtures/ only
    call_command("load_demo", stdout=io.StringIO())
    gcs = Cooperation.objects.get(external_code="DEMO-GCS-IMAGERIE-31")
    ght = Cooperation.objects.get(external_code="GHT-84103")

    # The activity is proposed from the cooperation's themes.
    assert EvaluationCreateForm(cooperation=gcs).initial["activity"] == "imagerie"
    assert EvaluationCreateForm(cooperation=ght).initial["activity"] == "medecine"

    # Imaging GCS: no Hospi Diag code measures imaging market share, length of stay or
    # equipment use, so F1, E5 and E2 are not prefilled (no medicine value in their place):
    # they are answered once, for the cooperation; RH8 still feeds T1 member by member.
    imaging = Evaluation.objects.get(cooperation=gcs, kind="potential")
    assert imaging.activity == "imagerie"
    chu = _answers(imaging, "310781406")
    assert not {"F1", "E5", "E2"} & set(chu)
    assert (
        not Answer.objects.filter(
            evaluation=imaging, indicator__code__in=["F1", "E5", "E2"], baseline__isnull=False
        )
        .exclude(indicator__code="E2", baseline=Decimal("55"))
        .exists()
    )
    # The demo's own E2 answer (55 → 85 %, the shared MRI's use) is the cooperation's.
    e2 = Answer.objects.get(evaluation=imaging, indicator__code="E2", membership=None)
    assert (e2.baseline, e2.value, e2.baseline_source) == (Decimal("55"), Decimal("85"), "")
    assert chu["T1"].baseline == Decimal("8.5") and "RH8" in chu["T1"].baseline_source
    page = html.unescape(
        login(world.admin).get(f"/evalimpact/evaluation/{imaging.pk}/").content.decode()
    )
    assert "Aucun indicateur Hospi Diag ne mesure F1 pour l'activité « Imagerie »" in page
    assert "Aucun indicateur Hospi Diag ne mesure E5 pour l'activité « Imagerie »" in page
    assert "Aucun indicateur Hospi Diag ne mesure E2 pour l'activité « Imagerie »" in page
    assert "35,7" not in page  # the CHU's medicine market share is not shown as F1

    # Surgery on the GHT: F1 takes the surgery market share A2, E5 the surgery IP-DMS P2.
    surgery = create_evaluation(ght, on=date(2016, 1, 10), activity="chirurgie")
    bourg = _answers(surgery, "010780054")
    assert bourg["F1"].baseline == Decimal("34.2")
    assert bourg["F1"].baseline_source.startswith(
        "Hospi Diag 2022, A2 (part de marché en chirurgie)"
    )
    assert bourg["E5"].baseline == Decimal("1.123")
    assert bourg["E5"].baseline_source.startswith("Hospi Diag 2022, P2 (IP-DMS chirurgie)")
    assert bourg["E2"].baseline == Decimal("94.2")
    assert bourg["E2"].baseline_source.startswith(
        "Hospi Diag 2022, A14 (taux d'occupation des lits en chirurgie)"
    )
    assert bourg["T1"].baseline == Decimal("9.4")

    # The demo's medicine evaluation of the same GHT took A1 and P1.
    medicine = Evaluation.objects.get(cooperation=ght, kind="potential", activity="medecine")
    bourg = _answers(medicine, "010780054")
    assert bourg["F1"].baseline == Decimal("41") and ", A1 (" in bourg["F1"].baseline_source
    assert bourg["E5"].baseline == Decimal("1.108") and ", P1 (" in bourg["E5"].baseline_source


def test_an_activity_outside_the_catalogue_is_refused():
    from django.core.exceptions import ValidationError

    from tests.cooperations.factories import CooperationFactory

    with pytest.raises(ValidationError, match="n'existe pas dans le catalogue"):
        create_evaluation(CooperationFactory(), activity="dermatologie")
