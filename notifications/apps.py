from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from celery.schedules import crontab

        from config.celery import app as celery_app
        from cooperations.signals import cooperation_event
        from core.registry import NavItem, register_nav
        from notifications import receivers, selectors

        cooperation_event.connect(
            receivers.on_cooperation_event, dispatch_uid="notifications_cooperation_event"
        )
        register_nav(
            NavItem(
                label="Notifications",
                url_name="notifications:list",
                order=70,
                visible=lambda user: user.is_authenticated,
                badge=selectors.unread_count,
            )
        )
        # Every morning: the daily digest of those who asked for one.
        celery_app.conf.beat_schedule["notifications-daily-digest"] = {
            "task": "notifications.tasks.send_daily_digests",
            "schedule": crontab(hour=7, minute=0),
        }
