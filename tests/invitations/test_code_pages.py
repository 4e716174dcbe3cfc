"""What a citizen sees for an unknown, used or expired code, and the expiry's grace period."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.invitations import status
from survey_app.invitations.codes import BatchRequest, generate, printed_code
from survey_app.invitations.status import GRACE, aware
from survey_app.models import Invitation, ResponseDraft, Submission
from survey_app.models.base import utcnow
from survey_app.queries import campaign_by_code, unit_by_code
from tests.public.walker import tok, walk


def _codes(app, world, count=2, expires_on=None) -> list[str]:
    with app.app_context():
        return generate(BatchRequest(campaign_by_code(world["campaign"]), unit_by_code(world["unit"]), count,
                                     expires_on))


def _expires(app, code):
    with app.app_context():
        return aware(db.session.scalar(select(Invitation.expires_at).where(Invitation.code == code)))


def _at(monkeypatch, moment):
    monkeypatch.setattr(status, "utcnow", lambda: moment)


def test_the_code_entry_page_accepts_the_printed_form(app, client, world):
    code = _codes(app, world, 1)[0]
    token = tok(client.get("/code").get_data(as_text=True))
    for typed in (printed_code(code), printed_code(code).lower(), " ".join(printed_code(code).split("-"))):
        response = client.post("/code", data={"code": typed, "csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"] == f"/q/{code}", typed
    assert client.get(f"/q/{printed_code(code).lower()}").status_code == 200


def test_an_unknown_code_gets_404_and_what_to_do(client, world):
    response = client.get("/q/HNM-AAAA-BBBB")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Không tìm thấy mã mời này" in html and 'href="/code"' in html
    english = client.get("/q/HNM-AAAA-BBBB?lang=en")
    assert english.status_code == 404 and "We could not find this invitation code" in english.get_data(as_text=True)
    assert client.get("/q/HNMAAAABBBB/page/1").status_code == 404


def test_a_used_code_gets_410_with_the_unit_and_hotline(app, client, world):
    code = _codes(app, world, 1)[0]
    walk(client, code)
    other_browser = app.test_client()  # the browser that sent it is shown its receipt instead
    response = other_browser.get(f"/q/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Phiếu mời này đã được trả lời" in html and "Phường Quang Trung" in html
    assert 'href="tel:02263852000"' in html and "0226 3852 000" in html
    english = other_browser.get(f"/q/{code}?lang=en").get_data(as_text=True)
    assert "This invitation has already been answered" in english and "hotline" in english
    assert other_browser.get(f"/q/{code}/page/2").status_code == 302


def test_a_code_expires_at_the_end_of_its_last_day(app, client, world, monkeypatch):
    code = _codes(app, world, 1, date.today() + timedelta(days=3))[0]
    expires = _expires(app, code)
    _at(monkeypatch, expires - timedelta(seconds=1))
    assert client.get(f"/q/{code}").status_code == 200
    _at(monkeypatch, expires)
    response = client.get(f"/q/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Mã mời này đã hết hạn" in html and (date.today() + timedelta(days=3)).strftime("%d/%m/%Y") in html
    assert "0226 3852 000" in html and "chưa được gửi" not in html
    english = client.get(f"/q/{code}?lang=en").get_data(as_text=True)
    assert "This invitation code has expired" in english
    page = client.get("/code?lang=vi").get_data(as_text=True)
    assert client.post(f"/q/{code}/start", data={"csrf_token": tok(page)}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResponseDraft)) == 0


def test_answers_begun_before_expiry_may_be_finished_within_24_hours(app, client, world, monkeypatch):
    late, later = _codes(app, world, 2, date.today() + timedelta(days=3))
    expires = _expires(app, late)
    _at(monkeypatch, expires - timedelta(hours=1))
    for code in (late, later):
        landing = client.get(f"/q/{code}").get_data(as_text=True)
        client.post(f"/q/{code}/start", data={"csrf_token": tok(landing)})
    _at(monkeypatch, expires + GRACE - timedelta(minutes=1))
    assert len(walk(client, late)) == 1
    _at(monkeypatch, expires + GRACE)
    response = client.get(f"/q/{later}")
    assert response.status_code == 410 and "chưa được gửi" in response.get_data(as_text=True)
    assert client.get(f"/q/{later}/check").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
        assert db.session.scalar(select(func.count()).select_from(ResponseDraft)) == 1  # kept, not sent


@pytest.mark.parametrize("moment", ["before", "after"])
def test_letters_print_only_codes_not_yet_expired(app, world, monkeypatch, moment):
    from survey_app.reports.documents import invitations
    _codes(app, world, 2, date.today() + timedelta(days=1))
    _codes(app, world, 1)
    with app.app_context():
        assert len(invitations(campaign_by_code(world["campaign"]))) == 3
        for invitation in db.session.scalars(select(Invitation).where(Invitation.expires_at.is_not(None))):
            invitation.expires_at = utcnow() + (timedelta(hours=1) if moment == "before" else -timedelta(hours=1))
        db.session.commit()
        assert len(invitations(campaign_by_code(world["campaign"]))) == (3 if moment == "before" else 1)
