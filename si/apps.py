from django.apps import AppConfig


class SiConfig(AppConfig):
    name = "si"
    verbose_name = "Système d'information des coopérations (check-list ANAP)"

    def ready(self):
        from core.registry import StepPanel, register_step_panel
        from si import hooks
        from si.catalogue import register_catalogues

        register_catalogues()
        register_step_panel(
            StepPanel(
                key="si-checklist",
                template="si/_step_panel.html",
                get_context=hooks.step_panel,
                order=10,
            )
        )
