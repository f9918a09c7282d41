"""The Celery app of the fault tests' worker subprocesses: KitCoop's own app, with the COPIL
render held for FAULT_RENDER_DELAY seconds and a FINESS import held for FAULT_IMPORT_DELAY
seconds (once it holds the import lock) so that a test can kill the worker while a document
is being produced or a file imported (tests/faults/test_worker_killed.py). Test-only."""

import os
import time

from celery.signals import worker_process_init

from config.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _slow_render(**kwargs) -> None:
    delay = float(os.environ.get("FAULT_RENDER_DELAY", "0"))
    if not delay:
        return
    from suivi import copil

    render = copil.render_pdf

    def slow_render(*args, **kw):
        time.sleep(delay)
        return render(*args, **kw)

    copil.render_pdf = slow_render


@worker_process_init.connect
def _slow_import(**kwargs) -> None:
    delay = float(os.environ.get("FAULT_IMPORT_DELAY", "0"))
    if not delay:
        return
    from territories import importers

    run_import = importers._import_register_file

    def slow_import(*args, **kw):
        time.sleep(delay)
        return run_import(*args, **kw)

    importers._import_register_file = slow_import
