"""Every SI checklist view against every role (see tests/matrix.py)."""

from tests.matrix import EDIT_COOP_ARA, Case


def setup_world(world):
    from cooperations.models import Theme
    from si import services

    world.coop_ara.themes.add(Theme.objects.get(code="imagerie"))
    world.si_item = services.checklist_generate(cooperation=world.coop_ara)[0]


CASES = [
    Case("si:generate", method="post", args=lambda w: [w.coop_ara.pk], expect=EDIT_COOP_ARA),
    Case("si:item_edit", args=lambda w: [w.si_item.pk], expect=EDIT_COOP_ARA),
    Case(
        "si:item_edit",
        method="post",
        args=lambda w: [w.si_item.pk],
        data=lambda w: {"status": "en_cours", "owner": "DSI du GCS", "version": 1},
        expect=EDIT_COOP_ARA,
    ),
    Case(
        "si:item_to_deliverable",
        method="post",
        args=lambda w: [w.si_item.pk],
        expect=EDIT_COOP_ARA,
    ),
]
