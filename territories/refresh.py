"""Scheduled refresh of the register from the ANS's daily files (Celery beat, off by default).

`FINESS_STRUCTURES_URL` and `FINESS_ACTIVITIES_URL` name the files to fetch (the "latest"
resources of the two data.gouv.fr datasets, plain or gzipped); with neither set, nothing is
scheduled. Each file is recorded as an ImportRun with its source URL and imported like a web
import (territories.services.import_run_execute: downloaded to a temporary file, same
detection and importers, same life cycle, so a refresh whose worker died is re-queued by the
reaper and can be started again with "Relancer"); its `changes` say what changed since the
previous import (new, closed and renamed establishments and legal entities, GHT created,
members added or withdrawn). A failed download or a wrong file is recorded as a failed run,
with nothing imported.
"""

import logging
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings

from territories.models import ImportRun
from territories.services import import_run_execute

logger = logging.getLogger(__name__)
# The scheduled refresh waits this long (seconds) for an import started by hand.
REFRESH_LOCK_WAIT = 30 * 60


def refresh_one(url: str, *, expect: str | None = None, beat: bool = False) -> ImportRun:
    """Record and run the import of the file at `url` (`beat`: on a real worker)."""
    name = Path(urlparse(url).path).name or "finess.json"
    run = ImportRun.objects.create(
        kind=expect or "finess", original_name=name[:255], source_url=url[:500]
    )
    # The daily refresh waits for an import started by hand (serialised, see importers).
    run = import_run_execute(run_id=run.pk, lock_wait=REFRESH_LOCK_WAIT, beat=beat)
    logger.info(
        "Actualisation FINESS %s : %s %s", url, run.status, run.counts.get("summary", run.error)
    )
    return run


def refresh_register(
    *, structures_url: str | None = None, activities_url: str | None = None, beat: bool = False
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
        runs.append(refresh_one(structures_url, beat=beat))
    if activities_url:
        runs.append(refresh_one(activities_url, expect="finess-activities", beat=beat))
    return runs
