from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = "Conventions"

    def ready(self):
        from conventions.catalogue import register_catalogues

        register_catalogues()

        from conventions import hooks, portfolio
        from core.registry import (
            CooperationSection,
            CopilSection,
            HomeWidget,
            StepPanel,
            register_copil_section,
            register_home_widget,
            register_portfolio_column,
            register_portfolio_flag,
            register_section,
            register_step_panel,
        )

        register_portfolio_column(portfolio.COLUMN)
        for flag in portfolio.FLAGS:
            register_portfolio_flag(flag)
        register_section(
            CooperationSection(
                key="conventions",
                label="Convention",
                url_name="conventions:detail",
                order=30,
                summary_template="conventions/_summary.html",
                get_context=hooks.summary_context,
            )
        )
        register_home_widget(
            HomeWidget(
                key="conventions-approvals",
                template="conventions/_home_approvals.html",
                get_context=hooks.home_approvals,
                order=30,
                visible=lambda user: user.is_authenticated and user.is_ars_agent,
            )
        )
        register_step_panel(
            StepPanel(
                key="conventions-approval",
                template="conventions/_step_approval.html",
                get_context=hooks.step_panel,
                order=20,
            )
        )
        register_copil_section(
            CopilSection(
                key="conventions",
                title="Convention",
                template="conventions/_copil.html",
                get_context=hooks.copil_context,
                order=30,
            )
        )
