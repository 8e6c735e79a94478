"""Settings, read from the environment with safe defaults (no secret in the repository).

ZHICHENG_SECRET_KEY  the secret key; without it one is made once and kept in var/secret_key (not in git)
ZHICHENG_DEBUG       "1" to turn debugging on (off by default)
ZHICHENG_ALLOWED_HOSTS  comma-separated host names (127.0.0.1,localhost by default)
DATABASE_URL         postgresql://… selects PostgreSQL; SQLite in var/ by default
ZHICHENG_FIELD_KEY   the key that encrypts ID numbers at rest (urlsafe base64, 32 bytes); made like the secret key
ZHICHENG_MEDIA_ROOT  where uploaded evidence is stored (var/evidence by default); never served as static files
ZHICHENG_AUDIT_KEY   the key that seals the audit trail's entries; made like the secret key, kept apart from the database
ZHICHENG_AUDIT_RETENTION_DAYS  how long audit entries are kept before pruning (184 days, the least the law allows)
ZHICHENG_DB_CONN_MAX_AGE  seconds a database connection is kept (0 by default); kept connections are health-checked
ZHICHENG_LOG_FILE    a file the logs are also written to (stderr always); each line carries the request id
ZHICHENG_LOG_LEVEL   the platform's own loggers' level (INFO by default)
ZHICHENG_TRUSTED_PROXY_HEADER, ZHICHENG_TRUSTED_PROXIES  the reverse proxy's client-address header and its addresses
ZHICHENG_SECOND_FACTOR  "0" to sign privileged roles in without the TOTP code (on by default; docs/security.md)
ZHICHENG_HTTPS       "1" behind the HTTPS reverse proxy: secure cookies, HSTS, the redirect to HTTPS, the proxy's
                     X-Forwarded-Proto trusted (docs/deployment.md)
ZHICHENG_STATIC_COLLECTED  "1" when the static files were collected (`make serve` does it): the application serves
                     their compressed copies under hashed names with long cache headers (WhiteNoise)
ZHICHENG_STATIC_ROOT where collectstatic puts them (var/static by default)
ZHICHENG_S3_BUCKET   keep uploaded evidence in this S3-compatible bucket instead of ZHICHENG_MEDIA_ROOT, with
                     ZHICHENG_S3_ENDPOINT_URL, ZHICHENG_S3_REGION, ZHICHENG_S3_ACCESS_KEY, ZHICHENG_S3_SECRET_KEY (or
                     the standard AWS_* names); private objects, read back only through the platform (docs/deployment.md)
ZHICHENG_REDIS_URL   redis://… for Django's cache, shared by every application server (docs/deployment.md)
ZHICHENG_BENCH_BARE  "1" mounts the deadline-rush benchmark's bare view at /bench/bare/<pk>/ (bench/rush.py); never
                     in production
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

# Lets the admin classes take type parameters at run time, as the type checker sees them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
GUIDE_DIR = Path(os.environ.get("ZHICHENG_GUIDE_DIR", PROJECT_DIR / "docs" / "guide"))
VAR_DIR = Path(os.environ.get("ZHICHENG_VAR_DIR", PROJECT_DIR / "var"))


def _kept_secret(name: str, make: str) -> str:
    """A secret from the environment, else one made once and kept under var/ (outside the repository)."""
    env = os.environ.get(f"ZHICHENG_{name.upper()}")
    if env:
        return env
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make, encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _kept_secret("secret_key", secrets.token_urlsafe(50))
FIELD_KEY = _kept_secret("field_key", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
AUDIT_KEY = _kept_secret("audit_key", secrets.token_urlsafe(32))
# Cybersecurity Law art. 21: network logs kept no less than six months; pruning never goes below 184 days.
AUDIT_RETENTION_DAYS = max(184, int(os.environ.get("ZHICHENG_AUDIT_RETENTION_DAYS", "184")))
DEBUG = os.environ.get("ZHICHENG_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ZHICHENG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "zhicheng.accounts.apps.SignInGuardConfig",  # django-axes
    "django_otp",
    "zhicheng.accounts.apps.SecondFactorConfig",  # django-otp's TOTP devices
    # The platform's floors, from the ground up (docs/architecture.md; pyproject.toml holds the rule).
    "zhicheng.accounts",
    "zhicheng.audit",
    "zhicheng.round",
    "zhicheng.cases",
    "zhicheng.records",
    "zhicheng.applications",
    "zhicheng.intake",
    "zhicheng.evaluation",
    "zhicheng.results",
    "zhicheng.demo",
    "zhicheng.guide",
]

MIDDLEWARE = [
    "zhicheng.accounts.requestid.RequestIdMiddleware",  # first: every later log line carries the request's id
    # The load balancer's probes (/healthz, /readyz) are answered here, before the host check, the HTTPS redirect,
    # the session and the sign-in: a probe comes to the server's own address over plain HTTP, and must stay cheap.
    "zhicheng.serving.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhicheng.audit.context.OriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhicheng.documents.uploads.UploadGuardMiddleware",  # an unreadable upload goes back to its page, in Chinese
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "zhicheng.accounts.middleware.ActingRoleMiddleware",
    "zhicheng.accounts.gate.SignInGateMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhicheng.urls"
WSGI_APPLICATION = "zhicheng.wsgi.application"

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
                "zhicheng.accounts.middleware.acting_role",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'zhicheng.sqlite3'}",
        conn_max_age=int(os.environ.get("ZHICHENG_DB_CONN_MAX_AGE", "0")),
        # A kept connection is checked before a request uses it: after a database restart the first request of
        # each worker would otherwise be a 500 (issue 10, finding 8).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two requests at once (a double click, two clerks) must wait for each other, not fail with "database is
    # locked": WAL lets readers go on beside the one writer, the busy timeout makes a writer wait, and IMMEDIATE
    # takes the write lock when a transaction begins — a deferred transaction that reads and then writes cannot
    # wait for the lock (SQLite refuses the upgrade at once), which is what gave the 500 of issue 11.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Passwords: argon2 first (docs/security.md has the whole account policy).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "zhicheng.accounts.passwords.StrongPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Repeated failures lock the user name *from that client* for a while (django-axes): the right password from any
# other client still signs in, so no stranger can lock a named person out (issue 10, finding 6).
AXES_FAILURE_LIMIT = int(os.environ.get("ZHICHENG_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ZHICHENG_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# The client is known by its address as the trusted reverse proxy reports it (zhicheng.accounts.clients): set the
# proxy's header (e.g. HTTP_X_FORWARDED_FOR) and the proxies' addresses or networks (comma-separated); without
# them the address the request came from (REMOTE_ADDR) is the client's.
ZHICHENG_TRUSTED_PROXY_HEADER = os.environ.get("ZHICHENG_TRUSTED_PROXY_HEADER", "")
ZHICHENG_TRUSTED_PROXIES = [p for p in os.environ.get("ZHICHENG_TRUSTED_PROXIES", "").split(",") if p.strip()]
AXES_CLIENT_IP_CALLABLE = "zhicheng.accounts.clients.client_address"
AXES_USERNAME_CALLABLE = "zhicheng.accounts.clients.client_username"

# The privileged roles sign in with a second factor, a TOTP code (zhicheng.accounts.second_factor); "0" turns it
# off, e.g. for a demonstration on a machine without an authenticator at hand.
ZHICHENG_SECOND_FACTOR = os.environ.get("ZHICHENG_SECOND_FACTOR", "1") != "0"
OTP_TOTP_ISSUER = "忻州职称评审"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no one but the owner sees an authenticator's secret
# Wrong codes slow the next try down, doubling each time (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1

# Nothing a second application server must see lives in one process's memory (docs/deployment.md, "Several
# application servers"): sessions are rows in the database, as are axes' failed sign-ins and django-otp's
# throttle, and the locks are the database's (select_for_update). The cache holds nothing that must be shared
# today; with ZHICHENG_REDIS_URL it is Redis, shared by every server, so that whatever is cached later is too.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
REDIS_URL = os.environ.get("ZHICHENG_REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "zhicheng"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions end after 30 minutes without activity.
SESSION_COOKIE_AGE = int(os.environ.get("ZHICHENG_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; the cookie stays same-site
SESSION_COOKIE_SAMESITE = "Lax"
# HTTPS ends at the reverse proxy (docs/deployment.md), which says so in X-Forwarded-Proto; it must set that header
# itself, replacing any the client sent, or a client could claim HTTPS. With ZHICHENG_HTTPS=1 the browser is sent to
# HTTPS and told to stay there for a year, subdomains included, and the cookies never travel in clear.
HTTPS = os.environ.get("ZHICHENG_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# HSTS preloading puts the domain on the browsers' built-in lists, which takes months to undo: a decision for the
# domain's owner, not for the application (docs/deployment.md), so Django's reminder of it is not a deployment failure.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Chinese by default, with the notice's date style; the server's time is Beijing time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("ZHICHENG_STATIC_ROOT", VAR_DIR / "static"))
# `make run` serves the files where they lie (runserver --insecure); `make serve` collects them first and sets
# ZHICHENG_STATIC_COLLECTED=1, and the application itself (WhiteNoise) serves the collected copies: hashed names that
# browsers keep for a year, gzip and brotli made once at collection. Hashed names only when collected: without the
# manifest every {% static %} would fail, and a stale one would name files runserver cannot find.
STATIC_COLLECTED = os.environ.get("ZHICHENG_STATIC_COLLECTED", "") == "1"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COLLECTED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if STATIC_COLLECTED:
    # Right after the security middleware (HTTPS redirect, HSTS), before sessions: a static file needs none of them.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

# Evidence files: private storage, served only through a permission check (never a public URL).
MEDIA_ROOT = Path(os.environ.get("ZHICHENG_MEDIA_ROOT", VAR_DIR / "evidence"))
# Several application servers must see the same files: a bucket when one is named (docs/deployment.md, "Object
# storage"), else the file system under MEDIA_ROOT (shared between servers only if it is a shared mount).
S3_BUCKET = os.environ.get("ZHICHENG_S3_BUCKET", "")
if S3_BUCKET:
    from botocore.config import Config as _BotoConfig

    _s3 = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": os.environ.get("ZHICHENG_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("ZHICHENG_S3_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None,
        # Evidence is never public: private objects, and no URL a browser could be sent to (the view streams).
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        # A store that does not answer must make /readyz say so within the balancer's probe, not after boto's
        # minutes of retries.
        "client_config": _BotoConfig(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}),
    }
    # Without ZHICHENG_ names boto3 finds the keys itself (AWS_ACCESS_KEY_ID …, a profile, an instance role).
    if os.environ.get("ZHICHENG_S3_ACCESS_KEY"):
        _s3["access_key"] = os.environ["ZHICHENG_S3_ACCESS_KEY"]
        _s3["secret_key"] = os.environ.get("ZHICHENG_S3_SECRET_KEY", "")
    STORAGES["evidence"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3}
else:
    # No location: the storage follows MEDIA_ROOT, also when a test overrides it.
    STORAGES["evidence"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
EVIDENCE_MAX_BYTES = int(os.environ.get("ZHICHENG_EVIDENCE_MAX_MB", "10")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Nothing is loaded from outside the server.
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "frame-ancestors": ["'none'"],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The year in force and its policy pack (the committee office changes it in the next issue's settings).
ZHICHENG_YEAR = int(os.environ.get("ZHICHENG_YEAR", "2023"))
# The address the certificates' QR codes open (the public verification page), as the public reaches the server.
# (empty: the address the request came in on).
ZHICHENG_PUBLIC_URL = os.environ.get("ZHICHENG_PUBLIC_URL", "")
# A rehearsal environment's date for the platform's rules (zhicheng.round.clock): empty in production.
ZHICHENG_TODAY = os.environ.get("ZHICHENG_TODAY", "")
# The benchmark's bare view (zhicheng.serving.bench), for `make bench-web` only: off in production.
ZHICHENG_BENCH_BARE = os.environ.get("ZHICHENG_BENCH_BARE", "") == "1"

# Logs go to stderr (the service manager keeps them) and, when ZHICHENG_LOG_FILE is set, to that file too; every
# record carries the request id (accounts/requestid.py). Django's request errors are logged with their traceback
# even with DEBUG off — Django's own default sends them only to the (unset) administrators' mail (finding 7).
LOG_FILE = os.environ.get("ZHICHENG_LOG_FILE", "")
LOG_HANDLERS = ["stderr", "file"] if LOG_FILE else ["stderr"]
LOGGING: dict[str, object] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "zhicheng.accounts.requestid.RequestIdFilter"}},
    "formatters": {
        "line": {
            "()": "zhicheng.accounts.requestid.LineFormatter",
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "line",
        },
        **(
            {
                "file": {
                    "class": "logging.handlers.WatchedFileHandler",  # reopened after logrotate moves the file
                    "filename": LOG_FILE,
                    "encoding": "utf-8",
                    "filters": ["request_id"],
                    "formatter": "line",
                }
            }
            if LOG_FILE
            else {}
        ),
    },
    "loggers": {
        # django.request (5xx as ERROR with the traceback, 4xx as WARNING) and django.security propagate here.
        "django": {"handlers": LOG_HANDLERS, "level": "WARNING"},
        "zhicheng": {"handlers": LOG_HANDLERS, "level": os.environ.get("ZHICHENG_LOG_LEVEL", "INFO")},
    },
}
