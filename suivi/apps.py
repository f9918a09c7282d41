from django.apps import AppConfig


class SuiviConfig(AppConfig):
    name = "suivi"
    verbose_name = "KIT 3 — suivi de projet"

    def ready(self):
        from suivi.catalogue import register_catalogues

        register_catalogues()
        from celery.schedules import crontab

        from config.celery import app as celery_app
        from core.registry import (
            CooperationSection,
            HomeWidget,
            register_home_widget,
            register_section,
        )
        from suivi import widgets

        register_section(
            CooperationSection(
                key="suivi",
                label="Suivi de projet (KIT 3)",
                url_name="suivi:tracker",
                order=40,
                summary_template="suivi/_section_summary.html",
                get_context=widgets.section_context,
            )
        )
        register_home_widget(
            HomeWidget(
                key="suivi",
                template="suivi/_home_widget.html",
                get_context=widgets.home_context,
                order=40,
                visible=widgets.home_visible,
            )
        )
        # Every morning: e-mail the teams whose status report is due soon (idempotent task).
        celery_app.conf.beat_schedule["suivi-report-reminders"] = {
            "task": "suivi.tasks.send_report_reminders",
            "schedule": crontab(hour=7, minute=30),
        }
