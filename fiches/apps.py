from core import registry


class FichesConfig(registry.KitConfig):
    name = "fiches"
    verbose_name = "KIT 1 — fiches repères"

    def ready(self):
        super().ready()
        from django.db.models.signals import post_init, post_save

        from cooperations.models import Cooperation
        from fiches import receivers

        post_init.connect(
            receivers.remember_legal_form, sender=Cooperation, dispatch_uid="kit1_legal_form"
        )
        post_save.connect(
            receivers.create_due_steps, sender=Cooperation, dispatch_uid="kit1_due_steps"
        )
