from core import registry


class SuiviConfig(registry.KitConfig):
    # Its beat tasks are scheduled in settings (CELERY_BEAT_SCHEDULE).
    name = "suivi"
    verbose_name = "KIT 3 — suivi de projet"

    def ready(self):
        super().ready()
        from suivi import tracking

        tracking.connect()
