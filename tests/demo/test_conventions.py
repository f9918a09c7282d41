"""The conventions of the demo: one per showcase cooperation, in its own state, each read as
its own legal form, loaded twice without a new row; their signatories are not the demo's
log-in accounts."""

import io

import pytest
from django.apps import apps

from conventions.models import Convention, ConventionTemplate
from demo import conventions as demo
from tests.cooperations.factories import CooperationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_demo_creates_conventions_once(world):
    ght = CooperationFactory(ght=True, title="GHT de démonstration")
    for index in range(3):
        MembershipFactory(cooperation=ght, role="porteur" if index == 0 else "membre")
    gcsms = CooperationFactory(legal_form=ConventionTemplate.objects.get(code="gcsms").legal_form)
    MembershipFactory(cooperation=gcsms, role="porteur")
    MembershipFactory(cooperation=gcsms)
    base = {
        "ght": ght,
        "gcs": world.coop_ara,
        "gcsms": gcsms,
        "accounts": {"agent.ara": world.agent_ara, "directeur.fleyriat": world.referent_a},
    }
    out = io.StringIO()
    demo.load(base, out)
    statuses = dict(Convention.objects.values_list("cooperation__title", "status"))
    assert statuses["GHT de démonstration"] == "approved"
    assert statuses[world.coop_ara.title] == "in_signature"
    assert statuses[gcsms.title] == "draft"

    def rows():
        labels = ("conventions", "cooperations")
        return {
            m._meta.label: m._default_manager.count()
            for m in apps.get_models()
            if m._meta.app_label in labels
        }

    before = rows()
    demo.load(base, io.StringIO())
    assert rows() == before, (
        "un second chargement a créé ou modifié des lignes (historique compris)"
    )


def test_demo_representatives_match_the_accounts_that_log_in(world):
    # The porteur's director signs as herself; no other member borrows a demo account's name.
    world.referent_a.first_name, world.referent_a.last_name = "Émilie", "Roux"
    world.referent_a.job_title = "Directrice, CH Alpha"
    porteur = world.coop_ara.memberships.get(establishment=world.et_a)
    other = world.coop_ara.memberships.get(establishment=world.et_b)
    assert demo._representative(0, porteur, world.referent_a) == "Émilie Roux, directrice"
    assert demo._representative(0, other, world.referent_a) == "Mme Lambert, directrice"
    assert "Roux" not in demo.DIRECTORS and "Morvan" not in demo.DIRECTORS


def test_the_demo_conventions_read_as_their_own_form(world):
    ght = CooperationFactory(ght=True, title="GHT de démonstration")
    for index in range(3):
        MembershipFactory(cooperation=ght, role="porteur" if index == 0 else "membre")
    demo.load({"ght": ght, "gcs": world.coop_ara, "accounts": {}}, io.StringIO())
    text = _latest_text(ght)
    assert "commission médicale de groupement" in text and "collège médical" not in text
    gcs_text = _latest_text(world.coop_ara)
    assert "L'administrateur adjoint est élu" in gcs_text
    assert "ses membres choisissent sa nature juridique" in gcs_text


def _latest_text(cooperation) -> str:
    version = Convention.objects.get(cooperation=cooperation).versions.order_by("-number").first()
    return "\n".join(c.body for c in version.clauses.all())
