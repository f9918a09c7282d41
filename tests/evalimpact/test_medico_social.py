"""A medico-social cooperation gets the medico-social indicator set, automatically."""

import pytest

from core.catalogue_versions import copy_version
from evalimpact.models import CatalogueVariant, Indicator
from evalimpact.services.catalogue import current_catalogue, variant_for
from tests.cooperations.factories import CooperationFactory, MembershipFactory, legal_form
from tests.evalimpact.factories import answer_all, create_evaluation
from tests.territories.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def test_a_gcsms_is_evaluated_with_the_medico_social_set_and_keeps_four_axes(world, login):
    gcsms = CooperationFactory(legal_form=legal_form("gcsms"), nature="organique")
    for _ in range(2):
        MembershipFactory(cooperation=gcsms, establishment=EstablishmentFactory(ehpad=True))
    evaluation = create_evaluation(gcsms, activity="hebergement")
    assert evaluation.catalogue.variant == CatalogueVariant.MEDICO_SOCIAL
    codes = dict(
        Indicator.objects.filter(version=evaluation.catalogue).values_list("code", "label")
    )
    assert codes["E1"] == "Taux d'occupation"
    assert "Niveau de dépendance des personnes accueillies (GMP)" in codes.values()
    assert "Nuits couvertes par une présence ou une astreinte infirmière" in codes.values()
    assert "IP-DMS" not in " ".join(codes.values())
    assert evaluation.catalogue.axes.count() == 4
    page = login(world.admin).get(f"/evalimpact/evaluation/{evaluation.pk}/saisie/")
    text = page.content.decode()
    assert "catalogue médico-social v1" in text and "Taux d&#x27;occupation" in text


def test_an_ehpad_partnership_under_a_simple_convention_follows_its_members_sector():
    partnership = CooperationFactory(legal_form=legal_form("convention"))
    for _ in range(2):
        MembershipFactory(cooperation=partnership, establishment=EstablishmentFactory(ehpad=True))
    MembershipFactory(cooperation=partnership, establishment=EstablishmentFactory())
    assert variant_for(partnership) == CatalogueVariant.MEDICO_SOCIAL
    hospitals = CooperationFactory(gcs=True, members=2)
    assert variant_for(hospitals) == CatalogueVariant.SANITAIRE


def test_the_medico_social_set_scores_on_the_radar_and_has_its_own_versions():
    gcsms = CooperationFactory(legal_form=legal_form("gcsms"), nature="organique")
    MembershipFactory(cooperation=gcsms, establishment=EstablishmentFactory(ehpad=True))
    evaluation = create_evaluation(gcsms, activity="hebergement")
    answer_all(evaluation)
    assert set(evaluation.axis_scores) == {"1", "2", "3", "4"}
    assert all(v is not None for v in evaluation.axis_scores.values())
    # An admin edit of the used medico-social version copies it; the hospital set is untouched.
    hospital = current_catalogue()
    copy = copy_version(evaluation.catalogue)
    assert copy.variant == CatalogueVariant.MEDICO_SOCIAL and copy.number == 2
    assert current_catalogue(CatalogueVariant.MEDICO_SOCIAL) == copy
    assert current_catalogue() == hospital
    assert copy.activities.count() == evaluation.catalogue.activities.count() == 4
