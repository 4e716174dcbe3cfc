"""PostgreSQL restarted under a running app: the request that meets a dropped connection gets a
503 to retry (never a 500), nothing is half-stored, and the next request works at once.

The app pings no connection before using it (a round trip on every request), so this is how
a dropped connection is noticed and the pool renewed.
"""
import pytest
from sqlalchemy import create_engine, func, select, text

from survey_app.extensions import db
from survey_app.models import Submission
from tests.conftest import database_url, make_app
from tests.field.world import bearer, build_world, interview

URL = "/api/field/submissions"


@pytest.fixture
def pg_app(tmp_path_factory):
    app = make_app(database_url("postgres", tmp_path_factory, "outage"), tmp_path_factory)
    yield app
    with app.app_context():
        db.engine.dispose()


def _drop_the_apps_connections(app) -> int:
    """What a server restart does to the app's pooled connections."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        dropped = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    return dropped


def test_a_dropped_connection_is_a_503_to_retry_and_the_send_is_then_stored_once(pg_app):
    with pg_app.app_context():
        world = build_world()
    client = pg_app.test_client()
    assert client.get("/api/health").status_code == 200
    assert _drop_the_apps_connections(pg_app) >= 1

    payload = interview(world)
    refused = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert "thử lại" in refused.get_json()["error"]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0

    stored = client.post(URL, json=payload, headers=bearer(world["token1"]))
    again = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert (stored.status_code, again.status_code) == (201, 200)
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_a_page_meeting_a_dropped_connection_says_so_in_vietnamese(pg_app):
    client = pg_app.test_client()
    assert client.get("/").status_code == 200
    assert _drop_the_apps_connections(pg_app) >= 1
    page = client.get("/")
    assert page.status_code == 503
    assert "Hệ thống tạm thời gián đoạn" in page.get_data(as_text=True)
    assert client.get("/").status_code == 200
