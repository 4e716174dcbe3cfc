"""Making batches of codes: count, format, uniqueness, expiry and every refusal."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.invitations import codes
from survey_app.invitations.codes import BatchRequest, InvitationRefused, generate, printed_code
from survey_app.invitations.status import GRACE, CodeState, aware, code_state, end_of_day, last_valid_day
from survey_app.models import Campaign, CampaignStatus, Invitation
from survey_app.queries import campaign_by_code, unit_by_code
from tests.invitations.conftest import build_world

CODE = re.compile(r"^HNM[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$")


def _request(world, count, unit=None, **extra) -> BatchRequest:
    return BatchRequest(campaign_by_code(world["campaign"]), unit_by_code(unit or world["unit"]), count, **extra)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation))


def test_a_batch_has_the_count_asked_unique_codes_in_the_printed_format(app, world):
    with app.app_context():
        made = generate(_request(world, 2500))
        assert len(made) == len(set(made)) == 2500 == _count()
        assert all(CODE.match(code) for code in made)
        assert printed_code(made[0]) == f"{made[0][:3]}-{made[0][3:7]}-{made[0][7:]}"
        stored = db.session.scalar(select(Invitation).where(Invitation.code == made[0]))
        assert stored.unit.code == world["unit"] and stored.questionnaire_version_id == world["version_id"]
        assert stored.used_at is None and stored.expires_at is None  # no fieldwork end: no expiry


def test_codes_already_taken_are_drawn_again(app, world, monkeypatch):
    with app.app_context():
        first = generate(_request(world, 1))
        draws = iter([first[0][3:]] * 3 + ["ABCDEFGH", "ABCDEFGJ"])
        monkeypatch.setattr(codes, "new_code", lambda start: start + next(draws))
        again = generate(_request(world, 2))
        assert sorted(again) == ["HNMABCDEFGH", "HNMABCDEFGJ"] and _count() == 3


def test_expiry_is_the_end_of_the_day_in_the_province(app, world):
    with app.app_context():
        day = date.today() + timedelta(days=30)
        generate(_request(world, 1, expires_on=day))
        invitation = db.session.scalar(select(Invitation))
        assert last_valid_day(invitation) == day
        midnight_hanoi = datetime(day.year, day.month, day.day, 17, 0, tzinfo=timezone.utc)  # 00:00 +07 next day
        assert aware(invitation.expires_at) == midnight_hanoi == end_of_day(day)


def test_default_expiry_is_the_last_day_of_fieldwork(app):
    with app.app_context():
        end = date.today() + timedelta(days=10)
        world = build_world(fieldwork_end=end)
        generate(_request(world, 3))
        assert {last_valid_day(i) for i in db.session.scalars(select(Invitation))} == {end}


@pytest.mark.parametrize("count", [0, -1, 20001])
def test_a_count_outside_1_to_20000_is_refused(app, world, count):
    with app.app_context(), app.test_request_context():
        with pytest.raises(InvitationRefused, match="Số mã phải từ 1 đến 20000"):
            generate(_request(world, count))
        assert _count() == 0


def test_a_unit_of_another_province_or_not_assessed_is_refused(app, world):
    with app.app_context(), app.test_request_context():
        with pytest.raises(InvitationRefused, match="không thuộc tỉnh"):
            generate(_request(world, 5, unit=world["outside"]))
        with pytest.raises(InvitationRefused, match="không được đánh giá"):
            generate(_request(world, 5, unit=world["unassessed"]))
        assert _count() == 0


@pytest.mark.parametrize("status", [CampaignStatus.ANALYSIS, CampaignStatus.PUBLISHED])
def test_a_closed_campaign_is_refused(app, world, status):
    with app.app_context(), app.test_request_context():
        campaign = campaign_by_code(world["campaign"])
        campaign.status = status
        db.session.commit()
        with pytest.raises(InvitationRefused, match="đã kết thúc"):
            generate(_request(world, 5))


def test_a_past_expiry_and_a_campaign_without_questionnaire_are_refused(app, world):
    with app.app_context(), app.test_request_context():
        with pytest.raises(InvitationRefused, match="Ngày hết hạn đã qua"):
            generate(_request(world, 5, expires_on=date.today() - timedelta(days=2)))
        campaign = db.session.scalar(select(Campaign))
        campaign.questionnaires = []
        db.session.commit()
        with pytest.raises(InvitationRefused, match="chưa có phiếu hỏi"):
            generate(_request(world, 5))
        assert _count() == 0


def test_code_state_at_the_expiry_boundary_and_in_the_grace_period(app, world):
    with app.app_context():
        generate(_request(world, 1, expires_on=date.today() + timedelta(days=1)))
        invitation = db.session.scalar(select(Invitation))
        expires = aware(invitation.expires_at)
        tick = timedelta(microseconds=1)
        assert code_state(invitation, False, expires - tick) is CodeState.OPEN
        assert code_state(invitation, False, expires) is CodeState.EXPIRED
        assert code_state(invitation, True, expires) is CodeState.OPEN
        assert code_state(invitation, True, expires + GRACE - tick) is CodeState.OPEN
        assert code_state(invitation, True, expires + GRACE) is CodeState.EXPIRED
        invitation.used_at = expires - timedelta(hours=1)
        assert code_state(invitation, True, expires - tick) is CodeState.USED
