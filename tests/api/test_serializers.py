"""The list serializers' hand-written representations give what their declared fields give
(DRF's generic Serializer.to_representation, which the OpenAPI document describes)."""

from datetime import date

import pytest
from rest_framework import serializers

from api import serializers as s
from cooperations.models import LegalForm, Membership, Theme, Typology
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.territories.factories import LegalEntityFactory, ars, departement

pytestmark = pytest.mark.django_db


def _generic(serializer, instance) -> dict:
    return dict(serializers.Serializer.to_representation(serializer, instance))


def test_member_representation_is_the_fields_one(world):
    coop = CooperationFactory(members=1)
    MembershipFactory(
        cooperation=coop,
        establishment=None,
        legal_entity=LegalEntityFactory(name=""),
        joined_on=None,
    )
    MembershipFactory(cooperation=coop, joined_on=date(2026, 2, 3), left_on=date(2026, 5, 6))
    members = list(
        Membership.objects.filter(cooperation__in=[coop, world.coop_ara]).select_related(
            "establishment__legal_entity", "legal_entity"
        )
    )
    kinds = {m.establishment_id is None for m in members}
    assert kinds == {True, False} and any(m.joined_on for m in members)
    serializer = s.MemberSerializer()
    for membership in members:
        assert serializer.to_representation(membership) == _generic(serializer, membership)
    dated = next(m for m in members if m.left_on)
    assert serializer.to_representation(dated)["left_on"] == "2026-05-06"


def test_code_label_representation_is_the_fields_one(db):
    serializer = s.CodeLabelSerializer()
    items = [Theme.objects.first(), Typology.objects.first(), departement("2A")]
    for item in items:
        assert serializer.to_representation(item) == _generic(serializer, item)
    assert serializer.to_representation(departement("2A"))["code"] == "2A"


def test_ars_and_legal_form_representations_are_the_fields_ones(db):
    ars_serializer, form_serializer = s.ArsSerializer(), s.LegalFormSerializer()
    assert ars_serializer.to_representation(ars("84")) == _generic(ars_serializer, ars("84"))
    forms = list(LegalForm.objects.all())
    assert {f.requires_approval for f in forms} == {True, False}
    for form in forms:
        assert form_serializer.to_representation(form) == _generic(form_serializer, form)
