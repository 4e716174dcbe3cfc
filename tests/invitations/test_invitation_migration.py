"""Migration 0007 down and up again, keeping invitations; refused while open-link answers exist."""
from __future__ import annotations

import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select

from survey_app.extensions import db
from survey_app.models import Channel, Invitation, ResponseDraft, Submission
from tests.conftest import database_url, make_app
from tests.invitations.conftest import build_world

BEFORE = "5c1d7a2e9b40"


@pytest.fixture
def migrating_app(backend, tmp_path_factory):
    app = make_app(database_url(backend, tmp_path_factory, "mig"), tmp_path_factory)
    yield app
    with app.app_context():
        db.engine.dispose()


def _columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


def test_down_and_up_again_keeps_the_codes_and_refuses_to_lose_open_link_answers(migrating_app, capfd):
    from survey_app.invitations.codes import BatchRequest, generate
    from survey_app.queries import campaign_by_code, unit_by_code
    with migrating_app.app_context():
        world = build_world(open_link=True)
        code = generate(BatchRequest(campaign_by_code(world["campaign"]), unit_by_code(world["unit"]), 3))[0]
        invitation = db.session.scalar(select(Invitation).where(Invitation.code == code))
        db.session.add(ResponseDraft(invitation_id=invitation.id, instance_uuid=str(uuid.uuid4()),
                                     answers={"q": "kept"}))
        campaign = campaign_by_code(world["campaign"])
        version = campaign.questionnaires[0].questionnaire_version
        answer = Submission(instance_uuid=str(uuid.uuid4()), questionnaire_id=version.questionnaire_id,
                            questionnaire_version_id=version.id, campaign_id=campaign.id,
                            unit_id=unit_by_code(world["unit"]).id, channel=Channel.OPEN_LINK, answers={})
        db.session.add(answer)
        db.session.commit()
        answer_id = answer.id
        db.session.remove()
        with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's RuntimeError and exits
            downgrade(revision=BEFORE)
        assert "downgrade refused: 1 open-link submissions" in capfd.readouterr().err
        db.session.remove()
        upgrade()  # on SQLite, later revisions that step outside the transaction (0012) were already undone
        assert "expires_at" in _columns("invitation")
        db.session.delete(db.session.get(Submission, answer_id))
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        assert "expires_at" not in _columns("invitation") and "open_link" not in _columns("campaign")
        assert "campaign_id" not in _columns("response_draft")
        upgrade()
        assert "expires_at" in _columns("invitation") and "helpline" in _columns("campaign")
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 3
        assert db.session.scalar(select(ResponseDraft.answers)) == {"q": "kept"}
