"""Settings, all from the environment (and an optional `.env` file beside manage.py).

Parsing is strict: a boolean that is not one of the known spellings, or a number that does
not parse, stops start-up instead of silently meaning "off". Production needs SECRET_KEY and
AUDITOR_TOKEN_KEY; development (DEBUG=1) and the test suite fall back to fixed dev values.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import csp.constants as csp
import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}")
    return value


TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "dev-only-not-secret-3b2f0c1e9a7d4c58b6e1f2a9d0c7e4b1a8f3d6c2e5b9a0f7"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where the site is reached: every link in an email (audit, triage, settings, unsubscribe) and
# in an outgoing webhook starts with it. Development follows the port `make run` serves on.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
if not SITE_URL:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off (e.g. https://auditor.example.com)")
    SITE_URL = f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}"
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http:// or https://")
# What emails and pages call the product; never the host and port it happens to be served on.
SITE_NAME = env.str("SITE_NAME", default="Convex Auditor").strip() or "Convex Auditor"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "accounts",
    "teams",
    "projects",
    "reports",
    "api",
    "schedules",
    "triage",
    "gates",
    "webhooks",
    "notifications",
    "githubapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "auditor.urls"
WSGI_APPLICATION = "auditor.wsgi.application"

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
                "teams.context_processors.teams",
                "githubapp.context_processors.github_app",
            ],
        },
    },
]

# SQLite by default so `make run` needs no server; IMMEDIATE transactions and WAL keep the
# web process, the worker and beat from tripping over "database is locked".
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.ratelimit.LockoutBackend",  # django-axes: refuses locked-out sign-ins first
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing dominates the persona tests otherwise.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sign-in lock-out (django-axes): AXES_FAILURE_LIMIT failures for one e-mail from one address
# lock that pair out for AXES_COOLOFF_MINUTES; a success resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.ratelimit.login_username"
AXES_RESET_ON_SUCCESS = True
# The site's own page (429), saying how long the lock lasts.
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
if env_bool("BEHIND_TLS_PROXY", False):
    # Behind the proxy every request comes from the proxy: count by the client address it forwards.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGOUT_ON_GET = False
# allauth's own emails (sign-up confirmation, password reset) would otherwise say "[host:port]";
# accounts.adapter.AccountAdapter.format_email_subject prefixes them with SITE_NAME instead.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG or TESTING else "https"

GITHUB_CLIENT_ID = env.str("GITHUB_CLIENT_ID", default="")
GITHUB_CLIENT_SECRET = env.str("GITHUB_CLIENT_SECRET", default="")
SOCIALACCOUNT_PROVIDERS: dict = {}
if GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET:
    INSTALLED_APPS.append("allauth.socialaccount.providers.github")
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": GITHUB_CLIENT_ID, "secret": GITHUB_CLIENT_SECRET, "key": ""}],
        "SCOPE": ["user:email"],
    }
elif GITHUB_CLIENT_ID or GITHUB_CLIENT_SECRET:
    raise ImproperlyConfigured("Set both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, or neither")

# The GitHub App (issue 14): installs instead of tokens, check runs and pull request comments.
# All four of id, slug, private key and webhook secret, or none; unset hides the GitHub parts of
# the UI and URL-plus-token connection works as before.
GITHUB_APP_ID = env.str("GITHUB_APP_ID", default="").strip()
GITHUB_APP_SLUG = env.str("GITHUB_APP_SLUG", default="").strip()
GITHUB_APP_PRIVATE_KEY = env.str("GITHUB_APP_PRIVATE_KEY", default="", multiline=True).strip()
GITHUB_APP_PRIVATE_KEY_FILE = env.str("GITHUB_APP_PRIVATE_KEY_FILE", default="").strip()
GITHUB_APP_WEBHOOK_SECRET = env.str("GITHUB_APP_WEBHOOK_SECRET", default="")
# GitHub Enterprise Server: https://HOST/api/v3 and https://HOST; tests point the API at Prism.
GITHUB_API_URL = env.str("GITHUB_API_URL", default="https://api.github.com").rstrip("/")
GITHUB_WEB_URL = env.str("GITHUB_WEB_URL", default="https://github.com").rstrip("/")
# Where git fetches `owner/name.git` from, when not the clone URL the API reports (a mirror).
GITHUB_GIT_URL = env.str("GITHUB_GIT_URL", default="").rstrip("/")
if GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_FILE:
    raise ImproperlyConfigured("Set GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE, not both")
if GITHUB_APP_PRIVATE_KEY_FILE:
    try:
        GITHUB_APP_PRIVATE_KEY = Path(GITHUB_APP_PRIVATE_KEY_FILE).read_text().strip()
    except OSError as _error:
        raise ImproperlyConfigured(f"GITHUB_APP_PRIVATE_KEY_FILE cannot be read: {_error.strerror}") from None
_github_app = {
    "GITHUB_APP_ID": GITHUB_APP_ID,
    "GITHUB_APP_SLUG": GITHUB_APP_SLUG,
    "GITHUB_APP_PRIVATE_KEY": GITHUB_APP_PRIVATE_KEY,
    "GITHUB_APP_WEBHOOK_SECRET": GITHUB_APP_WEBHOOK_SECRET,
}
if any(_github_app.values()):
    _missing = [name for name, value in _github_app.items() if not value]
    if _missing:
        raise ImproperlyConfigured(f"The GitHub App needs {', '.join(_missing)} too (or none of its settings)")
    if not GITHUB_APP_ID.isdigit():
        raise ImproperlyConfigured(f"GITHUB_APP_ID={GITHUB_APP_ID!r} is not the App's numeric id")
    if "PRIVATE KEY-----" not in GITHUB_APP_PRIVATE_KEY:
        raise ImproperlyConfigured("GITHUB_APP_PRIVATE_KEY is not a PEM private key (the .pem file GitHub gave you)")
for _name, _url in (("GITHUB_API_URL", GITHUB_API_URL), ("GITHUB_WEB_URL", GITHUB_WEB_URL)):
    if not _url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{_name}={_url!r} is not an http(s) URL")
# GitHub sign-in keeps the user's token so the App's install callback can check that they see
# the installation (GET /user/installations).
SOCIALACCOUNT_STORE_TOKENS = True

EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "sent-emails"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Convex Auditor <auditor@localhost>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
if DEBUG or TESTING:
    # WhiteNoise warns at every start when the folder is missing; runserver serves from finders.
    STATIC_ROOT.mkdir(exist_ok=True)
    WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "auditor.storage.StaticStorage"
    },
}

# Production hardening; each can be relaxed from the environment (e.g. behind a TLS proxy).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from this site, plus the two inline chart/diagram scripts by nonce; no inline
# handlers (static/js/auditor.js replaces them). Inline styles stay allowed: htmx's indicator
# style and Mermaid's SVG <style> need them, and styles cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF, "https://github.com"],  # GitHub sign-in redirects a POST there
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The project's own hashed personal tokens (api.models.ApiToken); DRF's plain-text
        # authtoken is not installed.
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Convex Auditor API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Read your teams' projects, audits, findings and inventories, and queue audits, from scripts and CI. "
        "Authenticate with a personal token from Settings → API tokens, sent as `Authorization: Bearer cva_…`. "
        "Lists are paginated (`page`, `page_size` up to 500). Another team's project or audit answers 404."
    ),
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_error_responses",
        "api.schema.describe_operations",
    ],
    # Swagger UI's files come from drf-spectacular-sidecar: the docs work offline and under our CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "docExpansion": "list", "defaultModelsExpandDepth": 0},
    # Three choice sets share the field name "state"; each gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "AuditStateEnum": "projects.models.Audit.State",
        "FindingStateEnum": "projects.models.Finding.State",
        "TriageStateEnum": "triage.models.TriageState",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # git commands are logged by GitPython at DEBUG with their full argv; keep it quiet.
    "loggers": {"git": {"level": "WARNING"}},
}

# --- Convex Auditor ---------------------------------------------------------------------------

# file://, local paths, http:// and loopback/private hosts: only for tests and the demo.
AUDITOR_ALLOW_LOCAL_REPOS = env_bool("AUDITOR_ALLOW_LOCAL_REPOS", False)
AUDITOR_CLONE_DIR = Path(env.str("AUDITOR_CLONE_DIR", default=str(VAR_DIR / "clones")))
AUDITOR_CLONE_TIMEOUT = env_int("AUDITOR_CLONE_TIMEOUT", 300, minimum=1)
# The engine's facts cache, shared by the worker's processes; empty: `facts-cache` beside the clone cache.
AUDITOR_FACTS_CACHE_DIR = env.str("AUDITOR_FACTS_CACHE_DIR", default="")
AUDITOR_FACTS_CACHE_MEMORY_MB = env_int("AUDITOR_FACTS_CACHE_MEMORY_MB", 128)
AUDITOR_CLONE_MAX_BYTES = env_int("AUDITOR_CLONE_MAX_BYTES", 500 * 1024 * 1024, minimum=1024)
AUDITOR_LS_REMOTE_TIMEOUT = env_int("AUDITOR_LS_REMOTE_TIMEOUT", 15, minimum=1)
AUDITOR_AUDIT_SOFT_TIME_LIMIT = env_int("AUDITOR_AUDIT_SOFT_TIME_LIMIT", 600, minimum=1)
AUDITOR_AUDIT_TIME_LIMIT = env_int("AUDITOR_AUDIT_TIME_LIMIT", 660, minimum=2)
AUDITOR_REAPER_INTERVAL = env_int("AUDITOR_REAPER_INTERVAL", 60, minimum=1)
AUDITOR_DEMO_REPOS_DIR = Path(env.str("AUDITOR_DEMO_REPOS_DIR", default=str(VAR_DIR / "demo-repos")))
AUDITOR_INVITE_MAX_AGE = env_int("AUDITOR_INVITE_MAX_AGE", 7 * 24 * 3600, minimum=60)
if AUDITOR_AUDIT_TIME_LIMIT <= AUDITOR_AUDIT_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("AUDITOR_AUDIT_TIME_LIMIT must exceed AUDITOR_AUDIT_SOFT_TIME_LIMIT")

# Fernet keys for repository access tokens; several (comma-separated) allow rotation, the
# first encrypts. Dev and tests derive one from SECRET_KEY so nothing has to be set up.
AUDITOR_TOKEN_KEYS = env.list("AUDITOR_TOKEN_KEY", default=[])
if not AUDITOR_TOKEN_KEYS:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "AUDITOR_TOKEN_KEY must be set when DEBUG is off "
            '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")'
        )
    AUDITOR_TOKEN_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]
for _key in AUDITOR_TOKEN_KEYS:
    # Fernet keys are 32 bytes, urlsafe-base64: catch a truncated or mistyped key at start-up,
    # not at the first encrypted token.
    try:
        _valid_key = len(base64.urlsafe_b64decode(_key.encode())) == 32
    except ValueError:
        _valid_key = False
    if not _valid_key:
        raise ImproperlyConfigured(
            "AUDITOR_TOKEN_KEY holds a value that is not a Fernet key (32 bytes, urlsafe base64)"
        )

# The release: part of every cached fragment's key (reports.fragments), so a deploy renders
# afresh without a cache flush. From the environment, else the RELEASE file an image build
# writes (Dockerfile: --build-arg AUDITOR_RELEASE=<git sha>), else the checkout's commit. A
# development run adds its start time: edited templates show without a commit.
def _release() -> str:
    release = env.str("AUDITOR_RELEASE", default="").strip()
    if not release and (BASE_DIR / "RELEASE").is_file():
        release = (BASE_DIR / "RELEASE").read_text().strip()
    if not release:
        try:
            release = subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            release = ""
    if not release:
        if not (DEBUG or TESTING):
            raise ImproperlyConfigured("AUDITOR_RELEASE must be set (e.g. the git commit) when DEBUG is off")
        release = "dev"
    if DEBUG:
        release += f"-{int(time.time())}"
    return release


AUDITOR_RELEASE = _release()

# --- Celery -----------------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Longer than any audit may run, or Redis hands an unacknowledged audit to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": AUDITOR_AUDIT_TIME_LIMIT * 2 + 60}
elif TESTING:
    CELERY_BROKER_URL = "memory://"
else:
    CELERY_BROKER_URL = env.str(
        "CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite'}"
    )
CELERY_TASK_IGNORE_RESULT = True
# A worker process whose resident memory passes this many MB is replaced after its current task:
# a safety net under the engine's byte-bounded caches. 0 turns it off. (Celery counts KiB.)
_WORKER_MAX_MEMORY_MB = env_int("WORKER_MAX_MEMORY_PER_CHILD_MB", 1024)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = _WORKER_MAX_MEMORY_MB * 1024 if _WORKER_MAX_MEMORY_MB else None

# --- Cache and sessions ---------------------------------------------------------------------------

# With Redis, one cache shared by every web process: rendered report fragments
# (reports/fragments.py) are reused across processes. Without it, each process keeps its own
# small cache. Sessions stay in the database either way: a cache that could not answer a
# sign-out would otherwise keep the session alive.
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="auditor")
if TESTING and "CACHE_KEY_PREFIX" not in os.environ:
    # One namespace per test run, inherited by the workers and servers the tests start, so runs
    # sharing a Redis never see each other's keys.
    CACHE_KEY_PREFIX = os.environ["CACHE_KEY_PREFIX"] = f"auditor-test-{os.getpid()}-{secrets.token_hex(4)}"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "auditor.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": env_int("CACHE_TIMEOUT_SECONDS", 6 * 3600, minimum=1),
            # A page waits at most this long on a Redis that does not answer, then goes without.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": env_int("CACHE_TIMEOUT_SECONDS", 6 * 3600, minimum=1),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
# Lets deployments (and the integration tests) that share one Redis keep their tasks apart.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "reap-stuck-audits": {
        "task": "projects.tasks.reap_stuck_audits",
        "schedule": float(AUDITOR_REAPER_INTERVAL),
    },
    # A Redis restart drops the waiting messages; their audits are sent again.
    "resend-lost-audits": {
        "task": "projects.tasks.resend_lost_audits",
        "schedule": float(AUDITOR_REAPER_INTERVAL),
    },
    # Daily/weekly email digests are due-date driven; the tick only claims what is due.
    "send-due-digests": {
        "task": "notifications.tasks.send_due_digests",
        "schedule": 60.0,
    },
}
