"""Create the KIT 1 steps that existing cooperations are due.

Steps used to be created lazily on the first visit of the stepper; they are now created
when they become due (fiches/receivers.py). This gives every existing cooperation the
steps of the catalogue version in force that apply to its legal form and that it does not
have yet. Existing steps are left as they are. Idempotent (replayed after test flushes).
"""

from django.db import migrations
from django.db.models import Exists, OuterRef

BATCH_SIZE = 2000


def create_due_steps(apps, schema_editor):
    CatalogueVersion = apps.get_model("fiches", "CatalogueVersion")
    Cooperation = apps.get_model("cooperations", "Cooperation")
    Step = apps.get_model("fiches", "Step")
    version = CatalogueVersion.objects.filter(is_current=True).order_by("-number").first()
    if version is None:
        return
    for fiche in version.fiches.prefetch_related("legal_forms"):
        forms = [f.pk for f in fiche.legal_forms.all()]
        cooperations = Cooperation.objects.filter(
            ~Exists(Step.objects.filter(cooperation=OuterRef("pk"), number=fiche.number))
        )
        if forms:
            cooperations = cooperations.filter(legal_form_id__in=forms)
        batch = []
        for pk in cooperations.values_list("pk", flat=True).iterator(chunk_size=BATCH_SIZE):
            batch.append(Step(cooperation_id=pk, fiche=fiche, number=fiche.number))
            if len(batch) >= BATCH_SIZE:
                Step.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Step.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("fiches", "0004_question_not_before"),
        ("cooperations", "0002_load_catalogues"),
    ]
    # Reverse: nothing to undo; these steps look like the ones created on a first visit.
    operations = [migrations.RunPython(create_due_steps, migrations.RunPython.noop)]
