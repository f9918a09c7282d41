"""A convention whose stored text holds control characters (saved before the forms
removed them) still gives its DOCX and PDF (issue 14, class 6)."""

import io

import pytest

from conventions import exports, services
from tests.conventions.factories import complete

pytestmark = pytest.mark.django_db


def test_docx_and_pdf_survive_a_control_character_in_a_clause(world):
    from docx import Document
    from pypdf import PdfReader

    complete(world.coop_ara)
    version = services.convention_generate(cooperation=world.coop_ara, user=world.referent_a)
    clause = next(c for c in version.clauses.all() if c.included)
    type(clause).objects.filter(pk=clause.pk).update(
        title="Objet\x0b de la convention", body="Mise en commun\x01 des moyens\x1b."
    )
    version = type(version).objects.get(pk=version.pk)

    document = Document(io.BytesIO(exports.version_docx(version)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Mise en commun des moyens." in text
    assert "Objet de la convention" in text

    reader = PdfReader(io.BytesIO(exports.version_pdf(version)))
    flat = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    assert "Mise en commun des moyens." in flat
