"""A small campaign of two departments in the test's own database, and its people."""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "index"))

import builders  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Role  # noqa: E402


@pytest.fixture
def world(app):
    """Campaign T-2024 (deadline in 30 days): D1 not yet assessed, D2 submitted at full marks."""
    with app.app_context():
        province = builders.unit("P", "province")
        d1, d2 = builders.unit("D1", "department", province), builders.unit("D2", "department", province)
        campaign = builders.campaign("T-2024", 2024, province, [d1, d2])
        builders.assess(campaign, d2, builders.full_marks)
        builders.user("editor", Role.UNIT_EDITOR, d1)
        builders.user("editor2", Role.UNIT_EDITOR, d2)
        builders.user("council", Role.APPRAISER, province)
        builders.user("watcher", Role.SUPERVISOR, province)
        db.session.commit()
    return app


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Visitor:
    """A signed-in test client that posts real forms with their CSRF token."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/") -> str:
        match = CSRF_RE.search(self.client.get(path).get_data(as_text=True))
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username: str) -> "Visitor":
        response = self.client.post("/login", data={"username": username, "password": builders.PASSWORD,
                                                    "csrf_token": self.token("/login")})
        assert response.status_code == 302, f"{username} could not sign in"
        return self

    def get(self, path: str):
        return self.client.get(path)

    def post(self, path: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        return self.client.post(path, data=data, **kwargs)


@pytest.fixture
def visitor(world):
    """Sign in as a user of :func:`world`: ``visitor("editor")``."""
    return lambda username: Visitor(world.test_client()).login(username)
