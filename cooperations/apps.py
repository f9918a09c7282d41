from django.apps import AppConfig


class CooperationsConfig(AppConfig):
    name = "cooperations"
    verbose_name = "Coopérations"

    def ready(self):
        from cooperations.catalogue import register_catalogues

        register_catalogues()
        from simple_history.signals import post_create_historical_record

        from cooperations import dashboard, portfolio
        from cooperations.activity import bump_last_activity
        from core.registry import NavItem, register

        portfolio.register_defaults()
        dashboard.connect_signals()
        post_create_historical_record.connect(
            bump_last_activity, dispatch_uid="cooperation_last_activity"
        )
        register(
            NavItem(
                label="Tableau de bord",
                url_name="cooperations:dashboard",
                order=12,
                visible=lambda user: (
                    user.is_authenticated and (user.is_national_admin or user.is_ars_agent)
                ),
            )
        )
        from cooperations.register import import_groupings
        from territories.register_json import register_grouping_handler

        # The FINESS structures import hands its GHT and groupements over to us.
        register_grouping_handler(import_groupings)
