"""The KIT 1 demo: each showcase cooperation's steps in their own states, with answers
about its own project, replayed twice without a new transition."""

from accounts.models import Role
from demo import fiches as demo
from fiches.models import Step, StepState, StepTransition
from tests.accounts.factories import UserFactory, referent_of
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.territories.factories import EstablishmentFactory, ars, departement


def test_demo_is_idempotent(world):
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
