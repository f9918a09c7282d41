from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle"

    def ready(self):
        from core.registry import NavItem, register_nav

        register_nav(NavItem("Accueil", "home", order=0))
        register_nav(NavItem("Coopérations", "cooperations:list", order=10))
        register_nav(NavItem("Établissements", "territories:search", order=80))
        register_nav(
            NavItem(
                "Import FINESS",
                "territories:import_start",
                order=90,
                visible=lambda user: user.is_national_admin,
            )
        )
        register_nav(
            NavItem(
                "Administration", "admin:index", order=99, visible=lambda u: u.is_national_admin
            )
        )
