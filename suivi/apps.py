from django.apps import AppConfig


class SuiviConfig(AppConfig):
    name = "suivi"
    verbose_name = "KIT 3 — suivi de projet"

    def ready(self):
        from suivi.catalogue import register_catalogues

        register_catalogues()
        from core.registry import (
            CooperationSection,
            HomeWidget,
            register_home_widget,
            register_section,
        )
        from suivi import hooks

        register_section(
            CooperationSection(
                key="suivi",
                label="Suivi de projet (KIT 3)",
                url_name="suivi:tracker",
                order=40,
                summary_template="suivi/_section_summary.html",
                get_context=hooks.section_context,
            )
        )
        register_home_widget(
            HomeWidget(
                key="suivi",
                template="suivi/_home_widget.html",
                get_context=hooks.home_context,
                order=40,
                visible=hooks.home_visible,
            )
        )
        from core.registry import register_portfolio_column, register_portfolio_flag
        from suivi import portfolio

        register_portfolio_column(portfolio.RAG_COLUMN)
        register_portfolio_column(portfolio.COPIL_COLUMN)
        for flag in portfolio.FLAGS:
            register_portfolio_flag(flag)
        register_home_widget(
            HomeWidget(
                key="suivi-copil-guest",
                template="suivi/_home_copil_guest.html",
                get_context=hooks.copil_guest_context,
                order=5,
                visible=lambda user: user.is_authenticated and user.is_copil_guest,
            )
        )
        # Its beat tasks are scheduled in settings (CELERY_BEAT_SCHEDULE).
