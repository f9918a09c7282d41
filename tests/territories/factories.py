import itertools

import factory

from territories.finess import with_check_key
from territories.models import ARS, Departement, Establishment, LegalEntity, LegalStatus, Sector

_counter = itertools.count(1)


def next_finess(departement: str = "01") -> str:
    """A fresh valid FINESS number in the given département."""
    n = next(_counter)
    prefix = departement if len(departement) == 2 else departement[:2]
    body = f"{prefix}{n % 10**6:06d}"
    return with_check_key(body[:8])


def ars(region_code: str = "84") -> ARS:
    return ARS.objects.get(region_code=region_code)


def departement(code: str = "01") -> Departement:
    return Departement.objects.get(code=code)


class LegalEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalEntity

    finess = factory.LazyFunction(lambda: next_finess("01"))
    name = factory.Sequence(lambda n: f"CENTRE HOSPITALIER TEST {n}")
    legal_status = LegalStatus.PUBLIC
    departement = factory.LazyFunction(lambda: departement("01"))


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    finess = factory.LazyFunction(lambda: next_finess("01"))
    legal_entity = factory.SubFactory(LegalEntityFactory)
    name = factory.Sequence(lambda n: f"CH TEST SITE {n}")
    category_code = "355"
    category_label = "Centre hospitalier (C.H.)"
    legal_status = LegalStatus.PUBLIC
    sector = Sector.SANITAIRE
    commune = "BOURG-EN-BRESSE"
    departement = factory.LazyFunction(lambda: departement("01"))

    class Params:
        ehpad = factory.Trait(
            category_code="500",
            category_label="EHPAD",
            sector=Sector.MEDICO_SOCIAL,
            name=factory.Sequence(lambda n: f"EHPAD TEST {n}"),
        )
        private_clinic = factory.Trait(
            category_code="365",
            legal_status=LegalStatus.PRIVATE_FOR_PROFIT,
            name=factory.Sequence(lambda n: f"CLINIQUE TEST {n}"),
        )
