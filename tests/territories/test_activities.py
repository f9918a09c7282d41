"""The FINESS 2026 "Activités" flux (real ANS sample)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from territories.importers import import_register_file
from territories.models import EstablishmentActivity, LegalEntity

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "finess-2026"
STRUCTURES = FIXTURES / "finess-structures-sample-20260309.json"
ACTIVITIES = FIXTURES / "finess-activites-sample-20260401.json"


def test_activities_of_known_entities_and_sites_are_stored_and_others_reported():
    import_register_file(STRUCTURES)
    out = io.StringIO()
    call_command("import_finess_activities", str(ACTIVITIES), "--quiet-progress", stdout=out)
    text = out.getvalue()
    assert "ceci est le format JSON FINESS 2026 (flux « Activités »)" in text
    convert = LegalEntity.objects.get(finess="010000156")
    authorised = EstablishmentActivity.objects.filter(legal_entity=convert)
    arhgos = authorised.get(register_id="43285")
    assert (arhgos.nature_code, arhgos.arhgos_number) == ("AMF", "84-82-48769")
    assert arhgos.codes == {"activiteAMF": "18", "modaliteActivite": "69", "formeActivite": "15"}
    assert str(arhgos.starts_on) == "2009-06-10" and arhgos.is_active
    exercised = EstablishmentActivity.objects.filter(establishment__finess="010780195")
    assert exercised.filter(exercised=True).exists()
    # The sample lists 64 legal entities; the structures sample only 23 of them.
    assert "inconnus du référentiel" in text
    assert (
        EstablishmentActivity.objects.filter(
            legal_entity__isnull=True, establishment__isnull=True
        ).count()
        == 0
    )


def test_reimport_replaces_rather_than_duplicates():
    import_register_file(STRUCTURES)
    import_register_file(ACTIVITIES)
    count = EstablishmentActivity.objects.count()
    report = import_register_file(ACTIVITIES)
    assert report.kind == "finess-activities"
    assert EstablishmentActivity.objects.count() == count > 50
