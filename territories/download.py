"""Download of a register file (the scheduled refresh's source): streamed, size-capped,
French errors."""

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings

USER_AGENT = "KitCoop (actualisation du répertoire FINESS)"


class DownloadError(RuntimeError):
    """The file could not be fetched (French message)."""


def download(
    url: str, target: Path, *, timeout: float | None = None, max_bytes: int | None = None
) -> int:
    """Stream `url` into `target`; returns the size. Raises DownloadError."""
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise DownloadError(f"Adresse refusée (seuls http et https sont permis) : {url}")
    timeout = timeout or settings.FINESS_DOWNLOAD_TIMEOUT
    max_bytes = max_bytes or settings.FINESS_DOWNLOAD_MAX_BYTES
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,  # noqa: S310
            open(target, "wb") as out,
        ):
            size = 0
            while chunk := response.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadError(
                        f"Le fichier dépasse la taille maximale permise ({max_bytes // 2**20} Mo)."
                    )
                out.write(chunk)
    except urllib.error.HTTPError as error:
        raise DownloadError(
            f"Le serveur a répondu {error.code} ({error.reason}) pour {url}."
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DownloadError(f"Téléchargement impossible depuis {url} : {reason}.") from error
    if not size:
        raise DownloadError(f"Le fichier téléchargé depuis {url} est vide.")
    return size
