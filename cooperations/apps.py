from django.apps import AppConfig


class CooperationsConfig(AppConfig):
    name = "cooperations"
    verbose_name = "Coopérations"

    def ready(self):
        from cooperations.catalogue import register_catalogues

        register_catalogues()
