"""The COPIL pack: one PDF assembling the tracker and the sections other kits register.

A CopilPack is a core.models.GeneratedDocument: core.documents runs its life cycle
(heartbeat, retries, stalled-job reaper, "Relancer"). Generation is idempotent: the file
name derives from the pack's request key and generation, a retry after a killed worker
overwrites the partial file instead of adding a second document, and a pack already done
is returned untouched.
"""

import logging
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from cooperations.models import Membership
from core import documents
from core.pdf import render_pdf
from core.registry import COPIL_SECTIONS
from suivi import gantt, selectors
from suivi.models import CopilPack

logger = logging.getLogger(__name__)

TOP_RISKS = 5
FAILED_MESSAGE = (
    "La génération du dossier a échoué après plusieurs tentatives. "
    "Relancez-la ; si le problème persiste, contactez l'administration nationale."
)


def pack_file_name(pack: CopilPack) -> str:
    return (
        f"suivi/copil/{pack.cooperation_id}/dossier-copil-{pack.request_key}-g{pack.generation}.pdf"
    )


def download_name(pack: CopilPack) -> str:
    when = timezone.localtime(pack.finished_at or pack.created_at)
    return f"dossier-copil-{pack.cooperation.file_stem}-{when:%Y-%m-%d-%H%M}.pdf"


def kit_sections(cooperation) -> list[dict]:
    """Sections of the other kits that have data for this cooperation, in their order."""
    sections = []
    for section in COPIL_SECTIONS:
        try:
            context = section.get_context(cooperation)
            if context is None:
                continue
            html = render_to_string(section.template, {**context, "cooperation": cooperation})
        except Exception:  # noqa: BLE001 - one kit's bug must not block the whole pack
            logger.exception("Section COPIL %s en erreur pour %s", section.key, cooperation.pk)
            html = (
                "<p>Cette section n'a pas pu être produite ; l'équipe technique est prévenue.</p>"
            )
        sections.append({"key": section.key, "title": section.title, "html": mark_safe(html)})  # noqa: S308
    return sections


def pack_context(cooperation, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    data = selectors.tracker(cooperation, today)
    report_list = list(selectors.reports(cooperation))
    members = (
        Membership.objects.active()
        .filter(cooperation=cooperation)
        .select_related("establishment", "legal_entity")
        .by_rank()
    )
    risk_list = list(selectors.risks(cooperation, include_closed=False)[:TOP_RISKS])
    return {
        "cooperation": cooperation,
        "today": today,
        "tracker": data,
        "gantt": gantt.build(data),
        "members": list(members),
        "risks": risk_list,
        "reports": report_list,
        "latest_report": report_list[0] if report_list else None,
        "kit_sections": kit_sections(cooperation),
        "tracker_rule": data.rule,
    }


def copil_pack_generate(*, pack_id: int, today: date | None = None) -> CopilPack | None:
    """The task's work: render the pack's PDF and store it (None: nothing to do)."""
    pack = documents.start(CopilPack, pack_id)
    if pack is None:
        return CopilPack.objects.filter(pk=pack_id).first()
    cooperation = pack.cooperation
    context = pack_context(cooperation, today)
    documents.set_progress(pack, 40)
    title = f"Dossier COPIL — {cooperation.title}"
    pdf = render_pdf("suivi/pdf/copil.html", context, title=title)
    documents.set_progress(pack, 80)
    name = documents.store(pack, "file", pack_file_name(pack), pdf)
    return documents.finish(pack, {"file": name})
