from core import registry


class ConventionsConfig(registry.KitConfig):
    name = "conventions"
    verbose_name = "Conventions"
