import pytest

from cooperations import scoping
from cooperations.models import Cooperation
from tests.accounts.factories import UserFactory, referent_of
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.territories.factories import EstablishmentFactory, LegalEntityFactory, departement

pytestmark = pytest.mark.django_db


def titles(user):
    return set(Cooperation.objects.visible_to(user).values_list("title", flat=True))


def test_each_role_lists_only_its_scope(world):
    both = {"Imagerie partagée de l'Ain", "Biologie Haute-Garonne"}
    assert titles(world.admin) == both
    assert titles(world.agent_ara) == {"Imagerie partagée de l'Ain"}
    assert titles(world.agent_occ) == {"Biologie Haute-Garonne"}
    assert titles(world.referent_a) == {"Imagerie partagée de l'Ain"}
    assert titles(world.referent_c) == {"Biologie Haute-Garonne"}
    assert titles(world.copil) == {"Imagerie partagée de l'Ain"}
    assert titles(world.outsider) == set()


def test_ars_agent_also_sees_cooperations_touching_a_departement_of_its_region(world):
    # Piloted by Occitanie but concerning the Ain too: the ARA agent sees it, once.
    shared = CooperationFactory(
        title="Filière interrégionale",
        in_occitanie=True,
        departements=[departement("31"), departement("01"), departement("38")],
    )
    assert shared in Cooperation.objects.visible_to(world.agent_ara)
    assert Cooperation.objects.visible_to(world.agent_ara).filter(pk=shared.pk).count() == 1
    # ... but validates only what its ARS pilots.
    assert not scoping.can_validate(world.agent_ara, shared)
    assert scoping.can_validate(world.agent_occ, shared)


def test_referent_of_a_legal_entity_sees_cooperations_of_its_sites(world):
    entity = LegalEntityFactory()
    site = EstablishmentFactory(legal_entity=entity)
    coop = CooperationFactory(title="Pharmacie à usage intérieur commune")
    MembershipFactory(cooperation=coop, establishment=site)
    director = referent_of(entity)
    assert titles(director) == {"Pharmacie à usage intérieur commune"}


def test_referent_of_a_site_sees_cooperations_joined_by_its_legal_entity(world):
    coop = CooperationFactory(title="GHT de test")
    MembershipFactory(cooperation=coop, establishment=None, legal_entity=world.et_c.legal_entity)
    assert "GHT de test" in titles(world.referent_c)


def test_a_member_that_left_no_longer_gives_access(world):
    from datetime import date

    membership = world.coop_ara.memberships.get(establishment=world.et_a)
    membership.left_on = date(2026, 6, 1)
    membership.save()
    assert titles(world.referent_a) == set()


def test_edit_validate_and_team_predicates(world):
    coop = world.coop_ara
    assert scoping.can_edit(world.referent_a, coop)
    assert scoping.can_edit(world.agent_ara, coop)
    assert not scoping.can_edit(world.copil, coop)
    assert not scoping.can_edit(world.referent_c, coop)
    assert scoping.can_validate(world.agent_ara, coop)
    assert not scoping.can_validate(world.admin, coop)
    assert not scoping.can_validate(world.referent_a, coop)
    assert scoping.is_project_team(world.referent_a, coop)
    assert not scoping.is_project_team(world.agent_ara, coop)
    assert not scoping.is_project_team(world.copil, coop)


def test_inactive_or_unassigned_users_see_nothing(world):
    world.referent_a.is_active = False
    world.referent_a.save()
    assert titles(world.referent_a) == set()
    agent_without_ars = UserFactory(role="agent_ars")
    assert titles(agent_without_ars) == set()


def test_edit_right_of_a_cooperation_fetched_in_scope_matches_the_scope_query(world):
    """Pages skip the edit query when the cooperation was fetched in the read scope: the
    shortcut must give the same answer as the query, for every role and cooperation."""
    users = list(world.users().values())
    for user in users:
        for coop in Cooperation.objects.visible_to(user):
            marked = scoping.mark_visible(user, Cooperation.objects.get(pk=coop.pk))
            assert scoping.can_edit(user, marked) == scoping.can_edit(user, coop), user
            # A mark left by another user never grants anything.
            for other in users:
                if other.pk != user.pk:
                    assert scoping.can_edit(other, marked) == scoping.can_edit(
                        other, Cooperation.objects.get(pk=coop.pk)
                    ), (user, other)


def test_the_id_set_for_wide_reads_is_exactly_the_visible_scope(world):
    inactive = UserFactory(ars_agent=True, is_active=False)
    unassigned = UserFactory(role="agent_ars", ars=None)
    for user in [*world.users().values(), inactive, unassigned]:
        visible = set(Cooperation.objects.visible_to(user).values_list("pk", flat=True))
        ids = set(
            Cooperation.objects.filter(pk__in=scoping.cooperation_ids_visible_to(user)).values_list(
                "pk", flat=True
            )
        )
        assert ids == visible, user
    assert set(
        Cooperation.objects.filter(
            pk__in=scoping.cooperation_ids_visible_to(world.agent_occ)
        ).values_list("title", flat=True)
    ) == {"Biologie Haute-Garonne"}
