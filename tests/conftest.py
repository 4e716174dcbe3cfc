"""flaskr-style fixtures: ``app``, ``client``, ``runner``, ``auth``; each on SQLite and on
PostgreSQL when ``TEST_DATABASE_URL`` is set (under ``CI=true`` a missing PostgreSQL fails).

Two databases per backend: an empty one, migrated to head and emptied after each test, and one
holding the demo, loaded once and shared by read-only tests (``demo_app``, ``demo_client``).
"""
from __future__ import annotations

import os
import re
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from survey_app import Config, create_app
from survey_app.extensions import db

CI = os.environ.get("CI") == "true"
BACKENDS = ["sqlite", "postgres"]


def need_postgres() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if CI:
            pytest.fail("TEST_DATABASE_URL is not set under CI: the PostgreSQL tests cannot run")
        pytest.skip("TEST_DATABASE_URL is not set")
    return url


def _postgres_database(base_url: str, suffix: str) -> str:
    """A fresh database beside the test database, dropped at the end of the session."""
    url = make_url(base_url.replace("postgresql://", "postgresql+psycopg://", 1)
                   if base_url.startswith("postgresql://") else base_url)
    name = f"{url.database}_{suffix}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _CREATED.append((url, name))
    return url.set(database=name).render_as_string(hide_password=False)


_CREATED: list = []


def pytest_sessionfinish(session, exitstatus):
    for url, name in _CREATED:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_url(backend: str, tmp_path_factory, suffix: str) -> str:
    if backend == "postgres":
        return _postgres_database(need_postgres(), suffix)
    return f"sqlite:///{tmp_path_factory.mktemp(suffix) / 'test.db'}"


def make_app(url: str, tmp_path_factory, **extra):
    class TestConfig(Config):
        ENV = "testing"
        TESTING = True
        SECRET_KEY = "test-secret-key"
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE = tmp_path_factory.mktemp("instance")
        UPLOAD_FOLDER = str(INSTANCE / "uploads")
        RATELIMIT_ENABLED = False

    for key, value in extra.items():
        setattr(TestConfig, key, value)
    app = create_app(TestConfig)
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def _empty_app(backend, tmp_path_factory):
    app = make_app(database_url(backend, tmp_path_factory, "empty"), tmp_path_factory)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_empty_app):
    """The application on an empty, migrated database, emptied again after the test."""
    yield _empty_app
    with _empty_app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def _copy_database(backend: str, source: str, tmp_path_factory, suffix: str) -> str:
    """A new database holding what ``source`` holds (nobody may be connected to ``source``)."""
    if backend == "sqlite":
        target = tmp_path_factory.mktemp(suffix) / "test.db"
        shutil.copyfile(make_url(source).database, target)
        return f"sqlite:///{target}"
    url = make_url(source.replace("postgresql://", "postgresql+psycopg://", 1)
                   if source.startswith("postgresql://") else source)
    name = f"{url.database.rsplit('_', 2)[0]}_{suffix}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    admin.dispose()
    _CREATED.append((url.set(database="postgres"), name))
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def fresh_app(backend, tmp_path_factory):
    """``fresh_app(suffix, **config)``: an application on a new, empty, migrated database of its own."""
    return lambda suffix, **config: make_app(database_url(backend, tmp_path_factory, suffix),
                                             tmp_path_factory, **config)


@pytest.fixture(scope="session")
def _demo_template(backend, tmp_path_factory) -> str:
    """A database holding the demo before its publication, loaded once per backend and only
    copied (:func:`demo_copy`): loading takes seconds, copying a fraction of one."""
    url = database_url(backend, tmp_path_factory, "demotemplate")
    app = make_app(url, tmp_path_factory)
    with app.app_context():
        from survey_app.demo import load_demo
        load_demo(seed=2024, publish=False)
        db.session.remove()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_copy(backend, _demo_template, tmp_path_factory):
    """``demo_copy(suffix, published=True, **config)``: an application on its own copy of the
    demo (seed 2024), which the test may change; ``published=False`` leaves HNM-2024 in appraisal."""
    def copy(suffix: str, published: bool = True, **config):
        app = make_app(_copy_database(backend, _demo_template, tmp_path_factory, suffix),
                       tmp_path_factory, **config)
        if published:
            with app.app_context():
                from survey_app.demo import publish_loaded_demo
                publish_loaded_demo()
        return app
    return copy


@pytest.fixture(scope="session")
def demo_app(demo_copy):
    """The application on a database holding the demo (seed 2024); do not change its data."""
    app = demo_copy("demo")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    """Signs in through the real form, CSRF token and all."""

    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = "demo-2024"):
        token = csrf_token(self._client, "/login")
        return self._client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": token})

    def csrf(self, path: str) -> str:
        return csrf_token(self._client, path)

    def logout(self):
        token = csrf_token(self._client, "/")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def demo_auth(demo_client):
    return AuthActions(demo_client)


# --- browser fixtures (constants in tests/browser/conftest.py) ------------------------------------
import threading  # noqa: E402

from werkzeug.serving import make_server  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, need_chromium  # noqa: E402


@pytest.fixture(scope="session")
def live_server(demo_app):
    """The demo app on 127.0.0.1 and a free port, in a thread, for the session."""
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole session: a second sync driver may not start beside it."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()
