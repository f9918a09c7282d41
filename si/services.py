"""Writes of the SI checklist. Keyword-only, atomic, validated before anything is saved."""

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cooperations.models import Cooperation
from core.locking import save_with_version
from si.models import CATEGORY_ORDER, ChecklistItem, GuideItem, ItemStatus

# The KIT 3 work stream that receives the checklist's deliverables.
ACTIVITY_TITLE = "Système d'information"
ACTIVITY_OBJECTIVES = (
    "Mettre en place le système d'information de la coopération : points de la check-list SI "
    "de l'étape KIT 1 transformés en livrables."
)
ITEM_FIELDS = ("status", "owner", "due_on", "answer")


@transaction.atomic
def checklist_generate(*, cooperation: Cooperation, user=None) -> list[ChecklistItem]:
    """Add to the cooperation's checklist the catalogue's points for its themes.

    Idempotent: a point already on the checklist is not added twice (also under a double
    submit: the unique constraint on (cooperation, source) and the row lock). Points of a
    theme removed from the cooperation stay, with their answers. Returns the items added.
    """
    Cooperation.objects.select_for_update().filter(pk=cooperation.pk).first()
    theme_ids = list(cooperation.themes.values_list("pk", flat=True))
    taken = set(
        ChecklistItem.objects.filter(cooperation=cooperation, source__isnull=False).values_list(
            "source_id", flat=True
        )
    )
    sources = (
        GuideItem.objects.filter(guide__theme_id__in=theme_ids, is_active=True)
        .exclude(pk__in=taken)
        .select_related("guide")
    )
    new = [
        ChecklistItem(
            cooperation=cooperation,
            source=source,
            theme_id=source.guide.theme_id,
            category=source.category,
            order=CATEGORY_ORDER.get(source.category, 99) * 1000 + source.order,
            label=source.label,
            guidance=source.guidance,
        )
        for source in sources
    ]
    for item in new:
        item.full_clean(exclude=["deliverable"], validate_unique=False)
    return bulk_create_with_history(new, ChecklistItem, default_user=user)


@transaction.atomic
def checklist_item_update(*, item: ChecklistItem, data: dict, version: int) -> ChecklistItem:
    for name in ITEM_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    item.owner = (item.owner or "").strip()
    item.full_clean()
    save_with_version(item, version)
    return item


def checklist_item_to_deliverable(*, item: ChecklistItem, user=None):
    """Make the item a deliverable of the KIT 3 tracker, in the work stream « Système
    d'information » (created if needed). The item's due date becomes the deliverable's
    planned date. Idempotent: an item already turned into a deliverable returns it.

    Returns (deliverable, created).
    """
    from suivi import services as suivi_services
    from suivi.models import Activity

    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update().select_related("theme").get(pk=item.pk)
        if item.deliverable_id:
            return item.deliverable, False
        cooperation = Cooperation.objects.select_for_update().get(pk=item.cooperation_id)
        activity = Activity.objects.filter(cooperation=cooperation, title=ACTIVITY_TITLE).first()
        if activity is None:
            last = Activity.objects.filter(cooperation=cooperation).order_by("-order").first()
            activity = suivi_services.activity_create(
                cooperation=cooperation,
                data={
                    "title": ACTIVITY_TITLE,
                    "objectives": ACTIVITY_OBJECTIVES,
                    "order": (last.order + 1) if last else 1,
                },
            )
        title = f"SI {item.theme.name} : {item.label}"
        if len(title) > 200:
            title = title[:199] + "…"
        try:
            deliverable = suivi_services.deliverable_create(
                activity=activity,
                data={"kind": "livrable", "title": title, "planned_on": item.due_on},
            )
        except ValidationError as error:
            raise ValidationError(
                "Le livrable n'a pas pu être créé : " + " ".join(error.messages)
            ) from error
        item.deliverable = deliverable
        if item.status == ItemStatus.TODO:
            item.status = ItemStatus.IN_PROGRESS
        item.version += 1
        item.save(update_fields=["deliverable", "status", "version"])
    return deliverable, True
