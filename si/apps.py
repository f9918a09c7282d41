from core import registry


class SiConfig(registry.KitConfig):
    name = "si"
    verbose_name = "Système d'information des coopérations (check-list ANAP)"
