from django.apps import AppConfig


class EvalimpactConfig(AppConfig):
    name = "evalimpact"
    verbose_name = "KIT 2 — Eval'Impact"

    def ready(self):
        from evalimpact.catalogue import register_catalogues

        register_catalogues()
        from core.registry import (
            CooperationSection,
            CopilSection,
            EstablishmentSection,
            NavItem,
            register_copil_section,
            register_establishment_section,
            register_nav,
            register_section,
        )
        from evalimpact import hooks
        from evalimpact import register_section as establishment_blocks

        register_establishment_section(
            EstablishmentSection(
                key="hospidiag",
                title="Indicateurs Hospi Diag",
                template="evalimpact/_establishment_hospidiag.html",
                get_context=establishment_blocks.hospidiag_context,
                order=40,
            )
        )

        register_nav(
            NavItem(
                label="Eval'Impact",
                url_name="evalimpact:compare",
                order=40,
                visible=hooks.can_compare,
            )
        )
        register_section(
            CooperationSection(
                key="evalimpact",
                label="Eval'Impact",
                url_name="evalimpact:cooperation",
                order=30,
                summary_template="evalimpact/_section_summary.html",
                get_context=hooks.section_context,
            )
        )
        register_copil_section(
            CopilSection(
                key="evalimpact",
                title="Eval'Impact : impact potentiel et effectif",
                template="evalimpact/pdf/_copil.html",
                get_context=hooks.copil_context,
                order=30,
            )
        )
