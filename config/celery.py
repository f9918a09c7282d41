import importlib
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("kitcoop")
# Every Celery option lives in Django settings under the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def preload_renderers() -> None:
    """Imported once by the worker's parent process, before it forks its children: a COPIL
    pack then costs its rendering, not the 1–3 s of importing WeasyPrint and matplotlib
    (matplotlib as the web process does it, core.charts.preload)."""
    from core.charts import preload

    preload()
    importlib.import_module("weasyprint")


@worker_init.connect
def _preload_on_worker_start(**kwargs) -> None:
    preload_renderers()
