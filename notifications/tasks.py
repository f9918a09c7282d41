from celery import shared_task
from django.conf import settings

from notifications import services


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    try:
        return services.send_emails(notification_ids=notification_ids, base_url=settings.SITE_URL)
    except OSError as error:  # SMTP down: try again later, already-sent mails are skipped
        raise self.retry(exc=error) from error


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=300)
def send_daily_digests(self) -> int:
    try:
        return services.send_daily_digests(base_url=settings.SITE_URL)
    except OSError as error:
        raise self.retry(exc=error) from error
