from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The home page: the top floor that reads every kit through core.registry's HomeWidget.

    Outside `core`, so that the ground floor imports nothing above it (docs/ARCHITECTURE.md).
    """

    name = "home"
    verbose_name = "Accueil"
