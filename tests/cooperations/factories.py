from datetime import date

import factory

from cooperations.models import Cooperation, LegalForm, MemberRole, Membership, Phase
from tests.territories.factories import EstablishmentFactory, ars, departement


def legal_form(code: str) -> LegalForm:
    return LegalForm.objects.get(code=code)


class CooperationFactory(factory.django.DjangoModelFactory):
    """A cooperation piloted by ARS Auvergne-Rhône-Alpes in the Ain by default.

    `members=n` adds n establishment members (the first is the porteur).
    """

    class Meta:
        model = Cooperation
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Coopération de test {n}")
    objectives = "Mutualiser l'imagerie du territoire."
    pilot_ars = factory.LazyFunction(lambda: ars("84"))
    phase = Phase.COMPRENDRE
    launched_on = date(2026, 1, 5)

    @factory.post_generation
    def departements(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.departements.set(extracted or [departement("01")])

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            for index in range(extracted):
                MembershipFactory(
                    cooperation=obj,
                    role=MemberRole.PORTEUR if index == 0 else MemberRole.MEMBRE,
                )

    class Params:
        gcs = factory.Trait(
            legal_form=factory.LazyFunction(lambda: legal_form("gcs-moyens")), nature="organique"
        )
        ght = factory.Trait(
            legal_form=factory.LazyFunction(lambda: legal_form("ght")), nature="fonctionnelle"
        )
        in_occitanie = factory.Trait(pilot_ars=factory.LazyFunction(lambda: ars("76")))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cooperation = factory.SubFactory(CooperationFactory)
    establishment = factory.SubFactory(EstablishmentFactory)
    role = MemberRole.MEMBRE
    joined_on = date(2026, 1, 5)
