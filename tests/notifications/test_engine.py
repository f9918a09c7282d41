"""The notification engine: events from every module reach the right people, settle when
handled, follow each user's preferences; the daily digest; the unread count."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cooperations import services as cooperation_services
from cooperations.signals import cooperation_event
from fiches.services.comments import comment_add
from fiches.services.workflow import step_submit, step_validate
from notifications import services
from notifications.models import Delivery, Notification
from tests.fiches.helpers import fill_mandatory, steps_of
from tests.territories.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def _recipients(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_member_added_reaches_team_and_pilot_ars_but_not_the_actor(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cooperation_services.membership_add(
            cooperation=world.coop_ara, establishment=EstablishmentFactory(), actor=world.referent_a
        )
    assert _recipients("member_added") == ["agent_ara"]  # referent_a acted; agent_occ is elsewhere
    notification = Notification.objects.get(kind="member_added")
    assert "a rejoint la coopération" in notification.message
    assert mail.outbox[-1].to == [world.agent_ara.email]
    assert "http://testserver" not in mail.outbox[-1].body


def test_convention_events_of_other_modules_go_through_the_signal(
    world, django_capture_on_commit_callbacks
):
    cooperation_event.send(
        sender=None,
        cooperation=world.coop_ara,
        kind="convention_all_signed",
        actor=world.referent_a,
        target=None,
        message="Tous les membres ont signé.",
    )
    assert _recipients("convention_all_signed") == ["agent_ara"]
    cooperation_event.send(
        sender=None,
        cooperation=world.coop_ara,
        kind="convention_approved",
        actor=world.agent_ara,
        target=None,
        message="La convention est approuvée.",
    )
    assert _recipients("convention_approved") == ["referent_a"]
    # The approval handles what the "all signed" notification asked of the ARS.
    assert Notification.objects.get(kind="convention_all_signed").done_at is not None


def test_step_comment_and_decision_settle_the_submission(world, django_capture_on_commit_callbacks):
    step = fill_mandatory(steps_of(world.coop_ara)[1], world.referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        step_submit(step=step, user=world.referent_a)
        comment_add(step=step, user=world.agent_ara, body="Merci de préciser la population.")
    assert _recipients("step_submitted") == ["agent_ara"]
    assert _recipients("step_comment") == ["referent_a"]
    submitted = Notification.objects.get(kind="step_submitted")
    assert submitted.done_at is None
    with django_capture_on_commit_callbacks(execute=True):
        step_validate(step=step, user=world.agent_ara)
    submitted.refresh_from_db()
    assert submitted.done_at is not None
    assert _recipients("step_validated") == ["referent_a"]


def test_digest_preference_holds_the_mail_until_the_daily_digest(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://kitcoop.exemple.gouv.fr"
    services.preferences_save(user=world.agent_ara, delivery=Delivery.DIGEST, by_kind={})
    with django_capture_on_commit_callbacks(execute=True):
        cooperation_services.membership_add(
            cooperation=world.coop_ara, establishment=EstablishmentFactory(), actor=world.admin
        )
    to_agent = [m for m in mail.outbox if m.to == [world.agent_ara.email]]
    assert not to_agent  # no immediate mail
    assert services.send_daily_digests(base_url=settings.SITE_URL) == 1
    digest = mail.outbox[-1]
    assert digest.to == [world.agent_ara.email]
    assert digest.subject == "[KitCoop] Récapitulatif quotidien : 1 notification"
    assert f"https://kitcoop.exemple.gouv.fr/cooperations/{world.coop_ara.pk}/" in digest.body
    assert "Nouveau membre" in digest.body
    assert services.send_daily_digests(base_url=settings.SITE_URL) == 0  # sent once


def test_in_app_only_sends_no_mail(world, django_capture_on_commit_callbacks):
    services.preferences_save(
        user=world.agent_ara, delivery=Delivery.IMMEDIATE, by_kind={"member_added": Delivery.IN_APP}
    )
    with django_capture_on_commit_callbacks(execute=True):
        cooperation_services.membership_add(
            cooperation=world.coop_ara, establishment=EstablishmentFactory(), actor=world.admin
        )
    assert Notification.objects.filter(recipient=world.agent_ara).count() == 1
    assert not [m for m in mail.outbox if m.to == [world.agent_ara.email]]


def test_unread_count_in_navigation_and_opening_marks_read(world, login):
    notification = Notification.objects.create(
        recipient=world.referent_a,
        cooperation=world.coop_ara,
        kind="member_added",
        subject="Nouveau membre : Imagerie",
        message="…",
        url=world.coop_ara.get_absolute_url(),
    )
    client = login(world.referent_a)
    html = client.get(reverse("home")).content.decode()
    assert "Notifications <span" in html and '>1<span class="fr-sr-only"> non lue</span>' in html
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == world.coop_ara.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "non lue" not in client.get(reverse("home")).content.decode()


def test_overdue_scan_notifies_once_and_settles_when_done(
    world, django_capture_on_commit_callbacks
):
    from suivi import overdue
    from suivi import services as suivi_services
    from tests.suivi.factories import ActivityFactory, DeliverableFactory

    today = timezone.localdate()
    deliverable = DeliverableFactory(
        activity=ActivityFactory(cooperation=world.coop_ara), planned_on=today - timedelta(days=3)
    )
    overdue.scan(today)
    overdue.scan(today)  # the beat runs every day: one notification per person, not two
    assert _recipients("deliverable_overdue") == ["referent_a"]
    assert "en retard" in Notification.objects.get(kind="deliverable_overdue").message
    suivi_services.deliverable_update(
        deliverable=deliverable,
        data={"done_on": today, "progress": 100},
        version=deliverable.version,
        user=world.referent_a,
    )
    assert Notification.objects.get(kind="deliverable_overdue").done_at is not None


def test_preferences_page_saves_per_kind_choices(world, login):
    client = login(world.agent_ara)
    response = client.post(
        reverse("notifications:preferences"),
        {"delivery": "digest", "kind_step_submitted": "immediate"},
    )
    assert response.status_code == 302
    preference = world.agent_ara.notification_preference
    assert preference.delivery_for("step_submitted") == "immediate"
    assert preference.delivery_for("member_added") == "digest"
