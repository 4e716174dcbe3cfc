"""The app factory: configuration, start-up errors, headers, languages."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from survey_app import Config, ConfigError, create_app

ROOT = Path(__file__).resolve().parents[1]


def _flask(env_extra: dict, *args):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "PARINDEX_ENV", "DATABASE_URL")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


def test_missing_secret_key_in_production_stops_with_one_line(tmp_path):
    result = _flask({"PARINDEX_INSTANCE": str(tmp_path)}, "routes")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == ["parindex: SECRET_KEY is not set: export SECRET_KEY=<a long random string> "
                     "(or PARINDEX_ENV=development on a workstation)"]


def test_unreachable_database_stops_with_one_line(tmp_path):
    result = _flask({"PARINDEX_INSTANCE": str(tmp_path), "SECRET_KEY": "x" * 32,
                     "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing"}, "routes")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parindex: cannot reach the database")
    assert "Traceback" not in result.stderr


def test_development_secret_is_generated_once_and_kept(tmp_path):
    class Dev(Config):
        ENV = "development"
        SECRET_KEY = None
        INSTANCE = tmp_path
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'dev.db'}"

    first = create_app(Dev).config["SECRET_KEY"]
    second = create_app(Dev).config["SECRET_KEY"]
    assert len(first) >= 32 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_without_secret_raises(tmp_path):
    class Prod(Config):
        ENV = "production"
        SECRET_KEY = None
        INSTANCE = tmp_path

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(Prod)


def test_sqlite_runs_in_wal_mode_with_busy_timeout(app):
    from sqlalchemy import text

    from survey_app.extensions import db
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context(), db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_vietnamese_by_default_english_on_request(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Đăng nhập" in page
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    page = client.get("/login").get_data(as_text=True)  # the choice is kept in the session
    assert '<html lang="en">' in page


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Trang này không tồn tại" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/campaigns")
    assert response.status_code == 401
    assert response.get_json()["error"]


def test_health_endpoint(client):
    assert client.get("/api/health").get_json() == {"status": "ok"}
