from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cooperations import services
from core.locking import StaleObjectError
from tests.territories.factories import EstablishmentFactory, ars, departement

pytestmark = pytest.mark.django_db


def base_data(**extra):
    return {
        "title": "Blanchisserie commune",
        "pilot_ars": ars("84"),
        "departements": [departement("01")],
        **extra,
    }


def test_create_refuses_dates_out_of_order_with_french_messages(world):
    with pytest.raises(ValidationError) as error:
        services.cooperation_create(
            user=world.agent_ara,
            data=base_data(
                launched_on=date(2026, 5, 1),
                decided_on=date(2026, 4, 1),
                starts_on=date(2026, 9, 1),
                ends_on=date(2026, 1, 1),
            ),
        )
    assert error.value.message_dict == {
        "decided_on": ["La date de décision ne peut pas précéder la date de lancement."],
        "ends_on": ["La date de fin prévue ne peut pas précéder la date d'effet."],
    }


def test_create_derives_nature_from_legal_form_and_records_author(world):
    from cooperations.models import LegalForm

    coop = services.cooperation_create(
        user=world.agent_ara, data=base_data(legal_form=LegalForm.objects.get(code="gcs-moyens"))
    )
    assert coop.nature == "organique"
    assert coop.created_by == world.agent_ara
    assert list(coop.departements.values_list("code", flat=True)) == ["01"]


def test_update_with_a_stale_version_is_refused_and_changes_nothing(world):
    coop = world.coop_ara
    services.cooperation_update(
        cooperation=coop, user=world.referent_a, data={"title": "Premier"}, version=1
    )
    stale = type(coop).objects.get(pk=coop.pk)
    stale.version = 1  # the second person loaded the page before the first save
    with pytest.raises(StaleObjectError):
        services.cooperation_update(
            cooperation=stale, user=world.agent_ara, data={"title": "Second"}, version=1
        )
    coop.refresh_from_db()
    assert (coop.title, coop.version) == ("Premier", 2)


def test_member_cannot_be_added_twice_and_leaves_after_joining(world):
    coop = world.coop_ara
    with pytest.raises(ValidationError, match="déjà membre"):
        services.membership_add(cooperation=coop, establishment=world.et_a)
    newcomer = services.membership_add(
        cooperation=coop, establishment=EstablishmentFactory(), joined_on=date(2026, 3, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.membership_leave(membership=newcomer, left_on=date(2026, 2, 1))
    assert "La date de retrait ne peut pas précéder la date d'adhésion." in str(error.value)
    services.membership_leave(membership=newcomer, left_on=date(2026, 4, 1))
    # Once left, it can join again.
    services.membership_add(cooperation=coop, establishment=newcomer.establishment)


def test_membership_needs_exactly_one_target(world):
    with pytest.raises(ValidationError, match="l'un des deux"):
        services.membership_add(cooperation=world.coop_ara)
    with pytest.raises(ValidationError, match="l'un des deux"):
        services.membership_add(
            cooperation=world.coop_ara,
            establishment=world.et_c,
            legal_entity=world.et_c.legal_entity,
        )


def test_a_director_who_creates_a_cooperation_becomes_its_porteur(world):
    from cooperations.models import Cooperation

    coop = services.cooperation_create(
        user=world.referent_a, data=base_data(launched_on=date(2026, 2, 1))
    )
    membership = coop.memberships.get()
    assert (membership.establishment, membership.role) == (world.et_a, "porteur")
    assert coop in Cooperation.objects.visible_to(world.referent_a)


def test_a_director_without_establishment_cannot_create(world):
    from tests.accounts.factories import UserFactory

    with pytest.raises(ValidationError, match="rattaché à aucun établissement"):
        services.cooperation_create(user=UserFactory(), data=base_data())
