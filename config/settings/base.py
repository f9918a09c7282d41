"""KitCoop settings, read from environment variables.

Every variable is documented in README.md ("Configuration"). Defaults are safe for
production: DEBUG is off and SECRET_KEY must be given unless DEBUG is on.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-dev-only-key-never-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY manquant : définissez la variable d'environnement SECRET_KEY "
            "(obligatoire hors mode DEBUG). / SECRET_KEY is required when DEBUG is off."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# KitCoop's own apps, ground floor first (tests/test_layers.py); the glossary script and
# the permission matrix walk them in this order.
PROJECT_APPS = [
    "core",
    "accounts",
    "territories",
    "cooperations",
    "fiches",
    "conventions",
    "evalimpact",
    "suivi",
    "notifications",
    "si",
    "api",
    "home",
    "demo",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "crispy_forms",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cooperations.scoping.ScopeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Cache-Control: no-store for signed-in pages and downloads (issue 14).
    "core.cache_control.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # French 405, and the French 404 under DEBUG (core/errors.py); inside the CSP
    # middleware, whose nonce the page's scripts need.
    "core.errors.ErrorPagesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"
CRISPY_TEMPLATE_PACK = "kitcoop_dsfr"
CRISPY_ALLOWED_TEMPLATE_PACKS = ("kitcoop_dsfr",)
# Mark required fields with an asterisk (DSFR's documented default), not optional ones.
DSFR_MARK_OPTIONAL_FIELDS = False

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A persistent connection cut by a PostgreSQL restart or failover is checked (and
        # replaced) at the start of the next request instead of failing it with a 500.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "DB_JIT", False
):
    # PostgreSQL's JIT compiles any plan whose estimate passes jit_above_cost: the home
    # page's "reports due" query (per-cooperation subqueries over a region) spent 210 of its
    # 300 ms compiling, to run 90 ms (bench/results/2026-11-30.md). Short OLTP queries
    # never win it back.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Answers only ProConnect callbacks (accounts/proconnect.py).
    "accounts.proconnect.ProConnectBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The CSRF failure page explains, in French, that the session expired (core/errors.py).
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire after 8 hours of work and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Login throttling (django-axes): 5 failures lock the username+IP for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Password-reset requests per hour, per e-mail address and per client IP (accounts/views.py).
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "3"))
PASSWORD_RESET_LIMIT_PER_IP = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_IP", "20"))

# ProConnect (OpenID Connect) beside the password login; off unless an issuer (or discovery
# URL) and a client id are given. See accounts/proconnect.py and README ("ProConnect").
PROCONNECT_ISSUER = os.environ.get("PROCONNECT_ISSUER", "")
PROCONNECT_DISCOVERY_URL = os.environ.get("PROCONNECT_DISCOVERY_URL", "")
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_SCOPES = os.environ.get(
    "PROCONNECT_SCOPES", "openid email given_name usual_name siret idp_id"
)
PROCONNECT_SIGN_ALGO = os.environ.get("PROCONNECT_SIGN_ALGO", "RS256")
PROCONNECT_TIMEOUT = int(os.environ.get("PROCONNECT_TIMEOUT", "10"))
# Password login refused to ARS agents (they use ProConnect) when set and ProConnect is on.
PROCONNECT_REQUIRED_FOR_AGENTS = env_bool("PROCONNECT_REQUIRED_FOR_AGENTS", False)
# Whom users without an account (e.g. an unknown ProConnect identity) should write to.
NATIONAL_ADMIN_EMAIL = os.environ.get("NATIONAL_ADMIN_EMAIL", "administration@kitcoop.local")

# Read API (api/): personal tokens or same-origin session, JSON only, paginated, throttled.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/min")
# Document jobs (summary PDF, a convention version's files, COPIL pack) per user: core.ratelimit.
DOCUMENT_RATE_LIMIT = os.environ.get("DOCUMENT_RATE_LIMIT", "10/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.SameOriginSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiUserRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API KitCoop",
    "DESCRIPTION": (
        "API en lecture des coopérations territoriales en santé suivies dans KitCoop : "
        "coopérations et membres, formes juridiques, étapes KIT 1, conventions, notes "
        "Eval'Impact, livrables et risques du suivi KIT 3, établissements et entités "
        "juridiques par FINESS. Chaque appel voit le périmètre de son auteur."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# django-filter's empty choice: "all values" rather than Django's "---------".
FILTERS_EMPTY_CHOICE_LABEL = "Tous"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: a hard cap on what Django accepts, and a per-file cap checked by validators.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Size limit of a file uploaded on an import page (FINESS, Hospi Diag). Its first name,
# FINESS_IMPORT_MAX_BYTES, is still read when IMPORT_MAX_BYTES is not set.
IMPORT_MAX_BYTES = int(
    os.environ.get("IMPORT_MAX_BYTES")
    or os.environ.get("FINESS_IMPORT_MAX_BYTES")
    or str(200 * 1024 * 1024)
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# E-mail: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "KitCoop <ne-pas-repondre@kitcoop.local>")
# Where users report an accessibility barrier (the RGAA statement names it).
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
    "ACCESSIBILITY_CONTACT_EMAIL", "accessibilite@kitcoop.local"
)
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# ARS work list (issue 15): a cooperation with no recorded activity for this many weeks is
# "stalled"; a convention in force whose end date is this close is "due for renewal".
STALLED_WEEKS = int(os.environ.get("STALLED_WEEKS", "8"))
RENEWAL_NOTICE_DAYS = int(os.environ.get("RENEWAL_NOTICE_DAYS", "180"))

# Celery: with no REDIS_URL, tasks run eagerly in the web process (embedded default).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", str(30 * 60)))
CELERY_TASK_SOFT_TIME_LIMIT = (
    CELERY_TASK_TIME_LIMIT - 5 * 60 if CELERY_TASK_TIME_LIMIT > 600 else None
)
# acks_late: a message is acknowledged when its task ends, so a killed worker's job is
# delivered again, but only once Redis deems it lost (visibility timeout). It must outlast
# the longest job, or a long PDF would be delivered twice while still rendering.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(
        os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(CELERY_TASK_TIME_LIMIT + 30 * 60))
    ),
    # Redis down: fail fast (the page says so in French) rather than hang a web worker.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Generated documents (core.documents): a running job beats every DOCUMENT_HEARTBEAT_SECONDS;
# silent for DOCUMENT_STALLED_SECONDS (or waiting for DOCUMENT_QUEUED_SECONDS), the reaper
# re-queues it or fails it with a French message.
DOCUMENT_HEARTBEAT_SECONDS = float(os.environ.get("DOCUMENT_HEARTBEAT_SECONDS", "30"))
DOCUMENT_STALLED_SECONDS = int(os.environ.get("DOCUMENT_STALLED_SECONDS", "300"))
DOCUMENT_QUEUED_SECONDS = int(os.environ.get("DOCUMENT_QUEUED_SECONDS", "900"))
# Celery beat's whole schedule (times in TIME_ZONE). Kept here, not in the apps' ready(), so
# that no app imports config.celery and one place says what runs when.
CELERY_BEAT_SCHEDULE: dict = {
    # Every morning: the daily digest of those who asked for one (notifications).
    "notifications-daily-digest": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Every morning: late deliverables and overdue reports become notifications (KIT 3).
    "suivi-overdue-scan": {
        "task": "suivi.tasks.scan_overdue",
        "schedule": crontab(hour=6, minute=45),
    },
    # Every morning: e-mail the teams whose status report is due soon (idempotent task).
    "suivi-report-reminders": {
        "task": "suivi.tasks.send_report_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "reap-stalled-documents": {
        "task": "core.tasks.reap_stalled_documents",
        "schedule": float(os.environ.get("DOCUMENT_REAPER_SECONDS", "60")),
    },
    # Tacit approval of conventions (CSP R6133-1-1, R6132-6): also computed on every read.
    "convention-tacit-approvals": {
        "task": "conventions.tasks.apply_tacit_approvals",
        "schedule": 6 * 60 * 60,
    },
}

# FINESS register refresh (territories/refresh.py): off unless a URL is configured.
FINESS_STRUCTURES_URL = os.environ.get("FINESS_STRUCTURES_URL", "")
FINESS_ACTIVITIES_URL = os.environ.get("FINESS_ACTIVITIES_URL", "")
FINESS_REFRESH_HOUR = int(os.environ.get("FINESS_REFRESH_HOUR", "6"))
FINESS_DOWNLOAD_TIMEOUT = float(os.environ.get("FINESS_DOWNLOAD_TIMEOUT", "120"))
FINESS_DOWNLOAD_MAX_BYTES = int(os.environ.get("FINESS_DOWNLOAD_MAX_BYTES", str(2 * 1024**3)))
if FINESS_STRUCTURES_URL or FINESS_ACTIVITIES_URL:
    CELERY_BEAT_SCHEDULE["finess-refresh"] = {
        "task": "territories.tasks.refresh_finess_register",
        "schedule": crontab(hour=FINESS_REFRESH_HOUR, minute=15),
    }

CACHES = {
    "default": (
        # Redis down: every cache read is a miss (read from the database), never a 500.
        {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL and not env_bool("LOCAL_CACHE", False)
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read from the shared cache, written through to the database: they never
# depend on Redis alone (with Redis down, the resilient cache misses and the database
# answers). Only with a shared cache: a per-process cache would keep a logged-out session
# alive in other workers.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHES["default"]["BACKEND"].endswith("RedisCache")
    else "django.contrib.sessions.backends.db"
)

# Security headers. HTTPS-only settings are switched on by SECURE_SSL (production).
SECURE_SSL = env_bool("SECURE_SSL", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/"]
# /healthz answers 503 when no Celery worker answers (core/health.py); off by default: a web
# node serves pages without a worker.
HEALTHZ_REQUIRE_WORKER = env_bool("HEALTHZ_REQUIRE_WORKER", False)

from csp.constants import NONCE, SELF  # noqa: E402


def _origin(url: str) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


PROCONNECT_ORIGINS = _origin(PROCONNECT_DISCOVERY_URL or PROCONNECT_ISSUER)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "frame-ancestors": ["'none'"],
        # Signing out posts a form that ends at ProConnect's end-session endpoint.
        "form-action": [SELF, *PROCONNECT_ORIGINS],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Eager tasks (make run) would log every task run on the console.
        "celery.app.trace": {"level": "WARNING"},
    },
}

ADMIN_URL = os.environ.get("ADMIN_URL", "admin/")

# Open data used by the demo and the tests (SAE 2022, Hospi Diag 2022).
SHARED_DATA_DIR = Path(os.environ.get("SHARED_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))
# Reviewable catalogue files (legal forms, fiches, convention templates, indicators…),
# loaded by `manage.py load_catalogues` (core/catalogues.py).
CATALOGUES_DIR = Path(os.environ.get("CATALOGUES_DIR", str(BASE_DIR / "catalogues")))
