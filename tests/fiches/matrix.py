"""KIT 1 views × roles. Steps live on coop_ara (ARS ARA; referent_a is on the team)."""

from tests.matrix import (
    ARS_AGENTS_ONLY,
    COMMENT_COOP_ARA,
    EVERYONE,
    READ_COOP_ARA,
    TEAM_COOP_ARA,
    VALIDATE_COOP_ARA,
    Case,
)


def setup_world(world):
    from demo.fiches import walk
    from fiches.services.answers import attachment_add
    from tests.fiches.helpers import pdf, steps_of

    steps = steps_of(world.coop_ara)
    for number in (1, 2, 3):
        walk(steps[number], world.referent_a, world.agent_ara, "validated")
    # Step 1 validated (to reopen), step 6 submitted (to decide), step 4 open to the team.
    world.step_validated = steps[1]
    world.step_submitted = walk(steps[6], world.referent_a, world.agent_ara, "submitted")
    world.step_open = steps[4]
    world.attachment = attachment_add(
        step=steps[4], user=world.referent_a, uploaded=pdf(), slot="Autre document"
    )
    world.step_open.refresh_from_db()


def _save(w):
    return {"version": w.step_open.version, "action": "save", "q_scenarios": "Deux scénarios."}


CASES = [
    Case("fiches:stepper", args=lambda w: [w.coop_ara.pk], expect=READ_COOP_ARA),
    Case("fiches:step", args=lambda w: [w.step_open.pk], expect=READ_COOP_ARA),
    Case(
        "fiches:step",
        method="post",
        args=lambda w: [w.step_open.pk],
        data=_save,
        expect=TEAM_COOP_ARA,
    ),
    Case(
        "fiches:step_validate",
        method="post",
        args=lambda w: [w.step_submitted.pk],
        data=lambda w: {"comment": "Bien."},
        expect=VALIDATE_COOP_ARA,
    ),
    Case(
        "fiches:step_return",
        method="post",
        args=lambda w: [w.step_submitted.pk],
        data=lambda w: {"reason": "Compléter la carte des acteurs."},
        expect=VALIDATE_COOP_ARA,
    ),
    Case(
        "fiches:step_reopen",
        method="post",
        args=lambda w: [w.step_validated.pk],
        data=lambda w: {"reopen-reason": "Le diagnostic doit intégrer les données 2025."},
        expect=VALIDATE_COOP_ARA,
    ),
    Case(
        "fiches:comment_add",
        method="post",
        args=lambda w: [w.step_open.pk],
        data=lambda w: {"body": "Une question sur le scénario B."},
        expect=COMMENT_COOP_ARA,
    ),
    Case(
        "fiches:attachment_upload",
        method="post",
        args=lambda w: [w.step_open.pk],
        data=lambda w: {"slot": "Autre document"},
        expect=TEAM_COOP_ARA,
    ),
    Case("fiches:attachment_download", args=lambda w: [w.attachment.pk], expect=READ_COOP_ARA),
    Case("fiches:legal_form_chooser", args=lambda w: [w.coop_ara.pk], expect=READ_COOP_ARA),
    Case(
        "fiches:legal_form_record",
        method="post",
        args=lambda w: [w.coop_ara.pk],
        data=lambda w: {},
        expect=TEAM_COOP_ARA,
    ),
    Case("fiches:queue", expect=ARS_AGENTS_ONLY),
    Case("fiches:kb_list", expect=EVERYONE),
    Case("fiches:kb_page", args=lambda w: ["forme-gcs"], expect=EVERYONE),
]
