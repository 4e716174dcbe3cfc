"""Hardening: a full disk answers 507 and leaves no partial file; the demo refuses to load outside
development; a zip bomb of a workbook is refused before it is inflated; Secure cookies and HSTS in
production; the sample-size page opens to admins too."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from survey_app import Config, create_app
from survey_app.extensions import db
from survey_app.models import StoredFilePart
from survey_app.questionnaire.importer import ImportRefused, parse_form
from tests.field.world import bearer


def test_a_full_disk_answers_507_and_leaves_no_partial_file(client, world):
    from survey_app import filestore
    from tests.full_store import full_database

    app, photo = client.application, b"\xff\xd8\xff" + b"x" * 40000
    with app.app_context():
        before = set(filestore.keys())

    def send():
        return client.post("/api/field/files", data={"kind": "image", "file": (io.BytesIO(photo), "a.jpg")},
                           headers=bearer(world["token1"]), content_type="multipart/form-data")

    with full_database(app):
        response = send()
    assert response.status_code == 507 and "Ổ đĩa của máy chủ đã đầy" in response.get_json()["error"]
    with app.app_context():
        assert set(filestore.keys()) == before
        assert db.session.scalar(select(func.count()).select_from(StoredFilePart)) == 0
    assert send().status_code == 200  # room again: the same file is taken


def test_the_demo_refuses_outside_development(app):
    app.config["ENV"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["demo"])
    finally:
        app.config["ENV"] = "testing"
    assert result.exit_code != 0 and "--force" in result.output


def test_a_zip_bomb_workbook_is_refused_before_inflating(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (64 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with app.app_context(), pytest.raises(ImportRefused, match="MB"):
        parse_form("bomb.xlsx", buffer.getvalue())


def test_production_has_secure_cookies_and_hsts(tmp_path):
    class Production(Config):
        ENV, SECRET_KEY, INSTANCE = "production", "x" * 32, tmp_path
        SESSION_COOKIE_SECURE = HSTS_SECONDS = None
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.db'}"

    app = create_app(Production)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert "max-age=31536000" in app.test_client().get("/api/health").headers["Strict-Transport-Security"]


@pytest.mark.parametrize("username, status", [("admin", 200), ("analyst", 200), ("supervisor", 200),
                                              ("enumerator", 403), ("unit_editor", 403)])
def test_the_sample_size_page_opens_to_its_roles(demo_client, demo_auth, username, status):
    demo_auth.login(username)
    assert demo_client.get("/field/supervision/sample-size").status_code == status
