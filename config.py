"""All settings in one place: each has a default and an environment override."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
# The public OSO schema and example dossier: ../shared/oso beside the checkout, else the copies in tests/data/oso.
OSO_VOORBEELD_DIR = next(
    (d for d in (BASE_DIR.parent / "shared" / "oso", BASE_DIR / "tests" / "data" / "oso") if d.is_dir()),
    BASE_DIR / "tests" / "data" / "oso",
)
DEV_SECRET = "dev-secret-change-me"  # noqa: S105 - the known value production refuses


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_optional_bool(name: str) -> bool | None:
    """None when unset: the app decides (see web/security.py)."""
    return _env_bool(name, False) if name in os.environ else None


def build_config(instance_path: str) -> dict[str, object]:
    """Settings for one app, read from the environment at creation time."""
    instance = Path(instance_path)
    bijlage_max = _env_int("BIJLAGE_MAX_BYTES", 10 * 1024 * 1024)  # domain.md §2: at most 10 MB each
    sqlite_url = f"sqlite:///{instance / 'kansrijk.sqlite'}"
    broker_default = f"sqla+sqlite:///{instance / 'broker.sqlite'}"
    return {
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRET),
        "DEBUG": _env_bool("FLASK_DEBUG", False),
        "TESTING": False,
        "DEMO_MODE": _env_bool("KANSRIJK_DEMO", False),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", sqlite_url),
        # SQL parameters (pupil data) never appear in exception texts or the SQL echo.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "PROXY_FIX": _env_int("PROXY_FIX", 0),  # number of trusted proxies in front of the app
        # /metrics: besides loopback and private addresses, whoever sends "Authorization: Bearer <token>"
        "METRICS_TOKEN": _env("METRICS_TOKEN", ""),
        "SQLITE_BUSY_TIMEOUT_MS": _env_int("SQLITE_BUSY_TIMEOUT_MS", 15000),
        "BPMN_DIR": _env("BPMN_DIR", str(BASE_DIR / "bpmn")),
        "BPMN_PUBLISH_ON_START": _env_bool("BPMN_PUBLISH_ON_START", True),
        # How long one condition, script, timer or instruction in a diagram may run (seconds).
        "SCRIPT_TIME_LIMIT": float(_env("SCRIPT_TIME_LIMIT", "1")),
        "CELERY_BROKER_URL": _env("CELERY_BROKER_URL", broker_default),
        "CELERY_TIMER_INTERVAL": float(_env("CELERY_TIMER_INTERVAL", "2")),  # an indexed query: cheap to run often
        "CELERY_MAIL_INTERVAL": float(_env("CELERY_MAIL_INTERVAL", "10")),
        "CELERY_ALWAYS_EAGER": _env_bool("CELERY_ALWAYS_EAGER", False),
        "CELERY_VISIBILITY_TIMEOUT": _env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "PAGE_SIZE": _env_int("PAGE_SIZE", 25),
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies and HSTS unless debug, tests or KANSRIJK_LOCAL_HTTP=1 (`make run` over http):
        # None means automatic, decided in web/security.py once TESTING is known.
        "SESSION_COOKIE_SECURE": _env_optional_bool("SESSION_COOKIE_SECURE"),
        "LOCAL_HTTP": _env_bool("KANSRIJK_LOCAL_HTTP", False),
        "HSTS": _env_optional_bool("HSTS"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        # domain.md §9: the data underlying a decision at most 3 years, the decision 7 years.
        "RETENTIE_ONDERLIGGEND_JAREN": _env_int("RETENTIE_ONDERLIGGEND_JAREN", 3),
        "RETENTIE_BESLUIT_JAREN": _env_int("RETENTIE_BESLUIT_JAREN", 7),
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _env_int("SESSION_ABSOLUTE_HOURS", 12),
        "PERMANENT_SESSION_LIFETIME": 3600 * _env_int("SESSION_ABSOLUTE_HOURS", 12),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        # Retry-After is set by the 429 answers themselves (web/errors.py, web/auth/views.py).
        "RATELIMIT_HEADERS_ENABLED": _env_bool("RATELIMIT_HEADERS_ENABLED", False),
        # Per account: after this many failed passwords or codes in a row, an increasing delay
        # (1 minute, doubling, at most an hour); the owner gets in once it has passed (web/auth/vertraging.py).
        "LOGIN_DELAY_AFTER_FAILURES": _env_int("LOGIN_DELAY_AFTER_FAILURES", 5),
        "LOGIN_DELAY_SECONDS": _env_int("LOGIN_DELAY_SECONDS", 60),
        "LOGIN_DELAY_MAX_SECONDS": _env_int("LOGIN_DELAY_MAX_SECONDS", 3600),
        "LOGIN_FAILURE_WINDOW_HOURS": _env_int("LOGIN_FAILURE_WINDOW_HOURS", 24),  # a quiet day clears the count
        # Per address, failed attempts only: a school or office behind one address must not notice it.
        "LOGIN_LIMIT_PER_ADDRESS": _env("LOGIN_LIMIT_PER_ADDRESS", "300 per 15 minutes"),
        "PASSWORD_RESET_HOURS": _env_int("PASSWORD_RESET_HOURS", 1),
        "ACCOUNT_ACTIVATION_DAYS": _env_int("ACCOUNT_ACTIVATION_DAYS", 7),  # how long an activation link works
        "MAIL_SERVER": _env("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USERNAME": _env("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_FROM": _env("MAIL_FROM", "Kansrijk <noreply@kansrijk.invalid>"),
        "MAIL_MESSAGE_ID_DOMAIN": _env("MAIL_MESSAGE_ID_DOMAIN", "kansrijk.invalid"),
        "MAIL_TIMEOUT_SECONDS": float(_env("MAIL_TIMEOUT_SECONDS", "20")),
        # A claimed mail is someone else's to retry only after the lease: longer than one SMTP send.
        "MAIL_LEASE_SECONDS": float(_env("MAIL_LEASE_SECONDS", "120")),
        # A published mail is left to its task this long before the sweep publishes it again.
        "MAIL_SWEEP_GRACE": float(_env("MAIL_SWEEP_GRACE", "60")),
        "MAIL_MAX_ATTEMPTS": _env_int("MAIL_MAX_ATTEMPTS", 6),
        "MAIL_RETRY_BASE_SECONDS": float(_env("MAIL_RETRY_BASE_SECONDS", "30")),  # doubles per attempt
        "MAIL_DIGEST_HOUR": _env_int("MAIL_DIGEST_HOUR", 7),  # daily task overview, local time
        # Bijlagen: where the files go ("bestand": a folder; an S3 store can be added in workflow/opslag.py).
        "BIJLAGEN_OPSLAG": _env("BIJLAGEN_OPSLAG", "bestand"),
        "BIJLAGEN_DIR": _env("BIJLAGEN_DIR", str(instance / "bijlagen")),
        "BIJLAGE_MAX_BYTES": bijlage_max,
        # Any request body above this is refused (413) before it is read: one bijlage plus the form around it.
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", bijlage_max + 64 * 1024),
        # The LVS API (issue 7): an aanvraag carries its files base64-encoded in one JSON body.
        "API_MAX_CONTENT_LENGTH": _env_int("API_MAX_CONTENT_LENGTH", 60 * 1024 * 1024),
        "API_LIMIT_PER_KOPPELING": _env("API_LIMIT_PER_KOPPELING", "120 per minute"),
        "API_LIMIT_AUTH_FAILURES": _env("API_LIMIT_AUTH_FAILURES", "20 per 15 minutes"),  # per address, unknown codes
        # Failed authentications per presented (wrong) code: one school's typo stops here, below the address limit.
        "API_LIMIT_AUTH_FAILURES_PER_CODE": _env("API_LIMIT_AUTH_FAILURES_PER_CODE", "10 per 15 minutes"),
        "LVS_POLL_MAX": _env_int("LVS_POLL_MAX", 500),  # changes per polling answer (the API documents 500)
        # Development only: callback URLs over http and to loopback addresses (a local test LVS).
        "LVS_CALLBACK_ONVEILIG": _env_bool("LVS_CALLBACK_ONVEILIG", False),
        "OSO_XSD_PATH": os.environ.get("OSO_XSD_PATH") or None,  # strict XSD validation when set
        "OSO_MAX_BYTES": _env_int("OSO_MAX_BYTES", 20_000_000),
        "CELERY_LVS_PUSH_INTERVAL": float(_env("CELERY_LVS_PUSH_INTERVAL", "30")),
    }


def check_production_safe(config: dict[str, object]) -> None:
    """Refuse to run outside debug/testing with the well-known development secret."""
    if config.get("DEBUG") or config.get("TESTING"):
        return
    if config.get("SECRET_KEY") in (None, "", DEV_SECRET):
        raise RuntimeError(
            "SECRET_KEY is niet ingesteld: zet de omgevingsvariabele SECRET_KEY "
            "(de ontwikkelsleutel is buiten debug niet toegestaan)."
        )
