"""Scheduled refresh of the register from the ANS's daily files (Celery beat, off by default).

`FINESS_STRUCTURES_URL` and `FINESS_ACTIVITIES_URL` name the files to fetch (the "latest"
resources of the two data.gouv.fr datasets, plain or gzipped); with neither set, nothing is
scheduled. Each file is downloaded to a temporary file (streamed, size-capped), imported
with the same detection and importers as the command and the web import, and recorded as an
ImportRun whose `changes` say what changed since the previous import (new, closed and renamed
establishments and legal entities, GHT created, members added or withdrawn). A failed
download or a wrong file is recorded as a failed run, with nothing imported.
"""

import logging
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.utils import timezone

from territories.importers import ImportBusy, NotAFinessFile, import_register_file
from territories.models import ImportRun

logger = logging.getLogger(__name__)
USER_AGENT = "KitCoop (actualisation du répertoire FINESS)"
# The scheduled refresh waits this long (seconds) for an import started by hand.
REFRESH_LOCK_WAIT = 30 * 60
FAILED_MESSAGE = (
    "L'actualisation a échoué et rien n'a été enregistré. L'erreur est consignée pour "
    "l'équipe technique."
)


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


def refresh_one(url: str, *, expect: str | None = None) -> ImportRun:
    from territories.services import apply_report

    name = Path(urlparse(url).path).name or "finess.json"
    run = ImportRun.objects.create(
        kind=expect or "finess",
        original_name=name[:255],
        source_url=url[:500],
        status=ImportRun.Status.RUNNING,
    )
    folder = tempfile.mkdtemp(prefix="kitcoop-finess-")
    try:
        path = Path(folder) / name
        run.total_bytes = download(url, path)
        # The daily refresh waits for an import started by hand (serialised, see importers).
        report = import_register_file(path, name=name, expect=expect, lock_wait=REFRESH_LOCK_WAIT)
    except ImportBusy as busy:
        run.status, run.error = ImportRun.Status.FAILED, busy.message
    except (DownloadError, NotAFinessFile) as error:
        run.status, run.error = ImportRun.Status.FAILED, str(error)
    except Exception:  # noqa: BLE001 - recorded, nothing written (one transaction)
        logger.exception("Actualisation FINESS en échec (%s)", url)
        run.status = ImportRun.Status.FAILED
        run.error = FAILED_MESSAGE
    else:
        run.status = ImportRun.Status.DONE
        run.processed_bytes = run.total_bytes
        apply_report(run, report)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    run.finished_at = timezone.now()
    run.save()
    logger.info(
        "Actualisation FINESS %s : %s %s", url, run.status, run.counts.get("summary", run.error)
    )
    return run


def refresh_register(
    *, structures_url: str | None = None, activities_url: str | None = None
) -> list[ImportRun]:
    """Fetch and import the configured files, structures first (activities need its sites)."""
    structures_url = (
        structures_url if structures_url is not None else settings.FINESS_STRUCTURES_URL
    )
    activities_url = (
        activities_url if activities_url is not None else settings.FINESS_ACTIVITIES_URL
    )
    runs = []
    if structures_url:
        runs.append(refresh_one(structures_url))
    if activities_url:
        runs.append(refresh_one(activities_url, expect="finess-activities"))
    return runs
