"""Members are listed in one explicit order everywhere: porteur, support, membre, associé."""

from cooperations.models import Cooperation, MemberRole, Membership
from suivi.copil import pack_context
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.territories.factories import EstablishmentFactory

ORDER = ["SITE-P-PORTEUR", "SITE-S-SUPPORT", "SITE-M-MEMBRE", "SITE-A-ASSOCIE"]


def _cooperation_with_every_role():
    coop = CooperationFactory()
    # Created in an order that neither alphabetical nor reverse order of the codes would fix.
    for role, name in [
        (MemberRole.MEMBRE, ORDER[2]),
        (MemberRole.ASSOCIE, ORDER[3]),
        (MemberRole.SUPPORT, ORDER[1]),
        (MemberRole.PORTEUR, ORDER[0]),
    ]:
        MembershipFactory(
            cooperation=coop, role=role, establishment=EstablishmentFactory(name=name)
        )
    return coop


def test_portfolio_and_copil_pack_list_members_in_the_same_rank(db):
    coop = _cooperation_with_every_role()
    listed = Cooperation.objects.with_list_data().get(pk=coop.pk)
    assert [m.establishment.name for m in listed.active_memberships] == ORDER
    assert [m.establishment.name for m in pack_context(coop)["members"]] == ORDER
    assert [
        m.establishment.name for m in Membership.objects.filter(cooperation=coop).by_rank()
    ] == ORDER


def test_cooperation_page_lists_members_in_rank_order(world, login):
    coop = _cooperation_with_every_role()
    page = login(world.admin).get(coop.get_absolute_url()).content.decode()
    positions = [page.index(name) for name in ORDER]
    assert positions == sorted(positions)
