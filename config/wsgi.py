import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

if os.environ.get("WEB_PRELOAD_CHARTS", "1") != "0":
    # The charts' library is imported at start, not in a user's request (core.charts.preload).
    from core.charts import preload

    preload()
