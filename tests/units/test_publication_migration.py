"""Migration 0009 down and up again on a database holding a campaign (both backends)."""
from __future__ import annotations

import builders
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from survey_app.extensions import db
from tests.conftest import database_url, make_app

BEFORE = "3f8a61c2d9e7"


@pytest.fixture
def migrating_app(backend, tmp_path_factory):
    app = make_app(database_url(backend, tmp_path_factory, "mig9"), tmp_path_factory)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_down_and_up_again_keeps_the_campaign(migrating_app):
    with migrating_app.app_context():
        province = builders.unit("P", "province")
        builders.campaign("M-2024", 2024, province, [builders.unit("D1", "department", province)])
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        inspector = inspect(db.engine)
        assert "publication" not in inspector.get_table_names()
        assert "units_see_results" not in {c["name"] for c in inspector.get_columns("campaign")}
        upgrade()
        inspector = inspect(db.engine)
        assert "publication" in inspector.get_table_names()
        assert "units_see_results" in {c["name"] for c in inspector.get_columns("campaign")}
        count = db.session.execute(db.text("SELECT COUNT(*) FROM campaign WHERE units_see_results = false"))
        assert count.scalar() == 1
