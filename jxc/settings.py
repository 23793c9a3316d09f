"""JXC settings: one module, configured by environment variables.

Variables (all optional for a laptop run):
  SECRET_KEY, DEBUG, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS,
  DATABASE_URL   unset -> SQLite file var/jxc.sqlite3
  REDIS_URL      unset -> Celery runs tasks inline (no broker)
  EMAIL_URL-style settings: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
                 EMAIL_USE_TLS, DEFAULT_FROM_EMAIL (unset host -> console backend)
  JXC_PRODUCTION=1  production hardening (HTTPS-only cookies, HSTS, ...)
  JXC_SITE_URL   the address users open, for links in e-mailed notifications
  MEDIA_ROOT     uploaded imports and report files (default var/media)
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("JXC_PRODUCTION")
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when JXC_PRODUCTION=1")
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "simple_history",
    "django_htmx",
    "django_celery_beat",
    "apps.core",
    "apps.accounts",
    "apps.inventory",
    "apps.suppliers",
    "apps.customers",
    "apps.purchasing",
    "apps.sales",
    "apps.finance",
    "apps.reports",
    "apps.notifications",
    "apps.imports",
    "apps.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "apps.core.idempotency.IdempotencyMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jxc.urls"
WSGI_APPLICATION = "jxc.wsgi.application"

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
                "apps.accounts.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL, else a SQLite file under var/ (the laptop run command).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'jxc.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several clerks at once on the laptop database: wait for the writer instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object; anonymous requests get nothing

# Login throttling (django-axes) for the login page, the admin and the token endpoint.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"  # JSON for /api/, the page elsewhere
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request then gets 401 with WWW-Authenticate, not 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.permissions.DepartmentModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    # Search (?search=) and sorting (?ordering=) are filters of each FilterSet, shared by the
    # API and the HTML lists (apps/core/filters.py).
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "apps.core.xlsx.XLSXRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "JXC API",
    "DESCRIPTION": "进销存 — purchase, sales and inventory. Contract: /api/v1/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from the app itself (drf-spectacular-sidecar): shops run on intranets.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several documents share draft → posted → cancelled: one enum with one name.
    "ENUM_NAME_OVERRIDES": {
        "DocumentStatusEnum": "apps.inventory.models.StockDocumentStatus",
        "OpenItemStatusEnum": "apps.finance.models.OpenItemStatus",
        "ComplaintStatusEnum": "apps.customers.models.ComplaintStatus",
        "ImportKindEnum": "apps.imports.models.ImportKind",
        "NotificationKindEnum": "apps.notifications.models.NotificationKind",
    },
}

# Celery: Redis when REDIS_URL is set, otherwise tasks run inline in the caller.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# E-mail: SMTP when EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jxc@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Business settings.
JXC_COMPANY_NAME = os.environ.get("JXC_COMPANY_NAME", "")
JXC_CURRENCY_SYMBOL = os.environ.get("JXC_CURRENCY_SYMBOL", "¥")
JXC_DEFAULT_TAX_RATE = os.environ.get("JXC_DEFAULT_TAX_RATE", "0.13")
# Let stock go below zero (moving-average products only; FIFO products never do).
JXC_ALLOW_NEGATIVE_STOCK = env_bool("JXC_ALLOW_NEGATIVE_STOCK")
# The most rows a list's Excel download (?format=xlsx) may hold.
JXC_XLSX_MAX_ROWS = int(os.environ.get("JXC_XLSX_MAX_ROWS", "100000"))
# Excel import: the most data rows and bytes an uploaded file may have, and the row count above
# which an import is queued as a background job instead of running in the request.
JXC_IMPORT_MAX_ROWS = int(os.environ.get("JXC_IMPORT_MAX_ROWS", "50000"))
JXC_IMPORT_MAX_BYTES = int(os.environ.get("JXC_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
JXC_IMPORT_SYNC_ROWS = int(os.environ.get("JXC_IMPORT_SYNC_ROWS", "2000"))
JXC_IDEMPOTENCY_TTL_HOURS = int(os.environ.get("JXC_IDEMPOTENCY_TTL_HOURS", "24"))
# Purchase orders whose total (VAT included) is above this need management's approval.
JXC_PO_APPROVAL_THRESHOLD = os.environ.get("JXC_PO_APPROVAL_THRESHOLD", "50000")
# How far a receipt may go over an order line, as a fraction of the line (0.05 = 5%).
JXC_RECEIPT_TOLERANCE = os.environ.get("JXC_RECEIPT_TOLERANCE", "0")
# Purchase planning: the sales window (days) that gives each product's daily sales velocity.
JXC_PLANNING_VELOCITY_DAYS = int(os.environ.get("JXC_PLANNING_VELOCITY_DAYS", "30"))
# Stock alerts: a balance with no movement for this many days is "slow-moving".
JXC_SLOW_MOVING_DAYS = int(os.environ.get("JXC_SLOW_MOVING_DAYS", "90"))
# Backups (manage.py backup, the nightly core.backup task): where, and how many to keep per database.
JXC_BACKUP_DIR = Path(os.environ.get("JXC_BACKUP_DIR") or BASE_DIR / "var" / "backups")
JXC_BACKUP_KEEP = int(os.environ.get("JXC_BACKUP_KEEP", "14"))
# The address people open JXC at (https://jxc.example.com): e-mailed notifications link to it.
JXC_SITE_URL = os.environ.get("JXC_SITE_URL", "")
# A report file e-mailed with its "report ready" notification up to this size (else a link only).
JXC_EMAIL_ATTACHMENT_MAX_BYTES = int(os.environ.get("JXC_EMAIL_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024)))
# Report files (scheduled and on-demand runs) older than this many days are deleted each morning.
JXC_REPORT_KEEP_DAYS = int(os.environ.get("JXC_REPORT_KEEP_DAYS", "90"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep the default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
