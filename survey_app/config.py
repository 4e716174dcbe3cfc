"""Configuration read from the environment, with safe defaults.

Every setting can be given as an environment variable of the same name. ``PARINDEX_ENV``
chooses the profile: ``production`` (the default, strict) or ``development`` (a generated
secret key kept in ``instance/``) or ``testing``.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Configuration that stops start-up; its message is one line for the operator."""


def instance_path() -> Path:
    return Path(os.environ.get("PARINDEX_INSTANCE", PROJECT_ROOT / "instance")).resolve()


def _development_secret(folder: Path) -> str:
    """Return the development secret kept in ``instance/secret_key``, creating it once."""
    key_file = folder / "secret_key"
    if not key_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(folder: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{folder / 'parindex.db'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Settings of a running platform; tests subclass it."""

    ENV = os.environ.get("PARINDEX_ENV", "production")
    TESTING = False
    INSTANCE = instance_path()
    SQLALCHEMY_DATABASE_URI = _database_url(INSTANCE)
    SECRET_KEY = os.environ.get("SECRET_KEY")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh")
    LANGUAGES = ("vi", "en")
    #: Shared by every web process and worker of several machines: the rate-limit counters and
    #: the job queue, unless ``RATELIMIT_STORAGE_URI`` / ``HUEY_REDIS_URL`` say otherwise.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "local://"
    #: Where evidence, answer files, job results and reports are kept (``survey_app.filestore``):
    #: ``database`` or ``s3://bucket[/prefix]`` (with ``FILE_STORE_ENDPOINT`` for a non-AWS store).
    FILE_STORE = os.environ.get("FILE_STORE", "database")
    FILE_STORE_ENDPOINT = os.environ.get("FILE_STORE_ENDPOINT", "")
    RATELIMIT_HEADERS_ENABLED = True
    #: Off only for a fuzzing or load run on a private machine.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    #: New questionnaires one address may start from a campaign's open link.
    OPEN_LINK_LIMIT = os.environ.get("OPEN_LINK_LIMIT", "5 per hour")
    #: Sign-in attempts per address, and failed sign-ins per account, in the rate-limit storage.
    LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "10 per minute")
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "10 per 15 minutes")
    #: Failed invitation codes per address and per campaign before 429.
    CODE_ADDRESS_LIMIT = os.environ.get("CODE_ADDRESS_LIMIT", "20 per hour")
    CODE_CAMPAIGN_LIMIT = os.environ.get("CODE_CAMPAIGN_LIMIT", "2000 per hour")
    #: How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: none, trust nothing).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    #: The largest JSON body and its deepest nesting, checked before parsing (``boundary``).
    JSON_MAX_BYTES = int(os.environ.get("JSON_MAX_BYTES", 4 * 1024 * 1024))
    JSON_MAX_DEPTH = int(os.environ.get("JSON_MAX_DEPTH", 32))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Cookies only over HTTPS and HSTS: on by default in production.
    #: ``None``: decided by :meth:`finalise` from the profile.
    SESSION_COOKIE_SECURE = (os.environ["SESSION_COOKIE_SECURE"] == "1") if "SESSION_COOKIE_SECURE" in os.environ else None
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    HSTS_SECONDS = int(os.environ["HSTS_SECONDS"]) if "HSTS_SECONDS" in os.environ else None
    WTF_CSRF_TIME_LIMIT = int(os.environ.get("WTF_CSRF_TIME_LIMIT", 8 * 3600))
    SQLITE_BUSY_TIMEOUT_MS = 15000

    @classmethod
    def finalise(cls, settings: dict) -> None:
        """Fill the secret key and refuse an unsafe configuration with one clear line."""
        production = settings.get("ENV") == "production"
        if settings.get("SESSION_COOKIE_SECURE") is None:
            settings["SESSION_COOKIE_SECURE"] = production
        settings.setdefault("REMEMBER_COOKIE_SECURE", settings["SESSION_COOKIE_SECURE"])
        if settings.get("HSTS_SECONDS") is None:
            settings["HSTS_SECONDS"] = 31536000 if production else 0
        if not settings.get("SECRET_KEY"):
            if settings.get("ENV") in ("development", "testing"):
                settings["SECRET_KEY"] = _development_secret(Path(settings["INSTANCE"]))
            else:
                raise ConfigError(
                    "SECRET_KEY is not set: export SECRET_KEY=<a long random string> "
                    "(or PARINDEX_ENV=development on a workstation)")
