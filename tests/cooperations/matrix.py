from tests.matrix import ADMIN_ONLY, EDIT_COOP_ARA, EVERYONE, READ_COOP_ARA, Case

# The region's GHT page: ARS agents (their own region) and national admins.
ARS_AND_ADMIN = {**ADMIN_ONLY, "agent_ara": 200, "agent_occ": 200}

CASES = [
    Case("cooperations:list", expect=EVERYONE),
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
    # The register (public data): every signed-in user.
    Case("registre:establishment", args=lambda w: [w.et_a.finess], expect=EVERYONE),
    Case("registre:legal_entity", args=lambda w: [w.et_a.legal_entity.finess], expect=EVERYONE),
    Case("registre:suggestions", expect=EVERYONE),
    Case("registre:ght_region", expect=ARS_AND_ADMIN),
]
