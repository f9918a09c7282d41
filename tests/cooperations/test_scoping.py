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
    assert titles(world.agent_concerned) == {"Imagerie partagée de l'Ain"}
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


def test_the_access_value_matches_the_scope_queries_for_every_role(world):
    """The door's booleans (computed from the role once the cooperation is in scope) give the
    same answers as the scope's queries, for every role and cooperation."""
    for user in world.users().values():
        visible = set(Cooperation.objects.visible_to(user).values_list("pk", flat=True))
        editable = set(Cooperation.objects.editable_by(user).values_list("pk", flat=True))
        for coop in Cooperation.objects.all():
            access = scoping.Scope(user).access(coop)
            assert (access is not None) == (coop.pk in visible), (user, coop)
            if access is not None:
                assert access.can_edit == (coop.pk in editable), (user, coop)


def test_no_mark_is_left_on_instances(world):
    """The request's scope caches what it resolved; users and cooperations stay plain."""
    scope = scoping.Scope(world.referent_a)
    coop = Cooperation.objects.get(pk=world.coop_ara.pk)
    assert scope.access(coop).is_team
    before_user, before_coop = set(vars(world.referent_a)), set(vars(coop))
    scope.access(coop)
    scoping.represented_ids(world.referent_a)
    assert set(vars(world.referent_a)) == before_user
    assert not [name for name in vars(coop) if name.startswith("_kc")]
    assert before_coop == set(vars(coop))


def test_supervision_rule_concerned_ars_reads_and_comments_only(world):
    """An agent of another ARS concerned by a département reads and may comment; only the
    pilot ARS's agents edit, validate and change the supervision (pilot ARS, départements)."""
    coop = world.coop_ara
    concerned = scoping.Scope(world.agent_concerned).access(coop)
    assert concerned is not None and concerned.can_comment
    assert not (concerned.can_edit or concerned.can_validate or concerned.can_supervise)
    pilot = scoping.Scope(world.agent_ara).access(coop)
    assert pilot.can_edit and pilot.can_validate and pilot.can_supervise
    team = scoping.Scope(world.referent_a).access(coop)
    assert team.can_edit and team.is_team and not team.can_supervise
    admin = scoping.Scope(world.admin).access(coop)
    assert admin.can_edit and admin.can_supervise and not admin.can_validate
    guest = scoping.Scope(world.copil).access(coop)
    assert guest.can_read and not (
        guest.can_edit or guest.can_comment or guest.can_request_documents
    )


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


def test_the_validatable_list_is_exactly_what_can_validate_grants(world):
    """`validatable_by` (lists of what the user decides, e.g. the home's approvals) answers
    the cooperations `can_validate` grants, for every role: the pilot ARS's agents only."""
    inactive = UserFactory(ars_agent=True, is_active=False)
    unassigned = UserFactory(role="agent_ars", ars=None)
    everything = list(Cooperation.objects.all())
    for user in [*world.users().values(), inactive, unassigned]:
        listed = set(Cooperation.objects.validatable_by(user).values_list("pk", flat=True))
        assert listed == {c.pk for c in everything if scoping.can_validate(user, c)}, user
    assert Cooperation.objects.validatable_by(world.agent_ara).exists()
    assert not Cooperation.objects.validatable_by(world.admin).exists()


def test_kit_querysets_share_the_one_scoped_queryset():
    """One scoped-QuerySet mixin (configured by the path to the cooperation) replaces the
    copies of `visible_to` in the kits: no kit queryset writes its own."""
    from django.apps import apps

    from cooperations.models import CooperationQuerySet, ScopedQuerySet

    copies = []
    for model in apps.get_models():
        queryset_class = type(model._default_manager.get_queryset())
        # ScopedQuerySet itself is the one (a model reached through `cooperation` uses it as is).
        own = queryset_class not in (CooperationQuerySet, ScopedQuerySet)
        if "visible_to" in vars(queryset_class) and own:
            copies.append(model.__name__)
        if hasattr(queryset_class, "visible_to") and queryset_class is not CooperationQuerySet:
            assert issubclass(queryset_class, ScopedQuerySet), model.__name__
    assert not copies, f"visible_to recopié : {copies}"


def test_the_scope_is_resolved_once_per_request(world, login):
    """A referent's represented ids are one query per request, however many scope checks the
    page makes (list, capabilities, sections), and never cached on the user between requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = login(world.referent_a)
    for url in (
        reverse("cooperations:detail", args=[world.coop_ara.pk]),
        reverse("fiches:stepper", args=[world.coop_ara.pk]),
    ):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        resolved = [q for q in queries if "user_establishments" in q["sql"]]
        assert len(resolved) == 1, url
