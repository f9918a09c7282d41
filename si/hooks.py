"""The SI checklist block of KIT 1's SI step (core.registry.StepPanel)."""

from itertools import groupby

from cooperations import scoping
from core.registry import StepPanel
from si.models import ChecklistItem, ChecklistSettings, GuideItem, ItemStatus, Mode, ThemeGuide

STATUS_BADGE = {
    ItemStatus.TODO: "info",
    ItemStatus.IN_PROGRESS: "warning",
    ItemStatus.DONE: "success",
    ItemStatus.NOT_APPLICABLE: "new",
}


def step_panel(request, step):
    """None unless `step` is the SI step; otherwise the checklist grouped by theme (6
    queries whatever the number of items)."""
    settings = ChecklistSettings.current()
    if step.number != settings.fiche_number:
        return None
    cooperation = step.cooperation
    themes = list(cooperation.themes.order_by("name"))
    items = list(
        ChecklistItem.objects.filter(cooperation=cooperation)
        .select_related("theme", "deliverable__activity")
        .order_by("theme__name", "theme_id", "order", "pk")
    )
    guides = {g.theme_id: g for g in ThemeGuide.objects.filter(theme__in=[t.pk for t in themes])}
    taken = {i.source_id for i in items if i.source_id}
    missing = (
        GuideItem.objects.filter(guide__theme__in=[t.pk for t in themes], is_active=True)
        .exclude(pk__in=taken)
        .count()
        if themes
        else 0
    )
    for item in items:
        item.badge = STATUS_BADGE.get(item.status, "info")
    groups = []
    listed = set()
    for theme_id, rows in groupby(items, key=lambda i: i.theme_id):
        rows = list(rows)
        listed.add(theme_id)
        groups.append({"theme": rows[0].theme, "guide": guides.get(theme_id), "items": rows})
    done = sum(1 for i in items if i.status in (ItemStatus.DONE, ItemStatus.NOT_APPLICABLE))
    return {
        "settings": settings,
        "cooperation": cooperation,
        "groups": groups,
        "themes_without_guide": [t for t in themes if t.pk not in guides],
        "themes_waiting": [t for t in themes if t.pk in guides and t.pk not in listed],
        "missing": missing,
        "total": len(items),
        "done": done,
        "modes": list(Mode.objects.all()),
        "can_edit": scoping.can_edit(request.user, cooperation),
    }


# What the SI checklist adds to the shared screens (registered by KitConfig.ready()).
REGISTRY = (
    StepPanel(key="si-checklist", template="si/_step_panel.html", get_context=step_panel, order=10),
)
