from tests.matrix import EDIT_COOP_ARA, EVERYONE, READ_COOP_ARA, Case

CASES = [
    Case("cooperations:list", expect=EVERYONE),
    Case("cooperations:export", expect=EVERYONE),
    Case("cooperations:create", expect={**EVERYONE, "copil": 403}),
    Case("cooperations:detail", args=lambda w: [w.coop_ara.pk], expect=READ_COOP_ARA),
    Case("cooperations:edit", args=lambda w: [w.coop_ara.pk], expect=EDIT_COOP_ARA),
    Case("cooperations:history", args=lambda w: [w.coop_ara.pk], expect=READ_COOP_ARA),
    Case("cooperations:member_add", args=lambda w: [w.coop_ara.pk], expect=EDIT_COOP_ARA),
    Case(
        "cooperations:member_leave",
        args=lambda w: [w.coop_ara.pk, w.coop_ara.memberships.first().pk],
        expect=EDIT_COOP_ARA,
    ),
    Case(
        "cooperations:member_add",
        method="post",
        args=lambda w: [w.coop_ara.pk],
        data=lambda w: {"finess": w.et_c.finess, "role": "membre"},
        expect=EDIT_COOP_ARA,
    ),
]
