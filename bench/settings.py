"""Production settings plus one bare view (bench/urls.py), for the benchmark server only.

bench.run sets DEBUG=0, SECRET_KEY, SECURE_SSL=0 and DATABASE_URL before anything imports
this module, so everything else is exactly what production runs.
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import LOGGING

ROOT_URLCONF = "bench.urls"
# collectstatic goes outside the checkout: the manifest storage needs it when DEBUG is off.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/kitcoop-bench-static")  # noqa: S108
LOGGING["root"]["level"] = "WARNING"
# Hashed names as in production, without WhiteNoise's gzip/brotli pass: the bench never
# downloads static files, and compressing them costs minutes on a 2-core machine.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
