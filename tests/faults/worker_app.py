"""The Celery app of the fault tests' worker subprocesses: KitCoop's own app, with the COPIL
render held for FAULT_RENDER_DELAY seconds so that a test can kill the worker while a
document is being produced (tests/faults/test_worker_killed.py). Test-only."""

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
