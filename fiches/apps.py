from django.apps import AppConfig


class FichesConfig(AppConfig):
    name = "fiches"
    verbose_name = "KIT 1 — fiches repères"

    def ready(self):
        from fiches.catalogue import register_catalogues

        register_catalogues()
        from django.db.models.signals import post_init, post_save

        from cooperations.models import Cooperation
        from fiches import receivers

        post_init.connect(
            receivers.remember_legal_form, sender=Cooperation, dispatch_uid="kit1_legal_form"
        )
        post_save.connect(
            receivers.create_due_steps, sender=Cooperation, dispatch_uid="kit1_due_steps"
        )

        from core.registry import (
            CooperationSection,
            CopilSection,
            HomeWidget,
            NavItem,
            register_copil_section,
            register_home_widget,
            register_nav,
            register_section,
        )
        from fiches import hooks

        register_nav(NavItem(label="Base de connaissances", url_name="fiches:kb_list", order=60))
        register_nav(
            NavItem(
                label="Étapes à valider",
                url_name="fiches:queue",
                order=55,
                visible=lambda user: user.is_authenticated and user.is_ars_agent,
            )
        )
        register_section(
            CooperationSection(
                key="kit1",
                label="Fiches repères (KIT 1)",
                url_name="fiches:stepper",
                order=10,
                summary_template="fiches/_cooperation_summary.html",
                get_context=hooks.cooperation_summary,
            )
        )
        register_home_widget(
            HomeWidget(
                key="kit1-queue",
                template="fiches/_home_queue.html",
                get_context=hooks.home_queue,
                order=10,
                visible=lambda user: user.is_authenticated and user.is_ars_agent,
            )
        )
        register_home_widget(
            HomeWidget(
                key="kit1-todo",
                template="fiches/_home_todo.html",
                get_context=hooks.home_todo,
                order=10,
                visible=lambda user: user.is_authenticated and user.is_referent,
            )
        )
        from core.registry import register_portfolio_column, register_portfolio_flag
        from fiches import portfolio

        register_portfolio_column(portfolio.COLUMN)
        register_portfolio_flag(portfolio.FLAG)
        register_copil_section(
            CopilSection(
                key="kit1",
                title="KIT 1 — avancement des fiches repères",
                template="fiches/_copil_section.html",
                get_context=hooks.copil_context,
                order=10,
            )
        )
