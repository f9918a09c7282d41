import factory

from accounts.models import Role, User
from tests.territories.factories import ars

PASSWORD = "Mot-de-passe-de-test-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.kitcoop.local")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Testeur{n}")
    role = Role.REFERENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()

    class Params:
        national_admin = factory.Trait(role=Role.NATIONAL_ADMIN)
        ars_agent = factory.Trait(role=Role.ARS_AGENT, ars=factory.LazyFunction(lambda: ars("84")))
        copil_guest = factory.Trait(role=Role.COPIL_GUEST)


def referent_of(*members, **kwargs) -> User:
    """A referent attached to the given establishments and/or legal entities."""
    from territories.models import Establishment

    user = UserFactory(**kwargs)
    for member in members:
        if isinstance(member, Establishment):
            user.establishments.add(member)
        else:
            user.legal_entities.add(member)
    return user
