"""Upturn settings, read from the environment only.

The embedded default (no environment at all, DEBUG=true) keeps everything in var/: a
SQLite database, a filesystem Celery broker and a file cache (`make run` starts the
worker beside the web server). A deployment sets DATABASE_URL, REDIS_URL, SECRET_KEY
and ALLOWED_HOSTS; README.md has the full table.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.backends import broker_settings, cache_settings, make_broker_folders
from config.env import env_bool, env_int, env_list, env_str
from config.proxies import trusted_proxy_count_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of the embedded default (SQLite, broker, cache, media); VAR_DIR moves it.
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production refuses to start without one; "
            "set DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications -------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "accounts",
    "organizations",
    "identity",
    "directory",
    "scim",
    "notifications",
    "programs",
    "matching",
    "sessions.apps.MentoringSessionsConfig",
    "surveys",
    "reports",
    "privacy",
    "home",
    # Outside the layers: demo data and benchmarks (their management commands).
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    # Outermost, so every response carries the policy, the health probe's included; it
    # only adds a header and reads nothing from the request (not even the Host).
    "csp.middleware.CSPMiddleware",
    # Then: answers probes whatever Host they send (see config/middleware.py).
    "config.middleware.HealthzMiddleware",
    # Refuses a body larger than any upload may be (413) before anything reads it.
    "organizations.uploads.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "organizations.middleware.OrganizationMiddleware",
]

# --- Content security policy ----------------------------------------------------------
# django-csp 4 (csp.middleware.CSPMiddleware above). Everything comes from the app's own
# origin: no CDN (assets are vendored), no inline script, no eval, no inline style
# attribute. The one inline <style> is the organisation's accent colours in base.html,
# allowed by this response's nonce. templates/ must stay free of inline script, on*=
# handlers and style= attributes (tests/config/test_csp.py fails naming the line), and
# the browser journeys fail on any violation (tests/browser/conftest.py). The API docs
# page adds data: images for Swagger UI's own icons (organizations/api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Sign-in and two-factor post to the app itself; single sign-on that redirects a
        # form post to an identity provider would have to name its origin here.
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # Where browsers send violation reports, e.g. a collector's URL; none by default.
        "report-uri": env_str("CSP_REPORT_URI") or None,
    },
}

ROOT_URLCONF = "home.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.signup",
                "home.context_processors.shell",
            ],
        },
    },
]

# Project templates may override Django's form templates (templates/django/forms/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Data ---------------------------------------------------------------------------

_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'upturn.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _SQLITE_DEFAULT)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A persistent connection that a PostgreSQL restart killed while its worker was
        # idle would fail that worker's next request with a 500; the health check notices
        # it and reconnects first (tests/config/test_database_restart.py).
        conn_health_checks=True,
    )
}
if DATABASE_URL == _SQLITE_DEFAULT:
    VAR_DIR.mkdir(exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to one file: readers never block the writer
    # (WAL), a transaction takes the write lock when it begins rather than failing at
    # its first write, and a writer waits its turn for up to 20 s.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT off for every connection the app opens (a startup option, so no query is run on
    # connect and any pooler passing startup options keeps it): the nightly reports' KPI
    # queries spent most of their time compiling, not running (632-732 ms of a 773-900 ms
    # retention query at 50,000 employees; the whole job 17-20 s with JIT, 5-7 s without,
    # issue 19). Our queries are short, index-driven reads that JIT never pays back.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL: the role the application connects as. It owns no table and cannot bypass
# row-level security; migrations (run as the owner) grant it what it needs. See README.
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE")

REDIS_URL = env_str("REDIS_URL")
# Redis when REDIS_URL is set, else files in var/cache/ that every local process shares
# (config/backends.py); the test settings use each process's memory.
CACHES = {"default": cache_settings(redis_url=REDIS_URL, var_dir=VAR_DIR)}

# --- Celery -------------------------------------------------------------------------
# The broker: CELERY_BROKER_URL, else REDIS_URL, else (the embedded default, `make run`)
# kombu's filesystem transport in var/broker/, which needs no server (config/backends.py).
# Tasks always go through the broker to a worker; only the test settings run them eagerly.
# Redis broker: a task taken by a worker that dies (killed, out of memory, a lost
# machine) goes back on the queue only after CELERY_VISIBILITY_TIMEOUT seconds
# unacknowledged; kombu's default of an hour left a killed tick undone that long. It must
# stay above the longest task's run, or a task still running is handed to a second
# worker: the longest are the nightly snapshots (1.5-5 s per day for each
# 50,000-employee organisation, README "Benchmarks", and more on a night that catches up
# missed days) and applying an HR file (11-30 s for 50,000 rows on a loaded 2-core
# machine). Thirty minutes leaves a wide margin for many organisations; raise
# CELERY_VISIBILITY_TIMEOUT if the worker's log shows a task nearing it.
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker_settings(
    broker_url=env_str("CELERY_BROKER_URL"),
    redis_url=REDIS_URL,
    var_dir=VAR_DIR,
    visibility_timeout=env_int("CELERY_VISIBILITY_TIMEOUT", 30 * 60),
)
make_broker_folders(CELERY_BROKER_TRANSPORT_OPTIONS)
# Nothing waits on a task's result; a result backend is only used if one is configured.
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
# Tasks are idempotent, so a task lost with a crashed worker is safely run again.
CELERY_TASK_ACKS_LATE = True
# A task whose worker process dies (killed, out of memory) goes back on the queue rather
# than being acknowledged: every task is idempotent, so running it again is safe.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Proves beat and a worker are alive; /healthz reports how long ago it last ran.
    "heartbeat": {
        "task": "config.celery.heartbeat",
        "schedule": float(env_int("HEARTBEAT_SECONDS", 60)),
    },
    # Reminders: rules, new notifications, the emails due (notifications/tasks.py).
    "reminders": {
        "task": "notifications.tasks.reminders_tick",
        "schedule": crontab(minute="*/15"),
    },
    # What the outbox holds unsent: messages written while the broker or the worker was
    # away, and failed deliveries due again (notifications/outbox.py).
    "outbox-sweep": {
        "task": "notifications.tasks.outbox_sweep_task",
        "schedule": float(env_int("OUTBOX_SWEEP_SECONDS", 60)),
    },
    # Hourly, because each person's digest goes out on their own Monday morning.
    "weekly-digest": {
        "task": "notifications.tasks.weekly_digest_task",
        "schedule": crontab(minute=5),
    },
    # Hourly: the survey assignments the schedules call for (surveys/tasks.py).
    "surveys": {
        "task": "surveys.tasks.surveys_tick",
        "schedule": crontab(minute=20),
    },
    # Hourly: each program manager's weekly digest, on their own Monday morning.
    "manager-digest": {
        "task": "reports.tasks.manager_digest_task",
        "schedule": crontab(minute=10),
    },
    # Daily: the messages of pairs ended more than their organisation's retention ago.
    "messages-purge": {
        "task": "sessions.tasks.messages_purge_task",
        "schedule": crontab(minute=40, hour=3),
    },
    # Hourly: personal data exports past their day lose their file (privacy/tasks.py).
    "privacy-exports-expire": {
        "task": "privacy.tasks.exports_expire_task",
        "schedule": crontab(minute=25),
    },
    # Nightly, after the snapshots (which count everyone first): participants of programs
    # ended longer ago than their organisation keeps personal data are anonymised.
    "privacy-retention": {
        "task": "privacy.tasks.retention_sweep_task",
        "schedule": crontab(minute=10, hour=4),
    },
    # Nightly, after midnight UTC: each organisation's KPI snapshots (reports/tasks.py).
    "nightly-snapshots": {
        "task": "reports.tasks.nightly_snapshots_task",
        "schedule": crontab(minute=30, hour=2),
    },
}

# --- Accounts and sign-in -----------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# A password is checked by the first backend alone (accounts/backends.py: it used to be
# hashed once per backend on a failed sign-in). The other two stay listed so that sessions
# they signed in remain valid, and for logins made by code (an accepted invitation).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.EmailPasswordBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id at OWASP's recommended cost (accounts/hashers.py says why not Django's
# defaults). Hashes made before it (Django's PBKDF2) still open, and each is rehashed with
# Argon2id when its owner next signs in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
# Sessions in the database (Django's default, stated so it stays): never in the cache,
# so a Redis outage signs nobody out and does not stop anyone signing in.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# People join by invitation; a self-hosted install may open public sign-up.
PUBLIC_SIGNUP = env_bool("PUBLIC_SIGNUP", False)
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)
# The address people reach Upturn at: links in email (sent by workers, with no request).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Upturn] "
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# allauth's rate limits use the cache above: Redis, shared by every web process, when
# REDIS_URL is set (per process while Redis is down). Failed sign-ins are limited per
# address (TRUSTED_PROXY_COUNT says which address) and per account.
ACCOUNT_RATE_LIMITS = {
    # Every sign-in, successful or not, per address: allauth's default, stated so it stays
    # in view. People behind one address (an office's NAT, or a proxy while
    # TRUSTED_PROXY_COUNT is unset) share it: past 30 sign-ins in a minute they are refused.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    # Upturn's own: following and accepting invitation links.
    "invitation_accept": "30/m/ip,10/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

# Single sign-on (identity/): each organisation's identity provider comes from its own
# settings in the database (identity.adapter), none from here. Whoever signs in through
# it with an address of a domain the organisation verified gets an account and joins it.
SOCIALACCOUNT_ADAPTER = "identity.adapter.SocialAccountAdapter"
ACCOUNT_FORMS = {
    "login": "identity.forms.LoginForm",
    "reset_password": "identity.forms.ResetPasswordForm",
}
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
# Identity provider secrets (OIDC client secrets) are encrypted with this key
# (identity/secrets.py); a comma-separated list opens secrets sealed with older keys
# during a rotation (the first is current). `manage.py sso_secret_key` makes one.
SSO_SECRET_KEYS = env_list("SSO_SECRET_KEY")
MFA_TOTP_ISSUER = "Upturn"

# --- Security -----------------------------------------------------------------------
# HTTPS defaults on outside development; turn it off only for a local trial over plain
# HTTP (docker-compose does, with a comment).

HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append to X-Forwarded-For (a TLS terminator, a load
# balancer): the client address is the entry that many from the right, because anything
# further left came from the client and may be forged. Sign-in limits and the audit log
# key on it (config/proxies.py), so behind a proxy it must be set or every person shares
# the proxy's address, and one person's failed sign-ins lock everyone out.
# gunicorn reads the same count (config/gunicorn.py). One behind BEHIND_TLS_PROXY, else 0.
TRUSTED_PROXY_COUNT = trusted_proxy_count_from_env()
# allauth reads the same count (its own rate limits go through our adapter's client_ip
# too; this covers any of its code that does not).
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Probes speak plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/live$"]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"

# --- Email --------------------------------------------------------------------------

EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Upturn <no-reply@upturn.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------

LANGUAGE_CODE = "en"
# Each language named in itself: a person looking for their own language finds it
# whatever language the page is in. Catalogues: locale/<code>/ (make messages).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English's date formats as Upturn writes them (config/formats/en/formats.py); the other
# languages keep Django's own.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files (served by the app through WhiteNoise; all assets are vendored) ---

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- API ----------------------------------------------------------------------------

# DRF reads a JSON body through request.body, which Django refuses past this size with a
# server error: so it is at least the API's own body limit, which RequestSizeLimitMiddleware
# enforces first, by the Content-Length, with a 413 (organizations.uploads.API_BODY_MAX_BYTES;
# the check organizations.E003 holds the two together).
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    # An organisation's API key, or a signed-in member's browser session with the
    # organisation named in the X-Organization header (the app's own pages; CSRF, the
    # idle sign-out and two-factor as on the pages). No Basic auth: it would skip
    # two-factor. A view that does not name its permission from
    # organizations/permissions.py is refused: fail closed.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organizations.api.auth.ApiKeyAuthentication",
        "organizations.api.auth.MemberSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["organizations.api.auth.OrganizationPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["organizations.api.auth.ApiKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env_str("API_RATE_LIMIT", "1200/minute")},
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "organizations.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "organizations.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Upturn API",
    "DESCRIPTION": (
        "One organisation's directory, members, survey results and KPI trends (small "
        "groups hidden), reached with its API key (`Authorization: Bearer <key>`) or, "
        "from the app's own pages, a signed-in member's session with the header "
        "`X-Organization: <slug>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # The browser session only shows who is signed in on the documentation page.
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Anonymous answers --------------------------------------------------------------

# Anonymous survey answers are sealed to this public key by the web process and opened
# only by the worker, which holds the private key, to release them in batches (see
# surveys/sealing.py). Give SURVEY_SEAL_PRIVATE_KEY to the worker only; a comma-separated
# list opens answers sealed with older keys during a rotation (the first is current).
# `manage.py survey_seal_keys` makes a pair. With DEBUG on and neither set, a pair is
# kept in var/ for local use.
SURVEY_SEAL_PUBLIC_KEY = env_str("SURVEY_SEAL_PUBLIC_KEY")
SURVEY_SEAL_PRIVATE_KEYS = env_list("SURVEY_SEAL_PRIVATE_KEY")

# --- Logging ------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # A line per task run. The embedded runner (`make run`) sets TASK_LOG_LEVEL=WARNING,
    # so the console shows the web requests and the emails, not every heartbeat.
    "loggers": {"celery.app.trace": {"level": env_str("TASK_LOG_LEVEL", "INFO")}},
}
