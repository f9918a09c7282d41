from celery import shared_task
from django.conf import settings

from fiches.services import notifications_send_emails


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    try:
        return notifications_send_emails(
            notification_ids=notification_ids, base_url=getattr(settings, "SITE_URL", "")
        )
    except OSError as error:  # SMTP down: try again later, already-sent mails are skipped
        raise self.retry(exc=error) from error
