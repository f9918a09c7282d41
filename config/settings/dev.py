"""Developer default for `manage.py` on a workstation: DEBUG on unless DEBUG is set.

Production never uses this module: gunicorn (config/wsgi.py), Celery (config/celery.py) and
the Docker image (DJANGO_SETTINGS_MODULE=config.settings.base) load the base settings, where
DEBUG is off by default and a missing SECRET_KEY refuses to start.
"""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings.base import *  # noqa: E402,F403
