"""Test settings: the base settings with a fixed key and fast hashing.

The database is PostgreSQL when DATABASE_URL is set (CI), SQLite otherwise.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("SECURE_SSL", "0")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import DATABASES, LOGGING  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run tasks eagerly unless a test asks for the real worker (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"  # base chose by the cache above
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Look static files up per request rather than indexing every static file (some 1 800) when
# the middleware is built: the test client builds the middleware chain once per test, and that
# index cost ~0.4 s per test (a third of a view test's time).
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/kitcoop-test-media"))  # noqa: F405,S108
AXES_ENABLED = True
LOGGING["root"]["level"] = "WARNING"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
