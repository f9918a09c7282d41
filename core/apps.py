from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle"

    def ready(self):
        from core.registry import NavItem, register, signed_in

        register(NavItem("Accueil", "home", order=0))
        register(NavItem("Coopérations", "cooperations:list", order=10))
        register(NavItem("Établissements", "territories:search", order=80))
        register(
            NavItem(
                "Import FINESS",
                "territories:import_start",
                order=90,
                visible=signed_in("is_national_admin"),
            )
        )
        register(
            NavItem(
                "Administration", "admin:index", order=99, visible=signed_in("is_national_admin")
            )
        )
