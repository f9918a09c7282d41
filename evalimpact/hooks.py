"""Context functions for the shared screens (cooperation page, menu, COPIL pack)."""

from core.registry import (
    CooperationSection,
    CopilSection,
    EstablishmentSection,
    NavItem,
    signed_in,
)
from evalimpact import register_section as establishment_blocks
from evalimpact import selectors


def can_compare(user) -> bool:
    return user.is_authenticated and (user.is_national_admin or user.is_ars_agent)


def section_context(request, cooperation) -> dict:
    """Latest axis scores for the cooperation page: 2 queries."""
    summary = selectors.summary_for(cooperation)
    return {
        "potential": summary["potential"],
        "effective": summary["effective"],
        "table": summary["table"],
        "count": len(summary["evaluations"]),
    }


def copil_context(cooperation) -> dict | None:
    summary = selectors.summary_for(cooperation)
    if not summary["evaluations"]:
        return None
    return {"cooperation": cooperation, **selectors.pdf_section_context(summary)}


# What KIT 2 adds to the shared screens (registered by KitConfig.ready()).
REGISTRY = (
    EstablishmentSection(
        key="hospidiag",
        title="Indicateurs Hospi Diag",
        template="evalimpact/_establishment_hospidiag.html",
        get_context=establishment_blocks.hospidiag_context,
        order=40,
    ),
    NavItem(label="Eval'Impact", url_name="evalimpact:compare", order=40, visible=can_compare),
    # Beside "Import FINESS" (order 90), for the same national admins.
    NavItem(
        label="Import Hospi Diag",
        url_name="evalimpact:hospidiag_import_start",
        order=91,
        visible=signed_in("is_national_admin"),
    ),
    CooperationSection(
        key="evalimpact",
        label="Eval'Impact",
        url_name="evalimpact:cooperation",
        order=30,
        summary_template="evalimpact/_section_summary.html",
        get_context=section_context,
    ),
    CopilSection(
        key="evalimpact",
        title="Eval'Impact : impact potentiel et effectif",
        template="evalimpact/pdf/_copil.html",
        get_context=copil_context,
        order=30,
    ),
)
