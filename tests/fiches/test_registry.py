"""What KIT 1 adds to the shared screens: summary, home widgets, COPIL section."""

from core.registry import COOPERATION_SECTIONS, COPIL_SECTIONS, HOME_WIDGETS, NAV_ITEMS
from fiches import hooks
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.fiches.helpers import steps_of, walk


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
