"""Peiyu settings: everything that varies between deployments comes from the environment.

PEIYU_DATA_DIR   data folder (SQLite database, tax library, uploads, secret key); default ./var
DATABASE_URL     e.g. postgres://user:pass@host:5432/peiyu; default SQLite in the data folder
PEIYU_DEBUG      1/true to enable Django debug (never in production)
PEIYU_ALLOWED_HOSTS  comma separated; default localhost names
PEIYU_SESSION_IDLE_MINUTES  idle session timeout, default 30
PEIYU_HTTPS      1 when served over https (secure cookies, HSTS)
PEIYU_BEHIND_PROXY  1 behind our own reverse proxy (audit trusts X-Forwarded-For); default PEIYU_HTTPS
PEIYU_ANALYTICS_ENGINE  engine of the tax analytics: duckdb (default, in-process); see peiyu.analytics
PEIYU_WORKDAY_END   end of the working day for deadlines, HH:MM, default 17:30
PEIYU_SMTP_HOST, PEIYU_SMTP_PORT, PEIYU_SMTP_USER, PEIYU_SMTP_PASSWORD, PEIYU_SMTP_TLS, PEIYU_SMTP_SSL,
PEIYU_MAIL_FROM     e-mail notifications (off unless PEIYU_SMTP_HOST is set)
PEIYU_WEBHOOK_URL, PEIYU_WEBHOOK_KIND (wecom | dingtalk | json), PEIYU_WEBHOOK_SECRET
                    chat-robot notifications (off unless PEIYU_WEBHOOK_URL is set)
PEIYU_BASE_URL      the site's address, for links in e-mails and robot messages (e.g. https://peiyu.example.gov.cn)
PEIYU_CACHE_ENTRIES  pages and figures each server process keeps until the data changes, default 1000
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PEIYU_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
TAX_LIBRARY_DIR = DATA_DIR / "taxlib"
PEIYU_ANALYTICS_ENGINE = os.environ.get("PEIYU_ANALYTICS_ENGINE", "duckdb").strip().lower() or "duckdb"
UPLOAD_DIR = DATA_DIR / "uploads"
MEDIA_ROOT = str(DATA_DIR / "media")
MEDIA_URL = "/media/"


def _secret_key() -> str:
    if os.environ.get("PEIYU_SECRET_KEY"):
        return os.environ["PEIYU_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("PEIYU_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PEIYU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("PEIYU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",  # serves the API docs (Swagger UI) from local static files, never from a CDN (CSP)
    "peiyu.core",
    "peiyu.analytics",
    "peiyu.accounts",
    "peiyu.registry",
    "peiyu.taxes",
    "peiyu.targets",
    "peiyu.alerts",
    "django_tasks",
    "django_tasks_db",
    "peiyu.work",
    "peiyu.meetings",
    "peiyu.attraction",
    "peiyu.services",
    "peiyu.carriers",
    "peiyu.policies",
    "peiyu.taskforce",
    "peiyu.reports",
    "peiyu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "peiyu.web.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "peiyu.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peiyu.accounts.middleware.SecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peiyu.urls"
WSGI_APPLICATION = "peiyu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peiyu.web.context.shell",
            ],
        },
    }
]

# Argon2id first (peiyu.accounts.hashers); PBKDF2 hashes of older installations still verify
PASSWORD_HASHERS = [
    "peiyu.accounts.hashers.PeiyuArgon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Local memory of each process (no cache server): pages and derived figures reused until the data
# changes (peiyu.core.datacache, peiyu.core.pagecache); bounded, so memory stays flat.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "peiyu",
        "OPTIONS": {"MAX_ENTRIES": env_int("PEIYU_CACHE_ENTRIES", 1000), "CULL_FREQUENCY": 4},
    }
}

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'peiyu.sqlite3'}",
        conn_max_age=env_int("PEIYU_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "peiyu.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "peiyu.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": 5}},
    {"NAME": "peiyu.accounts.passwords.DemoPasswordValidator"},
]
PEIYU_DEMO = env_bool("PEIYU_DEMO")  # demo mode also when the data folder holds demo.json (peiyu demo)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Account lock-out (django-axes): 5 failures lock the username for 15 minutes.
AXES_FAILURE_LIMIT = env_int("PEIYU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("PEIYU_LOGIN_LOCK_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "peiyu.accounts.views.locked_out"  # Chinese page (accounts/locked.html), audited
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # the requirement is per-account lock-out

SESSION_IDLE_MINUTES = env_int("PEIYU_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "peiyu.accounts.views.csrf_failure"  # Chinese 403 page
HTTPS = env_bool("PEIYU_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Audit "from where": trust X-Forwarded-For (its last hop) only behind our own reverse proxy.
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("PEIYU_BEHIND_PROXY", HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
API_TOKEN_DAYS = env_int("PEIYU_API_TOKEN_DAYS", 90)
AUDIT_RETENTION_DAYS = max(180, env_int("PEIYU_AUDIT_RETENTION_DAYS", 365))

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # compiled catalogs (.mo) are committed: no gettext needed at install
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS: list[Path] = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

NINJA_PAGINATION_PER_PAGE = 100

# Background jobs: the database queue (django-tasks + django-tasks-db), no extra server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PEIYU_JOBS_INLINE = env_bool("PEIYU_JOBS_INLINE")  # run jobs at once in the caller (tests)

# Working days: deadlines fall at the end of the working day.
PEIYU_WORKDAY_END = os.environ.get("PEIYU_WORKDAY_END", "17:30")

# Notifications: in-app always; e-mail and a chat-robot webhook only when configured here.
EMAIL_HOST = os.environ.get("PEIYU_SMTP_HOST", "")
PEIYU_EMAIL_ENABLED = bool(EMAIL_HOST)
EMAIL_PORT = env_int("PEIYU_SMTP_PORT", 25)
EMAIL_HOST_USER = os.environ.get("PEIYU_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PEIYU_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PEIYU_SMTP_TLS")
EMAIL_USE_SSL = env_bool("PEIYU_SMTP_SSL")
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = os.environ.get("PEIYU_MAIL_FROM", "peiyu@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if PEIYU_EMAIL_ENABLED
    else "django.core.mail.backends.dummy.EmailBackend"
)
PEIYU_WEBHOOK_URL = os.environ.get("PEIYU_WEBHOOK_URL", "")
PEIYU_WEBHOOK_KIND = os.environ.get("PEIYU_WEBHOOK_KIND", "json")
PEIYU_WEBHOOK_SECRET = os.environ.get("PEIYU_WEBHOOK_SECRET", "")
PEIYU_NOTIFY_CHANNELS: list[str] = []
PEIYU_BASE_URL = os.environ.get("PEIYU_BASE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PEIYU_LOG_LEVEL", "WARNING")},
}
