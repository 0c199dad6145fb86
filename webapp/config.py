"""Settings. Real values come from LEARNING_LOOP_* environment variables."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """A required setting is missing or unsafe; raised at start-up, naming the setting."""


class Config:
    """Production defaults: secure cookies, a secret key and a database URL must be given."""

    ENV_NAME = "production"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    QUEUE_URL = f"sqlite:///{INSTANCE / 'queue.db'}"
    QUEUE_IMMEDIATE = False
    BASE_URL = "http://127.0.0.1:5000"
    THEMING_EMBEDDER = "minilm"  # "tfidf": the light path for tests
    SEMANTIC_SCREEN = True  # the MiniLM second disclosure screen, in the job worker
    # Per client address and link: a 400-person webinar behind one address stays under it.
    RESPOND_RATE_LIMIT = "3000 per minute;100000 per day"
    # If the counters' store is down, let respondents through: never lose a child's answers.
    RATELIMIT_SWALLOW_ERRORS = True
    # Where the rate-limit counters live, shared by all workers (see webapp/limits.py).
    # None: the queue's Redis, or a SQLite file beside a SQLite queue.
    RATE_LIMIT_STORAGE: str | None = None
    # Reverse proxies in front of gunicorn whose X-Forwarded-For/-Proto are trusted.
    TRUSTED_PROXIES = 0
    DATA_FOLDER: str | None = None  # evidence files and pending imports; default: instance/
    PASSWORD_HASH_COST: tuple[int, int] | None = None  # None: argon2-cffi's defaults
    # Who runs this copy of Learning Loop: shown in the header, emails, privacy and accessibility.
    PARTNERSHIP_NAME = "Riverside Safeguarding Children Partnership"
    PARTNERSHIP_EMAIL = "safeguarding.partnership@riverside.example.org"
    PARTNERSHIP_PHONE = "01632 960 000"
    PARTNERSHIP_ADDRESS = "Town Hall, Riverside RV1 1AA"
    DATA_PROTECTION_OFFICER = "Data Protection Officer, Riverside Council"
    DATA_PROTECTION_OFFICER_EMAIL = "dpo@riverside.example.org"
    # Keys a training trainee's evaluation to their follow-up (an HMAC of email and course);
    # None: derived from SECRET_KEY. Changing it unlinks follow-ups not yet answered.
    PERSON_KEY_SECRET: str | None = None
    # Retention periods, in the partnership's own words (its retention schedule).
    RETENTION_ANSWERS = "6 years after the cycle closes"
    RETENTION_DISCLOSURES = "25 years after the child's date of birth"
    RETENTION_ACCOUNTS = "1 year after the account is deactivated"
    ACCESSIBILITY_RESPONSE_DAYS = 5
    ACCESSIBILITY_STATEMENT_DATE = "1 December 2026"

    MAIL_HOST = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_SENDER = "learning-loop@localhost"

    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    IDLE_TIMEOUT = timedelta(minutes=30)
    IDLE_WARNING = timedelta(minutes=2)
    INVITATION_LIFETIME = timedelta(days=7)
    PASSWORD_RESET_LIFETIME = timedelta(hours=2)

    # Flask's MAX_CONTENT_LENGTH defaults to unlimited: cap bodies (evidence files included).
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500_000
    MAX_FORM_PARTS = 1_000
    WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session
    WTF_CSRF_SSL_STRICT = False
    PREFERRED_URL_SCHEME = "https"


class DevConfig(Config):
    """The embedded default that `make run` starts: SQLite under instance/, plain HTTP."""

    ENV_NAME = "development"
    DATABASE_URL = f"sqlite:///{INSTANCE / 'learning-loop.db'}"
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    MAIL_PORT = 8025


class TestConfig(DevConfig):
    """Tests: an in-memory queue that runs jobs at once unless a test brings its own."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    DATABASE_URL = "sqlite://"
    QUEUE_URL = "memory://"
    QUEUE_IMMEDIATE = True
    SEMANTIC_SCREEN = False  # tests that need it turn it on
    THEMING_EMBEDDER = "tfidf"
    WTF_CSRF_ENABLED = True
    BASE_URL = "http://localhost"
    # argon2id at a cost tests can afford (production keeps argon2-cffi's defaults).
    PASSWORD_HASH_COST: tuple[int, int] | None = (1, 1024)  # time cost, memory in KiB


CONFIGS: dict[str, type[Config]] = {
    "production": Config,
    "development": DevConfig,
    "test": TestConfig,
}
