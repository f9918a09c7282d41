"""The labels of generated documents (admin lists, breadcrumbs) give their time as the user's
clock shows it (Europe/Paris), not UTC."""

from datetime import UTC, datetime

import pytest

from evalimpact.models import SummaryPdf
from suivi.models import CopilPack

pytestmark = pytest.mark.django_db

SUMMER_MORNING = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)  # 10:30 in Paris (summer time)


@pytest.mark.parametrize(
    ("model", "label"),
    [
        (SummaryPdf, "Synthèse Eval'Impact du 01/07/2026 10:30"),
        (CopilPack, "Dossier COPIL du 01/07/2026 10:30"),
    ],
)
def test_a_document_label_reads_paris_time(world, model, label):
    job = model(cooperation=world.coop_ara, created_at=SUMMER_MORNING)
    assert str(job) == label
