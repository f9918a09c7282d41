"""The notification engine: who hears of an event, how, and when it is settled.

Keyword-only, called by the signal receiver (`receivers.py`) for the events other modules
send through `cooperations.signals.cooperation_event`, and directly by KIT 1 for step
events. E-mails leave through Celery after the commit; the daily digest is a beat task.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from core import taskqueue
from notifications.kinds import ARS, AUDIENCE, LABELS, SETTLES, TEAM
from notifications.models import Delivery, Notification, NotificationPreference


def pilot_ars_agents(cooperation):
    return User.objects.filter(role=Role.ARS_AGENT, ars_id=cooperation.pilot_ars_id, is_active=True)


def project_team(cooperation):
    """Referents of the active members (an ET's referent, or its EJ's, and the reverse)."""
    members = cooperation.memberships.active()
    return (
        User.objects.filter(role=Role.REFERENT, is_active=True)
        .filter(
            Q(establishments__in=members.values("establishment"))
            | Q(establishments__legal_entity__in=members.values("legal_entity"))
            | Q(legal_entities__in=members.values("legal_entity"))
            | Q(legal_entities__in=members.values("establishment__legal_entity"))
        )
        .distinct()
    )


def audience(cooperation, kind: str) -> list:
    users: dict[int, User] = {}
    who = AUDIENCE.get(kind, (TEAM, ARS))
    if TEAM in who:
        users.update({u.pk: u for u in project_team(cooperation)})
    if ARS in who:
        users.update({u.pk: u for u in pilot_ars_agents(cooperation)})
    return list(users.values())


def _target_key(target):
    if target is None or target.pk is None:
        return None, None
    return ContentType.objects.get_for_model(target), target.pk


def settle(*, kinds, target=None, cooperation=None) -> int:
    """Mark done the open notifications of these kinds about `target` (or, without a
    target, about the cooperation): what they asked for has been handled."""
    if not kinds:
        return 0
    open_ones = Notification.objects.filter(kind__in=list(kinds), done_at__isnull=True)
    if target is not None:
        target_type, target_id = _target_key(target)
        open_ones = open_ones.filter(target_type=target_type, target_id=target_id)
    elif cooperation is not None:
        open_ones = open_ones.filter(cooperation=cooperation)
    else:
        return 0
    return open_ones.update(done_at=timezone.now())


def _preferences(user_ids) -> dict[int, NotificationPreference]:
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)}


def delivery_of(preference: NotificationPreference | None, kind: str) -> str:
    return preference.delivery_for(kind) if preference else Delivery.IMMEDIATE


@transaction.atomic
def notify(
    *,
    cooperation,
    kind: str,
    recipients,
    subject: str,
    message: str,
    url: str = "",
    target=None,
    actor=None,
) -> list[int]:
    """Create one notification per recipient (never the actor), settle what this event
    answers, and send the immediate e-mails after the commit. A recipient who already
    has an open notification of this kind about this target gets no second one (the
    daily overdue scans run every day)."""
    settle(kinds=SETTLES.get(kind, ()), target=target, cooperation=cooperation)
    target_type, target_id = _target_key(target)
    users = {u.pk: u for u in recipients if u.is_active and (actor is None or u.pk != actor.pk)}
    if target_type is not None and users:
        already = set(
            Notification.objects.filter(
                recipient_id__in=list(users),
                kind=kind,
                target_type=target_type,
                target_id=target_id,
                done_at__isnull=True,
            ).values_list("recipient_id", flat=True)
        )
        users = {pk: u for pk, u in users.items() if pk not in already}
    if not users:
        return []
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                cooperation=cooperation,
                kind=kind,
                subject=subject[:255],
                message=message,
                url=url[:300],
                target_type=target_type,
                target_id=target_id,
            )
            for user in users.values()
        ]
    )
    ids = [n.pk for n in created if n.pk]
    if len(ids) != len(created):  # a backend that returns no ids from bulk_create
        ids = list(
            Notification.objects.filter(
                recipient_id__in=list(users), kind=kind, subject=subject[:255], emailed_at=None
            ).values_list("pk", flat=True)
        )
    preferences = _preferences(list(users))
    immediate = [
        n.pk
        for n in Notification.objects.filter(pk__in=ids)
        if delivery_of(preferences.get(n.recipient_id), kind) == Delivery.IMMEDIATE
    ]
    if immediate:
        from notifications.tasks import send_notification_emails

        # Redis down: the in-app notifications are stored and the unsent e-mails (emailed_at
        # empty) logged, rather than the user's action turned into an error page.
        taskqueue.submit_on_commit(send_notification_emails, immediate)
    return ids


def notify_event(*, cooperation, kind: str, actor=None, target=None, message: str = "") -> list:
    """A domain event (cooperations.signals.cooperation_event) to its audience."""
    name = cooperation.display_short_name
    url = ""
    if target is not None and hasattr(target, "get_absolute_url"):
        url = target.get_absolute_url()
    url = url or cooperation.get_absolute_url()
    recipients = audience(cooperation, kind)
    former = getattr(target, "previous_pilot_ars_id", None)
    if former and former != cooperation.pilot_ars_id:
        # A move (cooperation_moved): the former pilot ARS hears of it too.
        recipients += list(User.objects.filter(role=Role.ARS_AGENT, ars_id=former, is_active=True))
    return notify(
        cooperation=cooperation,
        kind=kind,
        recipients=recipients,
        subject=f"{LABELS.get(kind, 'Événement')} : {name}",
        message=message
        or f"{LABELS.get(kind, 'Événement')} — coopération « {cooperation.title} ».",
        url=url,
        target=target,
        actor=actor,
    )


def _link(base_url: str, url: str) -> str:
    return f"{base_url.rstrip('/')}{url}" if url else ""


def send_emails(*, notification_ids: list[int], base_url: str = "") -> int:
    """Send the e-mail of each notification once (a retry skips those already sent)."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for notification in pending:
        if not notification.recipient.email:
            continue
        link = _link(base_url, notification.url)
        send_mail(
            f"[KitCoop] {notification.subject}"[:200],
            f"{notification.message}\n\n{('Pour y accéder : ' + link) if link else ''}\n\n— KitCoop",
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


DIGEST_WINDOW = timedelta(days=3)


def send_daily_digests(*, base_url: str = "", now=None) -> int:
    """One French e-mail per user who chose the digest for some kinds: the notifications
    of those kinds not e-mailed yet, still unread and not handled. Idempotent (each
    notification is e-mailed once)."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            read_at__isnull=True,
            done_at__isnull=True,
            created_at__gte=now - DIGEST_WINDOW,
            recipient__notification_preference__isnull=False,
        )
        .select_related("recipient__notification_preference")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        preference = notification.recipient.notification_preference
        if preference.delivery_for(notification.kind) == Delivery.DIGEST:
            by_user.setdefault(notification.recipient_id, []).append(notification)
    sent = 0
    for items in by_user.values():
        recipient = items[0].recipient
        if not recipient.email:
            continue
        lines = []
        for n in items:
            when = timezone.localtime(n.created_at)
            lines.append(f"• {when:%d/%m/%Y %H:%M} — {n.subject}")
            link = _link(base_url, n.url)
            if link:
                lines.append(f"  {link}")
        count = len(items)
        plural = "s" if count > 1 else ""
        body = (
            f"Bonjour,\n\nVoici le récapitulatif de vos notifications KitCoop : "
            f"{count} nouvelle{plural} notification{plural} depuis le dernier envoi.\n\n"
            + "\n".join(lines)
            + f"\n\nToutes vos notifications : {_link(base_url, '/notifications/')}\n"
            f"Modifier vos préférences : {_link(base_url, '/notifications/preferences/')}\n\n— KitCoop"
        )
        with transaction.atomic():
            send_mail(
                f"[KitCoop] Récapitulatif quotidien : {count} notification{plural}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [recipient.email],
            )
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
            NotificationPreference.objects.filter(user=recipient).update(last_digest_at=now)
        sent += 1
    return sent


def mark_read(*, user, ids=None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def preferences_for(user) -> NotificationPreference:
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


@transaction.atomic
def preferences_save(*, user, delivery: str, by_kind: dict) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    preference.delivery = delivery
    preference.by_kind = {k: v for k, v in by_kind.items() if k in LABELS and v and v != delivery}
    preference.full_clean()
    preference.save()
    return preference
