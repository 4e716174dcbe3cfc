"""Fixtures of the field tests: a small fieldwork world in the empty database."""
import pytest

from tests.field.world import PASSWORD, build_world


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


class FieldAuth:
    """Signs a test client in as one of the world's users."""

    def __init__(self, auth):
        self.auth = auth

    def login(self, username):
        return self.auth.login(username, PASSWORD)


@pytest.fixture
def field_auth(auth):
    return FieldAuth(auth)
