"""Settings of the portal, read from the environment (django-environ).

Production differs from development only by environment values: set
``PORTAL_PRODUCTION=true`` and the variables documented in the README.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

PRODUCTION = env.bool("PORTAL_PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=False)


def _dev_secret(name: str, make) -> str:
    """A secret kept in ``var/`` for development, generated on first use."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


if PRODUCTION:
    SECRET_KEY = env("SECRET_KEY")
    TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS")
else:
    SECRET_KEY = env("SECRET_KEY", default=None) or _dev_secret(
        "secret_key", lambda: get_random_secret_key() + get_random_secret_key()
    )
    TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS", default=[]) or [
        _dev_secret("token_key", _fernet_key)
    ]

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- GoTo API (the local sandbox unless told otherwise) -------------------------------------
SANDBOX_PORT = env.int("SANDBOX_PORT", default=8765)
_sandbox_root = f"http://127.0.0.1:{SANDBOX_PORT}"
GOTO_API_BASE_URL = env("GOTO_API_BASE_URL", default=f"{_sandbox_root}/G2M/rest").rstrip("/")
GOTO_AUTH_BASE_URL = env("GOTO_AUTH_BASE_URL", default=_sandbox_root).rstrip("/")
GOTO_AUTHORIZE_URL = env("GOTO_AUTHORIZE_URL", default=f"{GOTO_AUTH_BASE_URL}/oauth/authorize")
GOTO_TOKEN_URL = env("GOTO_TOKEN_URL", default=f"{GOTO_AUTH_BASE_URL}/oauth/token")
GOTO_DIRECT_LOGIN_URL = env(
    "GOTO_DIRECT_LOGIN_URL", default=f"{GOTO_AUTH_BASE_URL}/oauth/access_token"
)
if PRODUCTION:
    GOTO_CLIENT_ID = env("GOTO_CLIENT_ID")
    GOTO_CLIENT_SECRET = env("GOTO_CLIENT_SECRET")
else:
    # The sandbox's published demo client: not a secret.
    GOTO_CLIENT_ID = env("GOTO_CLIENT_ID", default="portal-demo")
    GOTO_CLIENT_SECRET = env("GOTO_CLIENT_SECRET", default="portal-demo-secret")
# Only users of this GoTo account may sign in; unset = the account of the first admin who did.
GOTO_ACCOUNT_KEY = env.int("GOTO_ACCOUNT_KEY", default=None)
GOTO_USES_SANDBOX = urlsplit(GOTO_API_BASE_URL).hostname in {"127.0.0.1", "localhost", "::1"}
# How long one GoTo operation may take, retries and waits included. A page waits at most the
# interactive deadline, plus the outcome check when a write's answer was lost (15 + 5 s, under
# gunicorn's 30 s worker timeout); background work (sync, reconcile, import) may wait longer.
GOTO_INTERACTIVE_DEADLINE_SECONDS = env.float("GOTO_INTERACTIVE_DEADLINE_SECONDS", default=15.0)
GOTO_OUTCOME_CHECK_SECONDS = env.float("GOTO_OUTCOME_CHECK_SECONDS", default=5.0)
GOTO_BACKGROUND_DEADLINE_SECONDS = env.float("GOTO_BACKGROUND_DEADLINE_SECONDS", default=120.0)
# After a write whose outcome stayed unknown, GoTo is asked again in the background this much
# later (it may still be working on the request when the page answers).
GOTO_RECONCILE_DELAY_SECONDS = env.int("GOTO_RECONCILE_DELAY_SECONDS", default=60)
# Optional Direct Login service account for background work (off unless both are set).
# --- The API budget (sync.budget): one window of calls per GoTo token, shared in Redis ---------
GOTO_API_CALLS_PER_SECOND = env.int("GOTO_API_CALLS_PER_SECOND", default=10)
# A little over a second: the send time seen by Redis and the arrival time seen by GoTo differ
# by the network's jitter, so the window leaves that margin (10 calls per 1.05 s = 95%).
GOTO_API_BUDGET_WINDOW_SECONDS = env.float("GOTO_API_BUDGET_WINDOW_SECONDS", default=1.05)
# Calls of each window background work (the sync) leaves to interactive work.
GOTO_API_BACKGROUND_HEADROOM = env.int("GOTO_API_BACKGROUND_HEADROOM", default=2)
# After a 429, half the calls per window for this long.
GOTO_API_SLOWDOWN_SECONDS = env.float("GOTO_API_SLOWDOWN_SECONDS", default=60)
GOTO_API_BUDGET_REDIS_URL = env("GOTO_API_BUDGET_REDIS_URL", default=None)  # REDIS_URL's, below
GOTO_API_BUDGET_KEY_PREFIX = env("GOTO_API_BUDGET_KEY_PREFIX", default="goto-budget")

GOTO_SERVICE_USERNAME = env("GOTO_SERVICE_USERNAME", default="")
GOTO_SERVICE_PASSWORD = env("GOTO_SERVICE_PASSWORD", default="")

# --- Applications ------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "accounts",  # before allauth, so accounts/templates/ overrides allauth's templates
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "django_filters",
    "django_htmx",
    "csp",
    "health_check",  # django-health-check: the probes behind /health/ (portal/health.py)
    "portal",
    "accounts.goto",  # the GoTo provider for allauth
    "organizers",
    "meetings",
    "sync",
    "digests",
    "rest_framework",
    "drf_spectacular",
    "reporting_api",
]

MIDDLEWARE = [
    "portal.middleware.RequestIdMiddleware",  # first: every later log line carries the id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.GoToSessionEndedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web process and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"


def _redis_db(url: str, db: int) -> str:
    """The same Redis server as ``url`` with another database number."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
GOTO_API_BUDGET_REDIS_URL = GOTO_API_BUDGET_REDIS_URL or REDIS_URL
CACHES = {"default": env.cache_url("CACHE_URL", default=REDIS_URL)}
CACHES["default"].setdefault("KEY_PREFIX", env("CACHE_KEY_PREFIX", default="portal"))

# --- Celery (the broker's Redis database is kept apart from the cache's) ------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_redis_db(REDIS_URL, 1))
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=_redis_db(REDIS_URL, 2))
CELERY_BROKER_TRANSPORT_OPTIONS = env.json("CELERY_BROKER_TRANSPORT_OPTIONS", default={})
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=15 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=16 * 60)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_DEFAULT_QUEUE = "sync"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- Sync --------------------------------------------------------------------------------------
SYNC_BACKFILL_DAYS = env.int("SYNC_BACKFILL_DAYS", default=365)
SYNC_OVERLAP_HOURS = env.int("SYNC_OVERLAP_HOURS", default=6)
SYNC_ORGANIZERS_EVERY_SECONDS = env.int("SYNC_ORGANIZERS_EVERY_SECONDS", default=5 * 60)
SYNC_HISTORY_EVERY_SECONDS = env.int("SYNC_HISTORY_EVERY_SECONDS", default=15 * 60)
SYNC_SCHEDULED_EVERY_SECONDS = env.int("SYNC_SCHEDULED_EVERY_SECONDS", default=5 * 60)
SYNC_LIVE_EVERY_SECONDS = env.int("SYNC_LIVE_EVERY_SECONDS", default=60)
# Each live pass asks where a meeting can be live (sync/activity.py) and one slice of a sweep
# of every organizer, which finds meetings nobody scheduled within this period.
SYNC_LIVE_SWEEP_SECONDS = env.int("SYNC_LIVE_SWEEP_SECONDS", default=30 * 60)
# Between two full history passes of a group over 50 organizers (one call per organizer and
# window) its 15-minute passes ask only the organizers who can have held a meeting; a meeting
# the live sweep saw is one of those, so the full pass only catches what ran between sweeps.
SYNC_HISTORY_SWEEP_SECONDS = env.int("SYNC_HISTORY_SWEEP_SECONDS", default=3 * 60 * 60)
# When the API budget cannot carry the cadences above, each area's may stretch to at most this
# many times its own, the least urgent area first (sync.cadence).
SYNC_CADENCE_MAX_STRETCH = env.int("SYNC_CADENCE_MAX_STRETCH", default=12)
# Meeting instances whose attendees one attendees run fetches (the next run takes the rest).
SYNC_ATTENDEES_PER_RUN = env.int("SYNC_ATTENDEES_PER_RUN", default=2000)
# "Refresh now" goes to its own queue so it never waits behind the periodic runs.
SYNC_INTERACTIVE_QUEUE = env("SYNC_INTERACTIVE_QUEUE", default="interactive")
# --- E-mail and digests (digests/) ---------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:587 with smtp+tls:// or smtp+ssl:// for TLS (django-environ's
# email_url); in development the default writes each message to a file under var/mail/.
vars().update(
    env.email_url("EMAIL_URL", default="smtp://localhost:25" if PRODUCTION else "filemail://")
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="GoToMeeting admin portal <portal@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails (the dashboard, unsubscribe) are absolute: the address people open the portal
# at. One setting rather than the Sites framework: the portal serves one site.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Digests leave from this hour of the subscriber's own day (Monday, or the 1st of the month);
# beat runs the task hourly at this minute.
DIGEST_SEND_HOUR = env.int("DIGEST_SEND_HOUR", default=7)
DIGEST_SEND_MINUTE = env.int("DIGEST_SEND_MINUTE", default=5)

CELERY_BEAT_SCHEDULE = {
    "sync-organizers": {
        "task": "organizers.sync_organizers",
        "schedule": timedelta(seconds=SYNC_ORGANIZERS_EVERY_SECONDS),
        "options": {"queue": "sync", "expires": SYNC_ORGANIZERS_EVERY_SECONDS},
    },
    "sync-history": {
        "task": "meetings.sync_history",
        "schedule": timedelta(seconds=SYNC_HISTORY_EVERY_SECONDS),
        "options": {"queue": "sync", "expires": SYNC_HISTORY_EVERY_SECONDS},
    },
    "sync-attendees": {
        "task": "meetings.sync_attendees",
        "schedule": timedelta(seconds=SYNC_HISTORY_EVERY_SECONDS),
        "options": {"queue": "sync", "expires": SYNC_HISTORY_EVERY_SECONDS},
    },
    "sync-scheduled": {
        "task": "meetings.sync_scheduled",
        "schedule": timedelta(seconds=SYNC_SCHEDULED_EVERY_SECONDS),
        "options": {"queue": "sync", "expires": SYNC_SCHEDULED_EVERY_SECONDS},
    },
    "sync-live": {
        "task": "meetings.sync_live",
        "schedule": timedelta(seconds=SYNC_LIVE_EVERY_SECONDS),
        "options": {"queue": "sync", "expires": SYNC_LIVE_EVERY_SECONDS},
    },
    # E-mail digests (digests.tasks): hourly, each sends the digests due in its subscribers'
    # zones; the "sync" queue's worker takes it (it is background work, not a click).
    "digests-send-due": {
        "task": "digests.send_due",
        "schedule": crontab(minute=DIGEST_SEND_MINUTE),
        "options": {"queue": "sync", "expires": 55 * 60},
    },
}
# Periodic runs go to "sync"; "Refresh now" passes queue=SYNC_INTERACTIVE_QUEUE explicitly.
# A worker serves both: celery -A portal worker -Q interactive,sync
CELERY_TASK_ROUTES = {
    "organizers.import_organizers": {"queue": "interactive"},
    "organizers.reconcile_organizer": {"queue": "interactive"},
    "meetings.reconcile_meeting": {"queue": "interactive"},
    "organizers.sync_organizers": {"queue": "sync"},
    "meetings.sync_history": {"queue": "sync"},
    "meetings.sync_attendees": {"queue": "sync"},
    "meetings.sync_scheduled": {"queue": "sync"},
    "meetings.sync_live": {"queue": "sync"},
    "digests.send_due": {"queue": "sync"},
}

# --- Authentication (django-allauth, GoTo only) -------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
SOCIALACCOUNT_ONLY = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False  # tokens are stored encrypted by accounts.tokens instead
ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.GoToSocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "goto": {
        # URLs come from GOTO_AUTHORIZE_URL / GOTO_TOKEN_URL / GOTO_API_BASE_URL at request time.
        "APPS": [
            {
                "client_id": GOTO_CLIENT_ID,
                "secret": GOTO_CLIENT_SECRET,
                "settings": {"oauth_pkce_enabled": True},
            }
        ],
        "OAUTH_PKCE_ENABLED": True,
    }
}

# Sessions: an absolute lifetime and an idle timeout (see accounts.middleware).
# Sessions live in the database, so any web process can serve any request. Not "cached_db":
# it would save a query per page, but with Redis down nobody could sign in (its exists()
# check does not fall back to the database; tests/sync/test_sync_status_page.py).
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security --------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

_auth_origin = "{0.scheme}://{0.netloc}".format(urlsplit(GOTO_AUTHORIZE_URL))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        # The login form redirects to GoTo's authorize page, and "Start" to the host URL.
        "form-action": [
            SELF,
            _auth_origin,
            "{0.scheme}://{0.netloc}".format(urlsplit(GOTO_API_BASE_URL)),
            "https://*.gotomeeting.com",
            "https://*.goto.com",
        ],
    }
}

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Reporting API (/api/v1/, reporting_api/) ---------------------------------------------------
# Requests one personal access token may make (DRF rate syntax: "600/min", "20/s", "10000/hour");
# beyond it the API answers 429 with Retry-After. Counted in the default cache (Redis).
API_RATE_LIMIT = env("API_RATE_LIMIT", default="600/min")
# The longest life a personal access token may be given, in days.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
REST_FRAMEWORK = {
    # Tokens only: no session (and so no CSRF surface), no Basic; a token acts as its owner.
    "DEFAULT_AUTHENTICATION_CLASSES": ["reporting_api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["reporting_api.permissions.HasApiRole"],
    "DEFAULT_THROTTLE_CLASSES": ["reporting_api.throttling.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GoToMeeting portal reporting API",
    "DESCRIPTION": (
        "Read-only figures of the portal's cache of GoToMeeting history, for BI tools. "
        "Send a personal access token (Profile → API tokens) as `Authorization: Bearer <token>`. "
        "Times are ISO 8601 in UTC (`Z`); lists are cursor-paginated: follow `next`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- I18N ------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging -----------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_JSON = env.bool("LOG_JSON", default=PRODUCTION)
# Every line carries the request id (portal.logging.ContextFilter); tokens and passwords are
# blanked before any output (portal.logging.RedactingFilter), whatever library logged them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "portal.logging.RedactingFilter"},
        "context": {"()": "portal.logging.ContextFilter"},
    },
    "formatters": {
        "readable": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "portal.logging.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_JSON else "readable",
            "filters": ["redact", "context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A failing probe is reported once per /health/ call by portal.health, not with a
        # traceback from the library every few seconds of load-balancer polling.
        "health_check": {"level": "ERROR"},
    },
}

# --- Health (/health/, portal/health.py) ------------------------------------------------------
# The Celery queues a live worker must consume for /health/ to report the worker as up.
HEALTH_CHECK_WORKER_QUEUES = env.list("HEALTH_CHECK_WORKER_QUEUES", default=["interactive", "sync"])
# Load balancers probe the web processes over plain HTTP: answer, don't redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# WhiteNoise serves static files in every mode; outside production straight from the sources.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
