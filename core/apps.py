from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle"

    def ready(self):
        from core.registry import NavItem, register

        register(NavItem("Accueil", "home", order=0))
        register(NavItem("Coopérations", "cooperations:list", order=10))
        register(NavItem("Établissements", "territories:search", order=80))
        register(
            NavItem(
                "Import FINESS",
                "territories:import_start",
                order=90,
                visible=lambda user: user.is_national_admin,
            )
        )
        register(
            NavItem(
                "Administration", "admin:index", order=99, visible=lambda u: u.is_national_admin
            )
        )
