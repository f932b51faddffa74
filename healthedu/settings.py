"""Settings, read from the environment by the typed readers in healthedu.env.

HEALTHEDU_ENV=production makes SECRET_KEY and DATABASE_URL required and turns DEBUG off by default.
"""

from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from healthedu.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    secret_from_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HEALTHEDU_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_choice("HEALTHEDU_ENV", "development", {"development", "production"})
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when HEALTHEDU_ENV=production")
    SECRET_KEY = secret_from_file(VAR_DIR / "secret_key")

# Personal data (ID numbers, phones) is encrypted with a key of its own, so that rotating
# SECRET_KEY does not lose it. Development derives one from a file under var/.
PII_KEY = env_str("PII_KEY")
if not PII_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("PII_KEY is required when HEALTHEDU_ENV=production")
    PII_KEY = secret_from_file(VAR_DIR / "pii_key")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_celery_results",
    "healthedu.org",
    "healthedu.audit",
    "healthedu.jobs",
    "healthedu.program",
    "residents",
    "healthedu.activities",
    "healthedu.screening",
    "healthedu.surveys",
    "healthedu.sync",
    "reports",
    "healthedu.web",
    "healthedu.demo",
    "healthedu.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "healthedu.dbrouter.PinMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "healthedu.middleware.DatabaseUnavailableMiddleware",
    "healthedu.org.middleware.MustChangePasswordMiddleware",
]

ROOT_URLCONF = "healthedu.urls"
WSGI_APPLICATION = "healthedu.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

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
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL is required when HEALTHEDU_ENV=production")
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'healthedu.sqlite3'}"
DATABASES = {"default": database_from_url(DATABASE_URL, BASE_DIR)}
# A PostgreSQL streaming replica of the same database: report reads go there (healthedu.dbrouter).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **database_from_url(DATABASE_REPLICA_URL, BASE_DIR),
        # Tests run against the primary's test database unless the replica's own is named.
        "TEST": {"MIRROR": None if env_str("HEALTHEDU_REAL_REPLICA") else "default"},
    }
DATABASE_ROUTERS = ["healthedu.dbrouter.ReportRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The covering index of survey responses (INCLUDE columns) is PostgreSQL's; SQLite, the embedded
# default, builds it without them, which is fine there and not worth a warning on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# The project-wide catalogue lives in the package, so that an installed wheel carries it.
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # files are served only through reach-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# What one import may hold (healthedu/uploads.py): checked before any reader builds the sheet.
UPLOAD_MAX_UNPACKED_BYTES = env_int("UPLOAD_MAX_UNPACKED_BYTES", 200 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 200_000, minimum=10)
UPLOAD_MAX_COLUMNS = env_int("UPLOAD_MAX_COLUMNS", 200, minimum=10)
# The address space of the child process that reads an upload, in MB.
UPLOAD_PARSE_MEMORY_MB = env_int("UPLOAD_PARSE_MEMORY_MB", 2048, minimum=256)

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "healthedu@localhost")

# Security: sessions and CSRF cookies never reach scripts; HTTPS-only in production.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
CSRF_COOKIE_HTTPONLY = False  # the pages' fetch() calls read it
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response (django-csp): scripts and styles from our own static
# files only, so the pages carry no inline <script>, on...= handler, <style> or style= attribute
# (behaviour is in web/static/web/js/, data goes through json_script). Images may be data: URLs.
# The API docs relax nothing: they use drf-spectacular's split view (healthedu/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["healthedu.api.permissions.ReachPermission"],
    "DEFAULT_PAGINATION_CLASS": "healthedu.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "healthedu.api.errors.exception_handler",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
    "DEFAULT_THROTTLE_RATES": {"login": "10/min", "signin": "20/min"},
    "DEFAULT_PARSER_CLASSES": [
        "healthedu.api.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "社区健康教育管理 API",
    "DESCRIPTION": "Community health-education manager: residents, activities, blood pressure, surveys, the two rates, ledgers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BPCategoryEnum": "healthedu.screening.bp.Category",
        "BPReferralEnum": "healthedu.screening.bp.Referral",
        "ReferralStatusEnum": "healthedu.screening.models.ReferralStatus",
        "EventKindEnum": "healthedu.activities.models.EventKind",
        "EventStatusEnum": "healthedu.activities.models.EventStatus",
        "AttachmentCategoryEnum": "healthedu.activities.models.AttachmentCategory",
        "ItemKindEnum": "healthedu.surveys.models.ItemKind",
        "ResidentStatusEnum": "residents.models.ResidentStatus",
        "JobStatusEnum": "healthedu.jobs.models.Status",
    },
}

# Celery. With no broker configured the embedded default needs no server: kombu's filesystem
# transport under var/, which a real worker (started by `make run`) consumes.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_queue_dir = VAR_DIR / "celery"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # A task not acknowledged within this time is given to another worker (redelivery after a
    # lost worker). Longer than the longest job.
    else {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)}
)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("queue", "control"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "django-db")
CELERY_RESULT_EXTENDED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Domain settings (SPEC.md). Each bound is a setting, so that a district can follow its own rule.
HEALTHEDU = {
    "ELDERLY_MIN_AGE": env_int("HEALTHEDU_ELDERLY_MIN_AGE", 60, minimum=0),
    "WOMEN_MIN_AGE": env_int("HEALTHEDU_WOMEN_MIN_AGE", 18, minimum=0),
    "YOUTH_MIN_AGE": env_int("HEALTHEDU_YOUTH_MIN_AGE", 10, minimum=0),
    "YOUTH_MAX_AGE": env_int("HEALTHEDU_YOUTH_MAX_AGE", 24, minimum=0),
    "KNOWLEDGE_TARGET": env_float("HEALTHEDU_KNOWLEDGE_TARGET", 0.85),
    "BEHAVIOR_TARGET": env_float("HEALTHEDU_BEHAVIOR_TARGET", 0.70),
    "REFERRAL_FOLLOWUP_DAYS": env_int("HEALTHEDU_REFERRAL_FOLLOWUP_DAYS", 14, minimum=1),
    # Phone numbers an educator may have revealed a day to call referred residents (audited).
    "PHONE_REVEALS_PER_DAY": env_int("HEALTHEDU_PHONE_REVEALS_PER_DAY", 20, minimum=0),
    # Yearly minimums of 国家基本公共卫生服务规范（第三版）健康教育服务规范; None = no minimum.
    "YEARLY_MINIMUMS": {
        "lecture": env_int("HEALTHEDU_MIN_LECTURES", 12, minimum=0),
        "consultation": env_int("HEALTHEDU_MIN_CONSULTATIONS", 9, minimum=0),
        "board_update": env_int("HEALTHEDU_MIN_BOARD_UPDATES", 12, minimum=0),
        "print_material": env_int("HEALTHEDU_MIN_PRINT_KINDS", 12, minimum=0),
        "av_showing": env_int("HEALTHEDU_MIN_AV_KINDS", 6, minimum=0),
        "meeting": env_int("HEALTHEDU_MIN_MEETINGS", 4, minimum=0),
    },
    "MIN_BOARDS": env_int("HEALTHEDU_MIN_BOARDS", 2, minimum=1),
    "BOARD_UPDATE_MAX_DAYS": env_int("HEALTHEDU_BOARD_UPDATE_MAX_DAYS", 60, minimum=1),
    # A rate over fewer answers than this prints with 样本量小，仅供参考. 30: at n = 30 a 95 %
    # interval around 50 % is already ±18 百分点 wide (1.96·√(0.25/30)), wider than the
    # month-to-month differences a ledger is read for; and 30 is the usual rule of thumb for the
    # normal approximation behind a rate's interval.
    "SMALL_SAMPLE_N": env_int("HEALTHEDU_SMALL_SAMPLE_N", 30, minimum=1),
    # The TrueType fonts of the PDFs, converted from Debian's fonts-noto-cjk by `make fonts`
    # (manage.py pdf_fonts; reports.fonts).
    "PDF_FONT_DIR": Path(env_str("HEALTHEDU_PDF_FONT_DIR", str(VAR_DIR / "fonts"))),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "healthedu.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PRODUCTION else "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Sign-in throttling, one mechanism for the three doors (the token endpoint, the page login and
# the admin login): django-axes, with failures kept in the database so that every app server
# sees the same counts. A streak of wrong passwords locks that username from that address; a
# username from anywhere only after a larger number, and an address for every username only
# after a much larger one, so that one educator's typing does not lock out the colleagues behind
# the same office router. healthedu.org.throttle holds the rule.
TRUSTED_PROXY_HOPS = env_int("HEALTHEDU_TRUSTED_PROXY_HOPS", 0, minimum=0)
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes asks
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "healthedu.org.throttle.TieredAxesHandler"
AXES_CLIENT_IP_CALLABLE = "healthedu.org.throttle.client_address"
AXES_USERNAME_CALLABLE = "healthedu.org.throttle.attempted_username"
AXES_LOCKOUT_CALLABLE = "healthedu.org.throttle.lockout_response"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
# One limit per entry of AXES_LOCKOUT_PARAMETERS, in the same order.
LOGIN_FAILURE_LIMITS = [
    env_int("HEALTHEDU_LOGIN_FAILURES_PER_USER_AND_ADDRESS", 5, minimum=1),
    env_int("HEALTHEDU_LOGIN_FAILURES_PER_USER", 20, minimum=1),
    env_int("HEALTHEDU_LOGIN_FAILURES_PER_ADDRESS", 100, minimum=1),
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMITS[0]
LOGIN_LOCKOUT_MINUTES = env_int("HEALTHEDU_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = "healthedu.org.throttle.lockout_duration"
# Guesses during a lock-out do not extend it: the rightful user gets in when it passes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in last_login; failures are what counts
AXES_VERBOSE = False

# API tokens expire; a password change or a deactivation revokes them (healthedu.org.tokens).
TOKEN_TTL_HOURS = env_int("HEALTHEDU_TOKEN_TTL_HOURS", 24 * 30, minimum=1)
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "healthedu.org.tokens.ExpiringTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # lock-outs, not every attempt
