"""PDF and DOCX of one convention version: same clauses, same order, same parties."""

import io
from dataclasses import dataclass

from django.db.models import Max
from django.utils.formats import date_format

from conventions.approval import decision_sentence
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


DRAFT_NOTICE = "Document de travail : ce texte n'est pas encore soumis à la signature."
DRAFT_STATUSES = {Status.DRAFT, Status.AMENDED, Status.SENT_BACK, Status.REFUSED}


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
        "approval_rule": "" if approved else approval_rule_text(convention),
        "draft_notice": DRAFT_NOTICE if convention.status in DRAFT_STATUSES else "",
        "cooperation": convention.cooperation,
        "articles": articles(version),
        "preamble": blocks(version.preamble),
        "parties": parties,
    }


def approval_text(convention) -> str:
    """The decision as the approved text states it (number, date, approver per form)."""
    return decision_sentence(convention)


def approval_rule_text(convention) -> str:
    """Before a decision: who approves this form's convention, under which article."""
    form = convention.template.legal_form
    if not form.requires_approval:
        text = "La présente convention n'est pas soumise à approbation."
        if form.sent_to_ars:
            text += (
                " Elle est transmise à l'agence régionale de santé pour information lorsque "
                "celle-ci finance ou autorise l'activité."
            )
        return text
    text = f"La présente convention est soumise à l'approbation de {form.approver_text}"
    if form.approval_legal_basis:
        text += f" ({form.approval_legal_basis})"
    text += "."
    if form.tacit_approval and form.approval_delay_months:
        text += (
            f" À défaut de décision dans un délai de {form.approval_delay_months} mois à "
            "compter de sa transmission, elle est réputée approuvée."
        )
    if form.publication_delay_days:
        text += (
            f" L'approbation est publiée dans les {form.publication_delay_days} jours au "
            "recueil des actes administratifs de la région."
        )
    return text


def filename(version, extension: str) -> str:
    """ "convention-gcs-imagerie-bresse-v3.pdf": the cooperation's short name, then the version."""
    stem = version.convention.cooperation.file_stem
    return f"convention-{stem}-v{version.number}.{extension}"


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
    from docx.shared import Mm, Pt, RGBColor

    context = _document_context(version)
    document = Document()
    title = printable(version.title)
    document.core_properties.title = title
    document.core_properties.author = "KitCoop"
    document.core_properties.language = "fr-FR"
    _french(document)
    style = document.styles["Normal"]
    style.font.name = "Marianne"
    style.font.size = Pt(10)
    section = document.sections[0]
    # A4 portrait with 2 cm margins (python-docx defaults to US Letter).
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    header = section.header.paragraphs[0]
    header.text = "République française — Ministère chargé de la santé"
    header.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _page_numbers(section.footer.paragraphs[0], version)
    document.add_heading(title, level=0)
    info = document.add_paragraph()
    info.add_run(
        f"Version {version.number} du {date_format(version.created_at, 'j F Y')}"
        f" — {version.get_kind_display()}"
    ).italic = True
    if version.amends_id:
        document.add_paragraph(f"Avenant à la version {version.amends.number}.")
    if context["draft_notice"]:
        notice = document.add_paragraph().add_run(context["draft_notice"])
        notice.bold = True
        notice.font.color.rgb = RGBColor(0xB3, 0x40, 0x00)
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
    if context["approval"] or context["approval_rule"]:
        document.add_heading("Approbation", level=1)
        document.add_paragraph(context["approval"] or context["approval_rule"])
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


def _french(document) -> None:
    """Declare French (fr-FR) on the document defaults and the Normal style, so that Word's
    spelling, hyphenation and typography follow French rules."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def child(parent, tag):
        found = parent.find(qn(tag))
        if found is None:
            found = OxmlElement(tag)
            parent.append(found)
        return found

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    targets = [
        child(child(defaults, "w:rPrDefault"), "w:rPr"),
        document.styles["Normal"].element.get_or_add_rPr(),
    ]
    for rpr in targets:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "fr-FR")
        lang.set(qn("w:eastAsia"), "fr-FR")
        lang.set(qn("w:bidi"), "ar-SA")


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) computed by the reader when the page is laid out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
        if kind == "separate":
            placeholder = OxmlElement("w:t")
            placeholder.text = "1"
            run._r.append(placeholder)


def _page_numbers(paragraph, version) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(f"{version.title} — version {version.number} — Page ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" sur ")
    _field(paragraph, "NUMPAGES")


def _write_blocks(document, items: list[Block]) -> None:
    for block in items:
        if block.kind == "ul":
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        else:
            document.add_paragraph(block.text)
