"""The catalogue is data; an admin edit of a used version creates a new version."""

import pytest

from evalimpact.models import Axis, CatalogueVersion, Indicator, ScoreLevel
from evalimpact.services.catalogue import current_catalogue
from tests.cooperations.factories import CooperationFactory
from tests.evalimpact.factories import create_evaluation

pytestmark = pytest.mark.django_db


def test_reference_catalogue_is_loaded_by_the_data_migration():
    version = current_catalogue()
    assert version.number == 1
    assert Axis.objects.filter(version=version).count() == 4
    indicators = Indicator.objects.filter(version=version)
    assert indicators.count() == 25
    # The reference table lists 9 qualitative indicators (its introduction says "about ten").
    assert indicators.filter(kind="qualitative").count() == 9
    assert indicators.get(code="E5").hospidiag_codes == ["P1", "P2", "P3"]
    assert indicators.get(code="T1").direction == "lower"
    assert list(ScoreLevel.objects.filter(version=version).values_list("label", flat=True)) == [
        "Impact négatif",
        "Pas d'impact",
        "Impact faible",
        "Impact modéré",
        "Impact fort",
    ]


def _change_indicator(client, indicator, **changes):
    data = {
        "version": indicator.version_id,
        "axis": indicator.axis_id,
        "code": indicator.code,
        "order": indicator.order,
        "label": indicator.label,
        "definition": indicator.definition,
        "kind": indicator.kind,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "scale": indicator.scale,
        "thresholds": "[-5, 2, 10, 25]",
        "weight": "1",
        "source": indicator.source,
        "hospidiag_codes": "[]",
        "thresholds_reason": indicator.thresholds_reason,
        **changes,
    }
    return client.post(f"/admin/evalimpact/indicator/{indicator.pk}/change/", data)


def test_editing_a_used_version_creates_a_new_one_and_old_evaluations_keep_theirs(world, login):
    cooperation = CooperationFactory()
    old_evaluation = create_evaluation(cooperation)
    client = login(world.admin)
    f2 = Indicator.objects.get(version__variant="sanitaire", version__number=1, code="F2")
    response = _change_indicator(client, f2, weight="3", label="Délai d'accès (jours)")
    assert response.status_code == 302
    f2.refresh_from_db()
    assert (f2.weight, f2.label) == (1, "Délai d'accès au service")  # v1 untouched
    v2 = current_catalogue()
    assert v2.number == 2
    new_f2 = Indicator.objects.get(version=v2, code="F2")
    assert new_f2.weight == 3 and new_f2.label == "Délai d'accès (jours)"
    assert new_f2.axis.version == v2
    assert Indicator.objects.filter(version=v2).count() == 25
    old_evaluation.refresh_from_db()
    assert old_evaluation.catalogue.number == 1
    new_evaluation = create_evaluation(cooperation, on=old_evaluation.evaluated_on)
    assert new_evaluation.catalogue == v2
    # v2 is now used too: the next edit makes v3, and each evaluation keeps its own.
    assert _change_indicator(client, new_f2, weight="2").status_code == 302
    assert current_catalogue().number == 3
    assert (
        Indicator.objects.get(version__variant="sanitaire", version__number=2, code="F2").weight
        == 3
    )
    assert (
        Indicator.objects.get(version__variant="sanitaire", version__number=3, code="F2").weight
        == 2
    )
    new_evaluation.refresh_from_db()
    assert new_evaluation.catalogue.number == 2


def test_editing_an_unused_version_changes_it_in_place(world, login):
    client = login(world.admin)
    f2 = Indicator.objects.get(version__variant="sanitaire", version__number=1, code="F2")
    assert _change_indicator(client, f2, weight="2").status_code == 302
    f2.refresh_from_db()
    assert f2.weight == 2
    assert CatalogueVersion.objects.filter(variant="sanitaire").count() == 1


def test_bad_thresholds_are_refused_in_the_admin(world, login):
    client = login(world.admin)
    f2 = Indicator.objects.get(version__variant="sanitaire", version__number=1, code="F2")
    response = _change_indicator(client, f2, thresholds="[10, 5, 20, 30]")
    assert response.status_code == 200
    assert (
        "Les seuils doivent être rangés du plus petit au plus grand." in response.content.decode()
    )
    assert CatalogueVersion.objects.filter(variant="sanitaire").count() == 1
