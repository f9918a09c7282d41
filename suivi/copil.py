"""The COPIL pack: one PDF assembling the tracker and the sections other kits register.

Generation is idempotent: the file name derives from the pack's request key, a retry
after a killed worker overwrites the partial file instead of adding a second document,
and a pack already done is returned untouched.
"""

import logging
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from cooperations.models import Membership
from core.pdf import render_pdf
from core.registry import COPIL_SECTIONS
from suivi import gantt, selectors
from suivi.models import CopilPack

logger = logging.getLogger(__name__)

TOP_RISKS = 5


def pack_file_name(pack: CopilPack) -> str:
    return f"suivi/copil/{pack.cooperation_id}/dossier-copil-{pack.request_key}.pdf"


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


def _set_progress(pack_id: int, percent: int) -> None:
    CopilPack.objects.filter(pk=pack_id).update(progress=percent)


def copil_pack_generate(*, pack_id: int, today: date | None = None) -> CopilPack:
    with transaction.atomic():
        pack = CopilPack.objects.select_for_update().select_related("cooperation").get(pk=pack_id)
        if pack.status == CopilPack.Status.DONE and pack.file:
            return pack
        pack.status = CopilPack.Status.RUNNING
        pack.progress = 10
        pack.attempts += 1
        pack.error = ""
        pack.save(update_fields=["status", "progress", "attempts", "error"])
    cooperation = pack.cooperation
    context = pack_context(cooperation, today)
    _set_progress(pack_id, 40)
    title = f"Dossier COPIL — {cooperation.title}"
    pdf = render_pdf("suivi/pdf/copil.html", context, title=title)
    _set_progress(pack_id, 80)
    name = pack_file_name(pack)
    storage = pack.file.storage
    # A worker killed while writing leaves a partial file under this very name: replace it.
    if storage.exists(name):
        storage.delete(name)
    saved_name = storage.save(name, ContentFile(pdf))
    with transaction.atomic():
        pack = CopilPack.objects.select_for_update().get(pk=pack_id)
        if pack.file and pack.file.name != saved_name and storage.exists(pack.file.name):
            storage.delete(pack.file.name)
        pack.file.name = saved_name
        pack.status = CopilPack.Status.DONE
        pack.progress = 100
        pack.finished_at = timezone.now()
        pack.save(update_fields=["file", "status", "progress", "finished_at"])
    return pack


def copil_pack_fail(*, pack_id: int) -> None:
    CopilPack.objects.filter(pk=pack_id).exclude(status=CopilPack.Status.DONE).update(
        status=CopilPack.Status.FAILED,
        error=(
            "La génération du dossier a échoué après plusieurs tentatives. "
            "Relancez-la ; si le problème persiste, contactez l'administration nationale."
        ),
    )
