from django.db import migrations


def copy_notifications(apps, schema_editor):
    """KIT 1's notifications move to the `notifications` app (generalised to every module)."""
    try:
        Old = apps.get_model("fiches", "Notification")
    except LookupError:
        # Replayed on the live registry (tests/conftest.py after a flush): the model is gone
        # and there is nothing left to copy.
        return
    New = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    step_type = None
    batch = []
    for old in Old.objects.select_related("step").order_by("pk").iterator():
        if step_type is None and old.step_id:
            step_type, _ = ContentType.objects.get_or_create(app_label="fiches", model="step")
        batch.append(
            New(
                recipient_id=old.recipient_id,
                cooperation_id=old.step.cooperation_id if old.step_id else None,
                kind="step_event",
                subject=old.subject,
                message=old.message,
                url=old.url,
                target_type=step_type if old.step_id else None,
                target_id=old.step_id,
                created_at=old.created_at,
                read_at=old.read_at,
                emailed_at=old.emailed_at,
            )
        )
        if len(batch) >= 1000:
            New.objects.bulk_create(batch)
            batch = []
    if batch:
        New.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("fiches", "0005_create_due_steps"),
        ("notifications", "0001_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [
        migrations.RunPython(copy_notifications, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
