"""Settings for Registrar, all read from the environment (see docs/operations.md): production,
or development with DEBUG. The test suite runs on registrar/settings_test.py, which imports
these and changes what only tests need."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from registrar.env import (
    env_bool,
    env_int,
    env_list,
    env_mask,
    env_str,
    env_timezone,
)
from registrar.network import trusted_proxy_networks

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it (50+ random characters), "
            "or set DEBUG=true for development."
        )
    SECRET_KEY = "django-insecure-development-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # Before django_tasks_db: registrar's `db_worker` (with its heartbeat) is the one found.
    "registrar",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "django_tasks_db",
    "bootstrap",
    "axes",
    "enrollment",
    "placements",
    "certification",
    "admissions_sync",
]

MIDDLEWARE = [
    # First: the request id and the one log line per request (registrar/observability.py).
    "registrar.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "registrar.middleware.ChosenLanguageMiddleware",
    # Before anything reads the body (the CSRF check is the first): over-large is a 413.
    "registrar.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "registrar.urls"
WSGI_APPLICATION = "registrar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registrar.context_processors.shell",
            ],
        },
    },
]

# One DATABASE_URL chooses the database; without it, the embedded SQLite file.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# Persistent connections are for the production server (gunicorn's workers reuse theirs).
# The development server answers each request in a new thread that never reuses its
# connection: kept open, they pile up idle (docs/operations.md, « Connexions »).
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 0 if DEBUG else 600, minimum=0)
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite connections are cheap and must not be shared between live-server threads.
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
else:
    # A kept connection is checked before reuse; without keeping, there is nothing to check.
    _db["CONN_HEALTH_CHECKS"] = CONN_MAX_AGE > 0
# psycopg's connection pool (DATABASE_POOL=true): each gunicorn worker keeps up to
# DATABASE_POOL_MAX_SIZE connections open and shares them between its threads; persistent
# connections (CONN_MAX_AGE) are then off. docs/deploy.md compares the two.
DATABASE_POOL = env_bool("DATABASE_POOL", default=False)
if DATABASE_POOL and _db["ENGINE"] == "django.db.backends.postgresql":
    from psycopg_pool import ConnectionPool

    _db["CONN_MAX_AGE"] = 0
    _db["CONN_HEALTH_CHECKS"] = False
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1, minimum=0),
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 4, minimum=1),
        # How long a request waits for a connection: with PostgreSQL down, its 503 comes
        # after this wait.
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 3, minimum=1),
        # A connection is checked as it is taken: after a PostgreSQL restart the pool's
        # broken connections are replaced instead of failing one request each.
        "check": ConnectionPool.check_connection,
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "registrar:home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username + address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# Not its start-up banner on stderr: every management command (cron's nightly import) would
# print it.
AXES_VERBOSE = False
# The user name axes records is cut to its 255-character column (the login forms refuse
# longer ones before, registrar/login.py); the address is read as every throttle reads it.
AXES_USERNAME_CALLABLE = "registrar.login.axes_username"
# A try during a lock-out is not recorded: axes would append its GET and POST data (up to
# 2 KB) to the row each time, so hammering a locked name would grow one row without end;
# and the lock-out ends 15 minutes after the last counted failure, not the last try.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "registrar.network.client_address"

# The reverse proxies whose X-Forwarded-For is believed (addresses or networks, e.g.
# 127.0.0.1,10.0.0.0/8): the client's address is then the one the proxy saw
# (registrar/network.py). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
try:
    TRUSTED_PROXY_NETWORKS = trusted_proxy_networks(TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES has a bad address or network: {exc}") from None

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as users read them (29/11/2026 13 h 39), before Django's own: registrar/formats.
FORMAT_MODULE_PATH = ["registrar.formats"]
TIME_ZONE = env_timezone("TIME_ZONE", "America/Montreal")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` gathers them, for nginx to serve (docs/deploy.md).
STATIC_ROOT = env_str("STATIC_ROOT") or str(BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the application makes and keeps (the placements' print queue): never served as
# static files, only by the views that check who asks (docs/architecture.md rule 5).
# Kept on the local disk (MEDIA_ROOT, atomic writes: registrar/storage.py), or in an
# S3-compatible store shared by every app server when AWS_STORAGE_BUCKET_NAME is set
# (django-storages; docs/deploy.md). Either way only through Django's storage API.
MEDIA_ROOT = env_str("MEDIA_ROOT") or str(BASE_DIR / "media")
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            # Private objects, never overwritten, read through the application's views.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
        },
    }
else:
    _default_storage = {"BACKEND": "registrar.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Content Security Policy: everything from our own origin, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Production hardening; all on unless DEBUG (check --deploy reports nothing then).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer's health checks speak plain HTTP to each app server (docs/deploy.md).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", default=False) else None
)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# E-mail (Django 6.1 mailers): console in development, SMTP in production.
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_mail_options: dict = {}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
        "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
    }
    if _mail_options["use_tls"] and _mail_options["use_ssl"]:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "registrariat@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Work that can outlast a request runs in `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job whose worker gave no sign of life for this long is taken over by another
# worker (registrar/services/jobs.py; the scale test shortens it).
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 600, minimum=5)
# A batch operation with more students than this runs as a tracked background job
# (« Exécuter » and « Annuler » then show its progress); smaller ones inside the request.
BATCH_BACKGROUND_THRESHOLD = env_int("BATCH_BACKGROUND_THRESHOLD", 2000, minimum=0)

# Redis, shared by every app server when set (docs/deploy.md): the cache, the rate limits
# (registrar/throttle.py) and the login lockout (django-axes). Without it, the local-memory
# cache and the database tables (one server, development, tests).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "registrar"),
            "OPTIONS": {
                # Redis down: a cache read is a miss and a write is dropped, the page is
                # served from the database (docs/deploy.md, « Pannes »).
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With Redis, the login lockout lives in the shared cache, so it holds on every app server;
# Redis down, registrar/login_lockout.py lets the login proceed uncounted (axes' own cache
# handler answered 500): staff keep working (docs/decisions/0020-rate-limits-in-redis.md).
# Without Redis, the database.
if REDIS_URL:
    AXES_HANDLER = "registrar.login_lockout.SharedCacheLockoutHandler"
    AXES_CACHE = "default"

# The institution's student number ("numéro DA") as shown: # is a digit.
STUDENT_NUMBER_MASK = env_mask("STUDENT_NUMBER_MASK", "###-####")
INSTITUTION_NAME = env_str("INSTITUTION_NAME", "Cégep Marie-Victorin")

# A pasted list of 20,000 lines (« Saisie manuelle ») is up to a few megabytes of form data.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The whole request body, files included (registrar.middleware.RequestSizeLimitMiddleware):
# the form data above, plus the largest file an import takes: Parcoursup's admissions export
# (admissions_sync/imports.py reads up to 60 MB; 100,000 lines are about 22 MB), plus
# multipart framing. The reverse proxy's client_max_body_size is the same
# (docs/operations.md).
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_MB", 64, minimum=1) * 1024 * 1024

# Share of a formation's present applicants a Parcoursup import may remove without being
# confirmed (« --force », or the preview's box): more looks like a truncated file
# (admissions_sync/services/imports.py). Percent in the environment, 20 by default.
PARCOURSUP_MAX_REMOVED_SHARE = env_int("PARCOURSUP_MAX_REMOVED_PERCENT", 20, minimum=0) / 100

# The address the application is reached at, for links in messages sent without a request
# (the bulk e-mail of pre-registration links runs in the background worker).
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
# How long a pre-registration link sent to an applicant stays open (days).
PREREGISTRATION_LINK_DAYS = env_int("PREREGISTRATION_LINK_DAYS", 60, minimum=1)

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# One line per request and per task (registrar/observability.py): JSON in production
# (LOG_FORMAT=json, the default without DEBUG), plain text in development.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json").lower()
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "registrar.observability.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # weasyprint logs a line per page laid out at INFO: hundreds for a long report.
    # WeasyPrint's progress and fontTools' font subsetting log a dozen INFO lines per PDF:
    # a send of 200 PDFs spent most of its time writing them (docs/performance.md).
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # The development server already prints a line per request.
        "registrar.request": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        # Its own line per request is the access log; Django's duplicates 4xx/5xx lines.
        "django.request": {"level": "ERROR"},
    },
}

# Errors (and their context) to Sentry when SENTRY_DSN is set; no personal data is sent.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        traces_sample_rate=0.0,
    )

# In development, whitenoise serves files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
