from tests.matrix import (
    ADMIN_ONLY,
    COMMENT_COOP_ARA,
    EDIT_COOP_ARA,
    EVERYONE,
    READ_COOP_ARA,
    SUPERVISE_COOP_ARA,
    Case,
)

# The region's GHT page: ARS agents (their own region) and national admins.
ARS_AND_ADMIN = {**ADMIN_ONLY, "agent_ara": 200, "agent_occ": 200, "agent_concerned": 200}

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
    # The register (public data): every signed-in user.
    Case("registre:establishment", args=lambda w: [w.et_a.finess], expect=EVERYONE),
    Case("registre:legal_entity", args=lambda w: [w.et_a.legal_entity.finess], expect=EVERYONE),
    Case("registre:suggestions", expect=EVERYONE),
    Case("registre:ght_region", expect=ARS_AND_ADMIN),
]

PLAN_EDITORS = {
    **dict.fromkeys(EVERYONE, 403), "admin": 200, "agent_ara": 200, "agent_occ": 200,
    "agent_concerned": 200,
}  # fmt: skip
# ARS notes on coop_ara: its pilot ARS's agents and national admins; the project team and
# the COPIL guest read the cooperation but not the notes (403); outside the scope, 404.
NOTES_COOP_ARA = {**READ_COOP_ARA, "referent_a": 403, "copil": 403, "agent_concerned": 403}


def setup_world(world):
    from cooperations import supervision
    from cooperations.models import RegionalObjective
    from tests.territories.factories import ars, departement

    world.supervision_request = supervision.supervision_request(
        cooperation=world.coop_ara,
        user=world.referent_a,
        pilot_ars=ars("84"),
        departements=[departement("01"), departement("71"), departement("39")],
        reason="Le Jura rejoint le projet.",
    )
    world.objective_ara = RegionalObjective.objects.create(
        ars=ars("84"),
        kind="srs",
        code="SRS-T1",
        title="Objectif de test",
        starts_year=2023,
        ends_year=2028,
    )


CASES += [
    Case("cooperations:dashboard", expect=PLAN_EDITORS),
    Case("cooperations:objectives", expect=PLAN_EDITORS),
    Case("cooperations:objective_create", expect=PLAN_EDITORS),
    Case(
        "cooperations:objective_edit",
        args=lambda w: [w.objective_ara.pk],
        # Another ARS's objective is out of the agent's scope.
        expect={**PLAN_EDITORS, "agent_occ": 404, "agent_concerned": 404},
    ),
    Case("cooperations:ars_notes", args=lambda w: [w.coop_ara.pk], expect=NOTES_COOP_ARA),
    Case(
        "cooperations:ars_notes",
        method="post",
        args=lambda w: [w.coop_ara.pk],
        data=lambda w: {"body": "Point de vigilance sur le financement."},
        expect=NOTES_COOP_ARA,
    ),
]


def _supervision_data(w):
    return {
        "pilot_ars": w.coop_ara.pilot_ars_id,
        "departements": [d.pk for d in w.coop_ara.departements.all()][:1],
        "reason": "Recentrer sur l'Ain.",
    }


# Who supervises (pilot ARS, départements): everyone in scope reads the page; every reader
# but the COPIL guest asks (supervisors change at once); the pilot ARS or an admin decides.
CASES += [
    Case("cooperations:supervision", args=lambda w: [w.coop_ara.pk], expect=READ_COOP_ARA),
    Case(
        "cooperations:supervision",
        method="post",
        args=lambda w: [w.coop_ara.pk],
        data=_supervision_data,
        expect=COMMENT_COOP_ARA,
    ),
    Case(
        "cooperations:supervision_decide",
        method="post",
        args=lambda w: [w.coop_ara.pk, w.supervision_request.pk],
        data=lambda w: {"decision": "refuse", "comment": "Le Jura n'est pas concerné."},
        expect=SUPERVISE_COOP_ARA,
    ),
]
