"""Settings for Clause Ten. Every knob is an environment variable documented in the README."""

import os
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CLAUSETEN_DATA_DIR", BASE_DIR.parent / "var")).resolve()

DEBUG = env_bool("CLAUSETEN_DEBUG", False)
SECRET_KEY = os.environ.get("CLAUSETEN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("CLAUSETEN_INSECURE_DEV_KEY", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "Set CLAUSETEN_SECRET_KEY (or CLAUSETEN_DEBUG=true on a developer machine)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("CLAUSETEN_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CLAUSETEN_CSRF_TRUSTED_ORIGINS", "")
BASE_URL = os.environ.get("CLAUSETEN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "ninja",  # serves its own Swagger UI files, so /api/v1/docs works under the CSP
    "django_tasks",
    "django_tasks_db",
    "clauseten.accounts",
    "clauseten.events",
    "clauseten.catalog",
    "clauseten.nonconformities",
    "clauseten.improvements",
    "clauseten.reports",
    "clauseten.notifications",
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
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "clauseten.urls"
WSGI_APPLICATION = "clauseten.wsgi.application"

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
                "clauseten.accounts.context_processors.roles",
            ],
        },
    },
]

# SQLite in var/ by default (WAL, immediate transactions so writers queue instead of failing);
# PostgreSQL through DATABASE_URL. Connections are kept for a minute on both: opening one (and, on SQLite, its
# PRAGMAs) on every request costs a web worker a fifth of its throughput.
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'clauseten.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("CLAUSETEN_TEST_DB_NAME") or None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "nonconformities:register"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("CLAUSETEN_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the project-wide stylesheet and the vendored htmx
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start without it
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "evidence")},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Evidence in S3-compatible storage when a bucket is named (pip install 'clauseten[s3]'), for several machines.
if os.environ.get("CLAUSETEN_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["CLAUSETEN_S3_BUCKET"],
            "endpoint_url": os.environ.get("CLAUSETEN_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("CLAUSETEN_S3_REGION") or None,
            "access_key": os.environ.get("CLAUSETEN_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("CLAUSETEN_S3_SECRET_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG
# Evidence is never served from a public media URL: downloads go through a permission-checked view.
MEDIA_URL = None

# Evidence uploads.
MAX_UPLOAD_MB = int(os.environ.get("CLAUSETEN_MAX_UPLOAD_MB", "20"))
ALLOWED_UPLOAD_EXTENSIONS = env_list(
    "CLAUSETEN_ALLOWED_UPLOAD_EXTENSIONS",
    "pdf,png,jpg,jpeg,gif,txt,csv,log,json,xml,md,docx,xlsx,pptx,odt,ods,eml,msg,zip",
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: secure cookies and HSTS outside DEBUG; a strict CSP everywhere.
SESSION_COOKIE_SECURE = not DEBUG and env_bool("CLAUSETEN_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("CLAUSETEN_HSTS_SECONDS", "0"))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Mail (issue: follow-up). Django's SMTP backend, configured from the environment.
EMAIL_BACKEND = os.environ.get("CLAUSETEN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("CLAUSETEN_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("CLAUSETEN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CLAUSETEN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CLAUSETEN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CLAUSETEN_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("CLAUSETEN_FROM_EMAIL", "clauseten@localhost")

# Background work: django-tasks with its database backend (no extra server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CLAUSETEN_LOG_LEVEL", "WARNING")},
}
