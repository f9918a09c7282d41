"""Loading the regional plan objectives shipped as fixtures (fixtures/plan_objectives/)."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from cooperations.models import RegionalObjective
from territories.models import ARS

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "plan_objectives"


@transaction.atomic
def load_plan_objectives(directory: Path = FIXTURES) -> int:
    """Idempotent: keyed by (ARS, code); parents resolved within each file. Returns the
    number of objectives read."""
    count = 0
    ars_by_region = {a.region_code: a for a in ARS.objects.all()}
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        ars = ars_by_region[document["region"]]
        saved = {}
        existing = {o.code: o for o in RegionalObjective.objects.filter(ars=ars)}
        for item in document["objectives"]:
            values = {
                "kind": item["kind"],
                "title": item["title"],
                "starts_year": item["starts_year"],
                "ends_year": item["ends_year"],
                "order": item.get("order", 0),
            }
            objective = existing.get(item["code"])
            if objective is None:
                objective = RegionalObjective.objects.create(ars=ars, code=item["code"], **values)
            elif any(getattr(objective, k) != v for k, v in values.items()):
                # Saved only when changed: a second load writes no history.
                for name, value in values.items():
                    setattr(objective, name, value)
                objective.save()
            saved[item["code"]] = (objective, item.get("parent"))
            count += 1
        for objective, parent in saved.values():
            parent_obj = saved[parent][0] if parent else None
            if objective.parent_id != (parent_obj.pk if parent_obj else None):
                objective.parent = parent_obj
                objective.save(update_fields=["parent"])
    return count
