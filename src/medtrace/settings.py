"""Django settings, read from the environment through medtrace.conf (see README, Configuration)."""

from pathlib import Path

from medtrace import conf

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = conf.data_dir()

DEBUG = conf.env_bool("MEDTRACE_DEBUG", False)
SECRET_KEY = conf.secret_key(DATA_DIR)
# Uploaded documents (supplier certificates); served only through permission-checked views.
MEDIA_ROOT = DATA_DIR / "media"
ALLOWED_HOSTS = conf.env_list("MEDTRACE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = conf.env_list("MEDTRACE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "medtrace.core",
    "medtrace.accounts",
    "medtrace.org",
    "medtrace.audit",
    "medtrace.keys",
    "medtrace.jobs",
    "medtrace.catalog",
    "medtrace.partners",
    "medtrace.equipment",
    "medtrace.trace",
    "medtrace.inventory",
    "medtrace.purchasing",
    "medtrace.shipping",
    "medtrace.production",
    "medtrace.recall",
    "medtrace.quality",
    "medtrace.documents",
    "medtrace.training",
    "medtrace.changes",
    "medtrace.exchange",
    "medtrace.labels",
    "medtrace.analytics",
    "medtrace.integration",
    "medtrace.udi",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "medtrace.core.middleware.ClientAddressMiddleware",
    "medtrace.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "medtrace.core.middleware.RequestIdMiddleware",
    "medtrace.core.middleware.DatabaseUnavailableMiddleware",
    "medtrace.audit.context.AuditOriginMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "medtrace.accounts.middleware.IdleTimeoutMiddleware",
    "medtrace.accounts.middleware.PasswordExpiryMiddleware",
    "medtrace.accounts.middleware.MfaEnrolmentMiddleware",
    "medtrace.accounts.middleware.SigningOtpMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "medtrace.org.middleware.CurrentSiteMiddleware",
]

ROOT_URLCONF = "medtrace.urls"
WSGI_APPLICATION = "medtrace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "medtrace.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {"default": conf.database(conf.env_str("DATABASE_URL"), DATA_DIR / "medtrace.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["medtrace.accounts.backends.SiteRoleBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Part 11 §11.300 access controls (accounts.passwords, accounts.middleware, the lockout and
# signature services).
PASSWORD_MIN_LENGTH = conf.env_int("MEDTRACE_PASSWORD_MIN_LENGTH", 10, minimum=8)
PASSWORD_COMPLEXITY = conf.env_bool("MEDTRACE_PASSWORD_COMPLEXITY", True)
PASSWORD_HISTORY = conf.env_int("MEDTRACE_PASSWORD_HISTORY", 5, minimum=0)
PASSWORD_MAX_AGE_DAYS = conf.env_int("MEDTRACE_PASSWORD_MAX_AGE_DAYS", 180, minimum=0)
LOGIN_MAX_FAILURES = conf.env_int("MEDTRACE_LOGIN_MAX_FAILURES", 5, minimum=1)
SIGNATURE_MAX_FAILURES = conf.env_int("MEDTRACE_SIGNATURE_MAX_FAILURES", 3, minimum=1)
# A count difference above this share of the books is posted only under a signature.
INVENTORY_SIGNED_ADJUSTMENT_PERCENT = conf.env_int(
    "MEDTRACE_SIGNED_ADJUSTMENT_PERCENT", 5, minimum=0
)
# Serials production generates: the lot-number pattern tokens ({SITE}, {YYYY}, {YY}, {MM},
# {DD}, {JJJ}, {SEQ:n}); the sequence never resets, so a serial is unique per item and GTIN.
PRODUCTION_SERIAL_PATTERN = conf.env_str("MEDTRACE_SERIAL_PATTERN", "{YY}{JJJ}{SEQ:7}")
IDLE_MINUTES = conf.env_int("MEDTRACE_IDLE_MINUTES", 30, minimum=0)
# Two-factor sign-in (accounts.mfa): whoever holds one of these roles anywhere must sign in,
# and sign, with an authenticator code too. By default the roles that sign releases and
# approvals or administer; "none" requires it of nobody (anyone may still set it up).
MFA_REQUIRED_ROLES = [
    role
    for role in conf.env_list(
        "MEDTRACE_MFA_REQUIRED_ROLES",
        ["system_admin", "qa_manager", "qa_inspector", "production_supervisor",
         "regulatory_affairs"],
    )
    if role != "none"
]  # fmt: skip
# Attempts per minute (core.ratelimit; 0 for no limit): failed sign-ins from one address,
# signatures by one person, unknown API tokens from one address.
RATE_LIMIT_SIGN_INS = conf.env_int("MEDTRACE_RATE_LIMIT_SIGN_INS", 10, minimum=0)
RATE_LIMIT_SIGNATURES = conf.env_int("MEDTRACE_RATE_LIMIT_SIGNATURES", 20, minimum=0)
RATE_LIMIT_TOKENS = conf.env_int("MEDTRACE_RATE_LIMIT_TOKENS", 30, minimum=0)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks): behind one, every
# request comes from its address, and the limits above and the audit trail would name it.
TRUSTED_PROXIES = conf.env_networks("MEDTRACE_TRUSTED_PROXIES", [])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if PASSWORD_COMPLEXITY:
    AUTH_PASSWORD_VALIDATORS.append(
        {"NAME": "medtrace.accounts.passwords.ComplexityValidator", "OPTIONS": {"classes": 3}}
    )
if PASSWORD_HISTORY:
    AUTH_PASSWORD_VALIDATORS.append(
        {
            "NAME": "medtrace.accounts.passwords.HistoryValidator",
            "OPTIONS": {"keep": PASSWORD_HISTORY},
        }
    )
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = conf.time_zone("MEDTRACE_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Served straight from the installed package by WhiteNoise's finders: no collectstatic step,
# hence no STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

globals().update(conf.email(conf.env_str("MEDTRACE_EMAIL_URL"), DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = conf.env_str("MEDTRACE_EMAIL_FROM", "medtrace@localhost")
# Links sent outside (recall notices' acknowledgement links) start with this address.
# Webhooks: how long one POST may take, how many attempts before a dead letter, and after how
# long a delivery left `sending` by a vanished worker is sent again (longer than the timeout).
WEBHOOK_TIMEOUT_SECONDS = conf.env_int("MEDTRACE_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = conf.env_int("MEDTRACE_WEBHOOK_MAX_ATTEMPTS", 10, minimum=1)
WEBHOOK_STALE_SECONDS = conf.env_int("MEDTRACE_WEBHOOK_STALE_SECONDS", 120, minimum=1)

BASE_URL = conf.env_str("MEDTRACE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A drill's notices go here unless the drill writes to the consignees themselves.
DRILL_MAILBOX = conf.env_str("MEDTRACE_DRILL_MAILBOX", "recall-drill@localhost")
# A drill's timing targets: to the scope, to the first notice sent, to every consignee
# accounted for (durations in s, m, h or d; a name left out keeps its default).
DRILL_TARGETS = conf.env_durations("MEDTRACE_DRILL_TARGETS", "scope=15m,notice=2h,accounted=24h")

# Security. Behind a TLS-terminating proxy set MEDTRACE_HTTPS=true: cookies become Secure,
# plain-HTTP requests are redirected and browsers are told to use HTTPS only (HSTS, a year by
# default; MEDTRACE_HSTS_SECONDS=0 while trying TLS out, since HSTS is hard to take back).
HTTPS = conf.env_bool("MEDTRACE_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = conf.env_int("MEDTRACE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
# Subdomains and the browsers' preload list concern the customer's whole domain, not this
# application: their owner opts in, and the deploy checks that ask for them are silenced
# until then (each a deliberate choice, documented in the README).
SECURE_HSTS_INCLUDE_SUBDOMAINS = conf.env_bool("MEDTRACE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = conf.env_bool("MEDTRACE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen in (
        ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", SECURE_HSTS_PRELOAD),
    )
    if not chosen
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = conf.env_int("MEDTRACE_SESSION_SECONDS", 8 * 3600)
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": conf.env_str("MEDTRACE_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
