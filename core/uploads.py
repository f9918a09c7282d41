"""Checks for uploaded files: size, extension and real content type (magic bytes).

Files are always served as attachments (Content-Disposition: attachment) with
X-Content-Type-Options: nosniff, never inline from the app's origin.
"""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse

ALLOWED_TYPES = {
    ".pdf": ("application/pdf", [b"%PDF-"]),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [b"PK\x03\x04"],
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [b"PK\x03\x04"],
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", [b"PK\x03\x04"]),
    ".png": ("image/png", [b"\x89PNG\r\n\x1a\n"]),
    ".jpg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".jpeg": ("image/jpeg", [b"\xff\xd8\xff"]),
}
ALLOWED_LABEL = "PDF, DOCX, XLSX, ODT, PNG ou JPEG"


def human_size(num_bytes: int) -> str:
    if num_bytes >= 1024 * 1024:
        return f"{num_bytes / (1024 * 1024):.0f} Mo".replace(".", ",")
    return f"{num_bytes / 1024:.0f} Ko"


def validate_upload(uploaded, *, max_bytes: int | None = None, allowed=None) -> None:
    """Refuse, with a French message, a file too large or not of an allowed type."""
    allowed = allowed or ALLOWED_TYPES
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if uploaded is None:
        raise ValidationError("Aucun fichier reçu.")
    if uploaded.size > max_bytes:
        raise ValidationError(
            f"Le fichier « {uploaded.name} » pèse {human_size(uploaded.size)} : "
            f"la taille maximale est de {human_size(max_bytes)}."
        )
    if uploaded.size == 0:
        raise ValidationError(f"Le fichier « {uploaded.name} » est vide.")
    extension = os.path.splitext(uploaded.name or "")[1].lower()
    if extension not in allowed:
        raise ValidationError(
            f"Le type du fichier « {uploaded.name} » n'est pas accepté. "
            f"Formats acceptés : {ALLOWED_LABEL}."
        )
    head = uploaded.read(16)
    uploaded.seek(0)
    _mime, signatures = allowed[extension]
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            f"Le contenu du fichier « {uploaded.name} » ne correspond pas à son extension "
            f"{extension} : le fichier est refusé."
        )


def safe_upload_name(filename: str) -> str:
    """A storage name that never reuses the user's name (no path tricks, no collisions)."""
    extension = os.path.splitext(filename or "")[1].lower()
    return f"{uuid.uuid4().hex}{extension if extension in ALLOWED_TYPES else ''}"


def attachment_response(file_field, download_name: str) -> FileResponse:
    extension = os.path.splitext(download_name)[1].lower()
    content_type = ALLOWED_TYPES.get(extension, ("application/octet-stream", []))[0]
    response = FileResponse(
        file_field.open("rb"), as_attachment=True, filename=download_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
