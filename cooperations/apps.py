from django.apps import AppConfig


class CooperationsConfig(AppConfig):
    name = "cooperations"
    verbose_name = "Coopérations"
