from django.apps import AppConfig


class CooperationsConfig(AppConfig):
    name = "cooperations"
    verbose_name = "Coopérations"

    def ready(self):
        from cooperations.register import import_groupings
        from territories.register_json import register_grouping_handler

        # The FINESS structures import hands its GHT and groupements over to us.
        register_grouping_handler(import_groupings)
