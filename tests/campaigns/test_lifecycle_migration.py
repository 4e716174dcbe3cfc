"""Migration 0011 down and up again; refused while a campaign is in self-assessment."""
from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from survey_app.extensions import db
from survey_app.models import Campaign, CampaignStatus
from tests.conftest import database_url, make_app

BEFORE = "3f8a61c2d9e7"
TABLES = {"round_deadline", "council_member", "council_assignment", "unit_sign_off", "lifecycle_change"}


@pytest.fixture
def migrating_app(backend, tmp_path_factory):
    app = make_app(database_url(backend, tmp_path_factory, "mig"), tmp_path_factory)
    yield app
    with app.app_context():
        db.engine.dispose()


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_down_and_up_again_refusing_a_status_the_old_code_cannot_read(migrating_app, capfd):
    import builders

    with migrating_app.app_context():
        province = builders.unit("P", "province")
        builders.campaign("T-2024", 2024, province, [builders.unit("D1", "department", province)],
                          status=CampaignStatus.SELF_ASSESSMENT)
        db.session.commit()
        db.session.remove()
        with pytest.raises(SystemExit):
            downgrade(revision=BEFORE)
        assert "downgrade refused: 1 campaigns are in self-assessment" in capfd.readouterr().err
        db.session.remove()
        assert TABLES <= _tables()
        db.session.scalar(select(Campaign)).status = CampaignStatus.APPRAISAL
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        assert not TABLES & _tables()
        assert "reopened_until" not in {c["name"] for c in inspect(db.engine).get_columns("self_assessment")}
        upgrade()
        assert TABLES <= _tables()
        assert db.session.scalar(select(Campaign.code)) == "T-2024"
