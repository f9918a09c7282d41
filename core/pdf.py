"""PDF rendering with WeasyPrint, in the State's style, as accessible tagged PDF (PDF/UA-1).

Every kit's PDF extends templates/pdf/base.html and is rendered through render_pdf().
Fonts: Marianne from django-dsfr's wheel (WOFF), DejaVu Sans as fallback; nothing is
fetched from the network (the fetcher allows only file: and data: URLs).
"""

from pathlib import Path

import dsfr
from django.conf import settings
from django.template.loader import render_to_string

from core.text import printable

DSFR_FONTS = Path(dsfr.__file__).resolve().parent / "static" / "dsfr" / "dist" / "fonts"


def render_pdf(template_name: str, context: dict, *, title: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        template_name,
        {**context, "pdf_title": title, "fonts_dir": DSFR_FONTS.as_uri()},
    )
    # Legacy rows may hold control characters (core.text): never let one break a PDF.
    html = printable(html)
    document = HTML(
        string=html,
        base_url=str(Path(settings.BASE_DIR)),
        url_fetcher=URLFetcher(allowed_protocols={"file", "data"}),
    )
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=None, uncompressed_pdf=False)
