from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from cooperations.signals import cooperation_event
        from core.registry import NavItem, register
        from notifications import receivers, selectors

        cooperation_event.connect(
            receivers.on_cooperation_event, dispatch_uid="notifications_cooperation_event"
        )
        register(
            NavItem(
                label="Notifications",
                url_name="notifications:list",
                order=70,
                visible=lambda user: user.is_authenticated,
                badge=selectors.unread_count,
            )
        )
        # Its daily digest is scheduled in settings (CELERY_BEAT_SCHEDULE).
