"""PDF and DOCX of one convention version: same clauses, same order, same parties."""

import io
from dataclasses import dataclass

from django.db.models import Max
from django.utils.formats import date_format

from conventions.models import Status
from core.pdf import render_pdf
from core.text import printable


@dataclass
class Block:
    kind: str  # "p" or "ul"
    text: str = ""
    items: list | None = None


def blocks(body: str) -> list[Block]:
    """Plain clause text → paragraphs and bullet lists (lines starting with "- ")."""
    result: list[Block] = []
    # printable: a legacy clause with a control character must not break the DOCX.
    for line in printable(body or "").splitlines():
        line = line.rstrip()
        if not line.strip():
            continue
        if line.lstrip().startswith("- "):
            item = line.lstrip()[2:].strip()
            if result and result[-1].kind == "ul":
                result[-1].items.append(item)
            else:
                result.append(Block("ul", items=[item]))
        else:
            result.append(Block("p", text=line.strip()))
    return result


@dataclass
class Article:
    number: int
    title: str
    legal_reference: str
    blocks: list


def articles(version) -> list[Article]:
    included = [c for c in version.clauses.all() if c.included]
    return [
        Article(index, printable(c.title), printable(c.legal_reference), blocks(c.body))
        for index, c in enumerate(included, start=1)
    ]


def _document_context(version) -> dict:
    convention = version.convention
    signatures = {s.membership_id: s for s in version.signatures.all()}
    parties = [
        {**party, "signature": signatures.get(party["membership"])} for party in version.parties
    ]
    approved = (
        convention.status == Status.APPROVED
        and convention.approved_on is not None
        and version.number == convention.versions.aggregate(last=Max("number"))["last"]
    )
    return {
        "version": version,
        "convention": convention,
        "approval": approval_text(convention) if approved else "",
        "cooperation": convention.cooperation,
        "articles": articles(version),
        "preamble": blocks(version.preamble),
        "parties": parties,
    }


def approval_text(convention) -> str:
    return (
        f"Convention approuvée par arrêté n° {convention.approval_reference} du "
        f"{date_format(convention.approved_on, 'j F Y')} de la directrice ou du directeur "
        f"général de l'{convention.cooperation.pilot_ars}."
    )


def filename(version, extension: str) -> str:
    return f"convention-{version.convention.cooperation_id}-v{version.number}.{extension}"


def _running_title(text: str) -> str:
    """The shared PDF base puts the title in CSS through escapejs, whose \\uXXXX escapes
    CSS does not read: use the typographic apostrophe and hyphen, which it leaves alone."""
    for plain, typographic in (("'", "\u2019"), ("-", "\u2010"), ('"', "\u201d")):
        text = text.replace(plain, typographic)
    return text


def version_pdf(version) -> bytes:
    return render_pdf(
        "conventions/pdf.html",
        _document_context(version),
        title=_running_title(f"{version.title} — version {version.number}"),
    )


def version_docx(version) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    context = _document_context(version)
    document = Document()
    title = printable(version.title)
    document.core_properties.title = title
    document.core_properties.author = "KitCoop"
    style = document.styles["Normal"]
    style.font.name = "Marianne"
    style.font.size = Pt(10)
    header = document.sections[0].header.paragraphs[0]
    header.text = "République française — Ministère chargé de la santé"
    header.alignment = WD_ALIGN_PARAGRAPH.LEFT
    document.add_heading(title, level=0)
    info = document.add_paragraph()
    info.add_run(
        f"Version {version.number} du {date_format(version.created_at, 'j F Y')}"
        f" — {version.get_kind_display()}"
    ).italic = True
    if version.amends_id:
        document.add_paragraph(f"Avenant à la version {version.amends.number}.")
    if context["preamble"]:
        document.add_heading("Préambule", level=1)
        _write_blocks(document, context["preamble"])
    for article in context["articles"]:
        heading = document.add_heading(f"Article {article.number} — {article.title}", level=1)
        for run in heading.runs:
            run.font.color.rgb = RGBColor(0x00, 0x00, 0x91)
        if article.legal_reference:
            document.add_paragraph().add_run(f"Référence : {article.legal_reference}").italic = True
        _write_blocks(document, article.blocks)
    if context["approval"]:
        document.add_heading("Approbation", level=1)
        document.add_paragraph(context["approval"])
    document.add_heading("Signatures des parties", level=1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, label in zip(
        table.rows[0].cells, ["Partie", "Représentée par", "Date et signature"], strict=True
    ):
        cell.text = label
    for party in context["parties"]:
        cells = table.add_row().cells
        cells[0].text = printable(f"{party['name']}\nFINESS {party['finess']}")
        cells[1].text = printable(party["representative"]) or "…"
        signature = party["signature"]
        cells[2].text = (
            printable(f"Signé le {signature.signed_on:%d/%m/%Y} par {signature.signatory}")
            if signature
            else "Fait à …………, le ……………\n\n\n"
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write_blocks(document, items: list[Block]) -> None:
    for block in items:
        if block.kind == "ul":
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        else:
            document.add_paragraph(block.text)
