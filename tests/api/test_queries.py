"""Each API endpoint runs the same number of queries with little and with more data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import api_token_create
from tests.cooperations.factories import CooperationFactory, MembershipFactory
from tests.evalimpact.factories import create_evaluation
from tests.queries import count_queries
from tests.suivi.factories import ActivityFactory, DeliverableFactory, RiskFactory

pytestmark = pytest.mark.django_db


def _more_cooperations(world, n):
    from cooperations.models import Theme, Typology

    theme, typology = Theme.objects.first(), Typology.objects.first()
    for _ in range(n):
        coop = CooperationFactory(members=3, gcs=True)
        coop.themes.add(theme)
        coop.typologies.add(typology)
        MembershipFactory(cooperation=coop, establishment=world.et_a)
        MembershipFactory(cooperation=coop, left_on=timezone.localdate())


def test_cooperation_list_and_register_with_a_token(world, client):
    from cooperations.models import Theme

    # The filtered list is not empty at the small scale either (an empty page skips prefetches).
    world.coop_ara.themes.add(Theme.objects.first())
    _token, raw = api_token_create(user=world.agent_ara, name="Outil", days=30)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    urls = [
        reverse("api:cooperation_list"),
        reverse("api:cooperation_list") + f"?phase=comprendre&theme={Theme.objects.first().pk}",
        reverse("api:establishment", args=[world.et_a.finess]),
        reverse("api:legal_entity", args=[world.et_a.legal_entity.finess]),
        reverse("api:legal_forms"),
    ]
    small = {url: count_queries(client, url) for url in urls}
    _more_cooperations(world, 10)
    large = {url: count_queries(client, url) for url in urls}
    assert large == small
    assert client.get(urls[0]).json()["count"] == 11


def test_cooperation_endpoints(world, login):
    coop = world.coop_ara
    client = login(world.agent_ara)
    names = [
        "cooperation_detail",
        "cooperation_steps",
        "cooperation_convention",
        "cooperation_evaluations",
        "cooperation_deliverables",
        "cooperation_risks",
    ]
    urls = [reverse(f"api:{name}", args=[coop.pk]) for name in names]
    activity = ActivityFactory(cooperation=coop)
    DeliverableFactory(activity=activity)
    RiskFactory(cooperation=coop)
    create_evaluation(coop, kind="potential")
    small = {url: count_queries(client, url) for url in urls}
    today = timezone.localdate()
    for n in range(8):
        other = ActivityFactory(cooperation=coop)
        DeliverableFactory(activity=other, planned_on=today - timedelta(days=n), revised_on=today)
        RiskFactory(cooperation=coop, category=None)
        MembershipFactory(cooperation=coop)
        MembershipFactory(cooperation=coop, left_on=today)
    create_evaluation(coop, kind="effective", on=today)
    large = {url: count_queries(client, url) for url in urls}
    assert large == small
