from core import registry


class EvalimpactConfig(registry.KitConfig):
    name = "evalimpact"
    verbose_name = "KIT 2 — Eval'Impact"
