"""What KIT 1 adds to the shared screens: summary, home widgets, COPIL section, demo."""

from accounts.models import Role
from core.registry import COOPERATION_SECTIONS, COPIL_SECTIONS, HOME_WIDGETS, NAV_ITEMS
from fiches import hooks
from fiches.models import Step, StepState, StepTransition
from tests.accounts.factories import UserFactory, referent_of
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.fiches.helpers import steps_of, walk
from tests.territories.factories import EstablishmentFactory, ars, departement


def test_kit1_is_registered_in_every_shared_screen():
    assert "fiches:kb_list" in {i.url_name for i in NAV_ITEMS}
    assert "kit1" in {s.key for s in COOPERATION_SECTIONS}
    assert {"kit1-queue", "kit1-todo"} <= {w.key for w in HOME_WIDGETS}
    assert "kit1" in {s.key for s in COPIL_SECTIONS}


def test_copil_section_is_left_out_until_a_step_starts_and_lists_them_otherwise(world):
    assert hooks.copil_context(world.coop_ara) is None
    steps = steps_of(world.coop_ara)
    assert len(steps) == 15
    walk(steps[1], world.referent_a, world.agent_ara, "validated")
    context = hooks.copil_context(world.coop_ara)
    assert context["progress"]["validated"] == 1 and context["progress"]["total"] == 15
    assert [r["step"].number for r in context["rows"]][:3] == [1, 2, 3]


def test_referent_home_lists_returned_steps_first(world, rf):
    walk(steps_of(world.coop_ara)[1], world.referent_a, world.agent_ara, "in_progress")
    other = CooperationFactory(title="Stérilisation commune")
    MembershipFactory(cooperation=other, establishment=world.et_a)
    walk(steps_of(other)[1], world.referent_a, world.agent_ara, "returned", reason="Incomplet")
    request = rf.get("/")
    request.user = world.referent_a
    context = hooks.home_todo(request)
    assert [(s.cooperation.title, s.state) for s in context["steps"]] == [
        ("Stérilisation commune", "returned"),
        ("Imagerie partagée de l'Ain", "in_progress"),
    ]
    request.user = world.referent_c
    assert hooks.home_todo(request)["total"] == 0


def test_demo_is_idempotent(world):
    from fiches import demo

    et = EstablishmentFactory(departement=departement("35"))
    gcsms = CooperationFactory(pilot_ars=ars("53"), departements=[departement("35")])
    MembershipFactory(cooperation=gcsms, establishment=et, role="porteur")
    accounts = {
        "directeur.fleyriat": world.referent_a,
        "agent.ara": world.agent_ara,
        "directeur.chu-toulouse": world.referent_c,
        "agent.occitanie": world.agent_occ,
        "directrice.ehpad": referent_of(et),
        "agent.bretagne": UserFactory(role=Role.ARS_AGENT, ars=ars("53")),
    }
    base = {"ght": world.coop_ara, "gcs": world.coop_occ, "gcsms": gcsms, "accounts": accounts}
    demo.load(base)
    states = dict(Step.objects.filter(cooperation=world.coop_occ).values_list("number", "state"))
    assert states[5] == StepState.SUBMITTED and states[6] == StepState.RETURNED
    assert [states[n] for n in range(1, 5)] == [StepState.VALIDATED] * 4
    ght = dict(Step.objects.filter(cooperation=world.coop_ara).values_list("number", "state"))
    assert sum(s == StepState.VALIDATED for s in ght.values()) == 13
    # Each showcase cooperation answers about its own project, not the imaging GCS's.
    first_answers = {
        coop.pk: " ".join(
            Step.objects.get(cooperation=coop, number=1).answers.values_list("value", flat=True)
        )
        for coop in (world.coop_ara, world.coop_occ, gcsms)
    }
    assert "IRM" in first_answers[world.coop_occ.pk]
    assert "IRM" not in first_answers[world.coop_ara.pk]
    assert "IRM" not in first_answers[gcsms.pk] and "EHPAD" in first_answers[gcsms.pk]
    transitions = StepTransition.objects.count()
    demo.load(base)
    assert StepTransition.objects.count() == transitions
