"""WEH settings. Every deployment-specific value comes from a WEH_* environment variable.

The defaults suit a laptop: SQLite and uploaded files under ``var/``, debug off unless asked for.
``docs/configuration.md`` lists every variable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WEH_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("WEH_DEBUG", False)
# The test runner needs no secret key of its own; pytest is detected when it imports the settings.
TESTING = env_bool("WEH_TESTING", False) or "pytest" in sys.modules

# A development key is allowed only when debugging or testing; production refuses to start without a
# real one (see check_secret_key below, run at import so that no server starts with it).
INSECURE_KEY_PREFIX = "insecure-"
SECRET_KEY = os.environ.get("WEH_SECRET_KEY", "")
_SECRET_KEY_FILE = Path(os.environ.get("WEH_SECRET_KEY_FILE", VAR_DIR / "secret_key"))
if not SECRET_KEY and _SECRET_KEY_FILE.is_file():
    SECRET_KEY = _SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    SECRET_KEY = INSECURE_KEY_PREFIX + "development-key-do-not-use-in-production"


def check_secret_key(key: str, *, debug: bool, testing: bool) -> None:
    """Refuse an insecure key outside development: empty, short, default or low-variety keys."""
    if debug or testing:
        return
    if key.startswith(INSECURE_KEY_PREFIX) or len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured(
            "WEH_SECRET_KEY is missing or insecure. Set it to a random string of at least 50 "
            "characters (for instance the output of: python -c 'import secrets; "
            "print(secrets.token_urlsafe(64))'), or set WEH_DEBUG=1 for local development."
        )


check_secret_key(SECRET_KEY, debug=DEBUG, testing=TESTING)

ALLOWED_HOSTS = env_list("WEH_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("WEH_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Before allauth, so that its page layout is ours.
    "weh.web",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "ninja",
    "weh.core",
    "weh.accounts",
    "weh.registry",
    "weh.standards",
    "weh.assessments",
    "weh.review",
    "weh.notifications",
    "weh.ledger",
    "weh.finance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "weh.core.middleware.PrivateWhenSettingCookiesMiddleware",
    "weh.core.problems.ApiProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "weh.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "weh.urls"
WSGI_APPLICATION = "weh.wsgi.application"
ASGI_APPLICATION = "weh.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "weh.web.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("WEH_DATABASE_URL", f"sqlite:///{VAR_DIR / 'weh.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside a writer; a busy timeout waits rather than failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = os.environ.get("WEH_CACHE_URL", "")
if CACHE_URL.startswith("redis://"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Accounts: local login by username or e-mail; sign-up is open only when the operator allows it.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "weh.accounts.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("WEH_LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
}
WEH_OPEN_SIGNUP = env_bool("WEH_OPEN_SIGNUP", False)
SOCIALACCOUNT_ADAPTER = "weh.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = False

# One external OpenID Connect provider, configured entirely from the environment.
OIDC_SERVER_URL = os.environ.get("WEH_OIDC_SERVER_URL", "")
OIDC_PROVIDER_ID = os.environ.get("WEH_OIDC_PROVIDER_ID", "oidc")
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {"openid_connect": {"APPS": []}}
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": OIDC_PROVIDER_ID,
            "name": os.environ.get("WEH_OIDC_NAME", "Single sign-on"),
            "client_id": os.environ.get("WEH_OIDC_CLIENT_ID", ""),
            "secret": os.environ.get("WEH_OIDC_CLIENT_SECRET", ""),
            "settings": {
                "server_url": OIDC_SERVER_URL,
                "token_auth_method": os.environ.get(
                    "WEH_OIDC_TOKEN_AUTH_METHOD", "client_secret_basic"
                ),
                "oauth_pkce_enabled": True,
            },
        }
    ]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "weh" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("WEH_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("WEH_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Request size limits: the API refuses larger bodies with a 413 problem document.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("WEH_MAX_REQUEST_BYTES", 2 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Evidence files: larger uploads are refused with a clear message.
WEH_MAX_EVIDENCE_BYTES = int(os.environ.get("WEH_MAX_EVIDENCE_BYTES", 20 * 1024 * 1024))

# Security headers. HTTPS-only settings switch on with WEH_HTTPS=1 (behind a TLS-terminating proxy).
HTTPS = env_bool("WEH_HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("WEH_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

# API tokens: creation is rate-limited per user.
WEH_TOKEN_RATE_LIMIT = os.environ.get("WEH_TOKEN_RATE_LIMIT", "10/h")
# Alerts about recognised subjects: anyone may file them, so they are limited per address.
WEH_ALERT_RATE_LIMIT = os.environ.get("WEH_ALERT_RATE_LIMIT", "5/h")
WEH_API_PAGE_SIZE_MAX = 200

# Optional raster tiles for maps (none by default: maps draw the geometry on a plain background).
WEH_MAP_TILE_URL = os.environ.get("WEH_MAP_TILE_URL", "")
WEH_MAP_TILE_ATTRIBUTION = os.environ.get("WEH_MAP_TILE_ATTRIBUTION", "")

# E-mail: the console in development, SMTP when WEH_EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("WEH_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("WEH_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("WEH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("WEH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("WEH_EMAIL_TLS", True)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("WEH_EMAIL_FROM", "WEH <noreply@localhost>")

# The public address of this hub, for links in e-mails, certificates and QR codes.
WEH_SITE_URL = os.environ.get("WEH_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background work (expiry, notices, checkpoint signing): run inline unless a Redis queue is named.
TASK_QUEUE_URL = os.environ.get("WEH_TASK_QUEUE_URL", "")
if TASK_QUEUE_URL.startswith("redis://"):
    INSTALLED_APPS += ["django_rq", "django_tasks", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": TASK_QUEUE_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    INSTALLED_APPS += ["django_tasks"]
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Ed25519 key that signs recognition certificates: base64 of the 32-byte private key, or a file
# holding it. Development generates the file on first use; production refuses to sign without one.
WEH_CERTIFICATE_KEY = os.environ.get("WEH_CERTIFICATE_KEY", "")
WEH_CERTIFICATE_KEY_FILE = Path(
    os.environ.get("WEH_CERTIFICATE_KEY_FILE", VAR_DIR / "certificate_key")
)
# The issuer name written in certificates and published with the key.
WEH_CERTIFICATE_ISSUER = os.environ.get("WEH_CERTIFICATE_ISSUER", "weh.localhost")

# Transparency log (see docs/transparency.md): origin, signing key, witnesses.
WEH_LOG_ORIGIN = os.environ.get("WEH_LOG_ORIGIN", "weh.localhost/log")
# Signs checkpoints: a note signer key string named after the origin, or a file holding it.
# Development generates the file on first use; production refuses to sign without one.
WEH_LOG_KEY = os.environ.get("WEH_LOG_KEY", "")
WEH_LOG_KEY_FILE = Path(os.environ.get("WEH_LOG_KEY_FILE", VAR_DIR / "log_key"))
# Least seconds between two checkpoints (0: one after every transaction that appends).
WEH_LOG_CHECKPOINT_INTERVAL = int(os.environ.get("WEH_LOG_CHECKPOINT_INTERVAL", "0"))
# Megabytes of stored tree hashes each process keeps for proofs and tiles (0: none). 80 MB
# hold every hash of a log of about 1.3 million entries (65 bytes per entry).
WEH_LOG_HASH_CACHE_MB = int(os.environ.get("WEH_LOG_HASH_CACHE_MB", "80"))
# Witnesses (c2sp.org/tlog-witness) this log asks to cosign each new checkpoint: comma-separated
# "<witness verifier key> <submission URL prefix>" entries; none by default.
WEH_LOG_WITNESSES = env_list("WEH_LOG_WITNESSES")
# Seconds to wait for each witness's answer.
WEH_LOG_WITNESS_TIMEOUT = float(os.environ.get("WEH_LOG_WITNESS_TIMEOUT", "5"))
# This hub as a witness of other logs (POST /log/witness/add-checkpoint): comma-separated
# "<log verifier key>[ <origin>]" entries (the origin defaults to the key's name); none by default.
WEH_WITNESS_LOGS = env_list("WEH_WITNESS_LOGS")
# Its cosigning key: a note signer key of type 0x04 (cosignature/v1), or a file holding it.
# Development generates the file on first use; production refuses to cosign without one.
WEH_WITNESS_KEY = os.environ.get("WEH_WITNESS_KEY", "")
WEH_WITNESS_KEY_FILE = Path(os.environ.get("WEH_WITNESS_KEY_FILE", VAR_DIR / "witness_key"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WEH_LOG_LEVEL", "WARNING")},
}
