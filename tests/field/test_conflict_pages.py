"""The supervisor's pages of sends kept aside: who may open them, the side-by-side comparison,
and the two decisions (keep the stored answers; apply the kept-aside ones as an audited edit)."""
import re

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (AuditEntry, ConflictStatus, ReviewState, Submission, SubmissionConflict,
                               SubmissionEdit)
from tests.field.world import bearer, interview

URL = "/api/field/submissions"
PAGES = "/field/supervision/conflicts"


def _kept_aside(app, client, world, **changed) -> tuple[int, dict]:
    """An interview stored for enum1 and a resend of its UUID with ``changed`` answers: the
    conflict's id and the resent payload."""
    payload = interview(world)
    assert client.post(URL, json=payload, headers=bearer(world["token1"])).status_code == 201
    resent = dict(payload, answers=dict(payload["answers"], **changed))
    assert client.post(URL, json=resent, headers=bearer(world["token1"])).status_code == 409
    with app.app_context():
        return db.session.scalar(select(SubmissionConflict.id)), resent


def _post(client, field_auth, path, prefix, note):
    token = field_auth.auth.csrf(PAGES)
    return client.post(path, data={f"{prefix}-csrf_token": token, f"{prefix}-note": note})


def _state(app, conflict_id):
    with app.app_context():
        conflict = db.session.get(SubmissionConflict, conflict_id)
        submission = conflict.submission
        edits = db.session.scalar(select(func.count()).select_from(SubmissionEdit))
        return conflict.status, conflict.submission_edit_id, submission.answers, submission.review_state, edits


def test_the_dashboard_links_to_the_open_conflicts_with_their_count(app, client, field_auth, world):
    conflict_id, _ = _kept_aside(app, client, world, age="41")
    field_auth.login("supervisor")
    dashboard = client.get("/field/supervision").get_data(as_text=True)
    assert re.search(r'id="conflicts-link">[^<]*\(1\)</a>', dashboard)
    listing = client.get(PAGES).get_data(as_text=True)
    assert f'data-conflict-id="{conflict_id}"' in listing and "Enum1" in listing and "Hộ A 1" in listing
    field_auth.auth.logout()
    field_auth.login("supervisor2")  # supervises the other district only
    assert re.search(r'id="conflicts-link">[^<]*\(0\)</a>', client.get("/field/supervision").get_data(as_text=True))
    assert f'data-conflict-id="{conflict_id}"' not in client.get(PAGES).get_data(as_text=True)


def test_the_detail_page_puts_the_answers_side_by_side_and_marks_the_differences(app, client, field_auth, world):
    conflict_id, _ = _kept_aside(app, client, world, age="41", phone="<script>alert(1)</script>")
    field_auth.login("supervisor")
    response = client.get(f"{PAGES}/{conflict_id}?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = {key: mark for mark, key in re.findall(r'<tr( class="differs")? data-key="([^"]+)"', page)}
    assert rows["age"] == ' class="differs"' and rows["phone"] == ' class="differs"' and rows["s1"] == ""
    assert "Your age" in page and "Staff attitude" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'name="keep-csrf_token"' in page and 'name="apply-csrf_token"' in page
    assert client.get(f"{PAGES}/999999").status_code == 404


@pytest.mark.parametrize("who, status", [("supervisor2", 403), ("enum1", 403), ("analyst", 403)])
def test_other_users_cannot_open_or_decide(app, client, field_auth, world, who, status):
    conflict_id, _ = _kept_aside(app, client, world, age="41")
    field_auth.login(who)
    assert client.get(f"{PAGES}/{conflict_id}").status_code == status
    assert _post(client, field_auth, f"{PAGES}/{conflict_id}/apply", "apply", "x").status_code == status
    if who != "supervisor2":
        assert client.get(PAGES).status_code == 403
    assert _state(app, conflict_id)[0] is ConflictStatus.OPEN


def test_anonymous_visitors_are_sent_to_sign_in(app, client, world):
    conflict_id, _ = _kept_aside(app, client, world, age="41")
    for path in (PAGES, f"{PAGES}/{conflict_id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"{PAGES}/{conflict_id}/keep", data={"keep-note": "x"})
    assert response.status_code in (302, 400)
    assert _state(app, conflict_id)[0] is ConflictStatus.OPEN


def test_forms_need_their_csrf_token_and_a_note(app, client, field_auth, world):
    conflict_id, _ = _kept_aside(app, client, world, age="41")
    field_auth.login("supervisor")
    assert client.post(f"{PAGES}/{conflict_id}/keep", data={"keep-note": "x"}).status_code == 400
    assert _post(client, field_auth, f"{PAGES}/{conflict_id}/keep", "keep", "  ").status_code == 422
    assert _state(app, conflict_id)[0] is ConflictStatus.OPEN


def test_resolve_by_keeping_the_stored_answers(app, client, field_auth, world):
    conflict_id, _ = _kept_aside(app, client, world, age="41")
    field_auth.login("supervisor")
    response = _post(client, field_auth, f"{PAGES}/{conflict_id}/keep", "keep", "Gửi nhầm, giữ bản đầu")
    assert response.status_code == 302
    status, edit_id, answers, review, edits = _state(app, conflict_id)
    assert (status, edit_id, answers["age"], review, edits) == (ConflictStatus.RESOLVED, None, "40",
                                                               ReviewState.RECEIVED, 0)
    with app.app_context():
        conflict = db.session.get(SubmissionConflict, conflict_id)
        assert conflict.note == "Gửi nhầm, giữ bản đầu" and conflict.resolved_at is not None
        assert conflict.resolved_by.username == "supervisor"
    assert f'data-conflict-id="{conflict_id}"' not in client.get(PAGES).get_data(as_text=True)
    again = _post(client, field_auth, f"{PAGES}/{conflict_id}/apply", "apply", "đổi ý")
    assert again.status_code == 409
    assert _state(app, conflict_id)[1] is None


def test_apply_the_kept_aside_answers_as_an_audited_edit(app, client, field_auth, world):
    conflict_id, resent = _kept_aside(app, client, world, age="41")
    field_auth.login("supervisor")
    response = _post(client, field_auth, f"{PAGES}/{conflict_id}/apply", "apply", "Tuổi đúng là 41")
    assert response.status_code == 302
    status, edit_id, answers, review, edits = _state(app, conflict_id)
    assert (status, answers["age"], review, edits) == (ConflictStatus.RESOLVED, "41", ReviewState.EDITED, 1)
    with app.app_context():
        edit = db.session.get(SubmissionEdit, edit_id)
        assert (edit.before["age"], edit.after["age"]) == ("40", "41") and "Tuổi đúng là 41" in edit.reason
        assert edit.editor_id == world["users"]["supervisor"]
        audited = db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "submission", AuditEntry.action == "update")).all()
        assert [(a.before["answers"]["age"], a.after["answers"]["age"]) for a in audited] == [("40", "41")]
        assert audited[0].user_id == world["users"]["supervisor"]
    page = client.get(f"/field/supervision/submissions/{edit.submission_id}").get_data(as_text=True)
    assert "age: 40 → 41" in page


def test_refused_kept_aside_answers_change_nothing(app, client, field_auth, world):
    conflict_id, _ = _kept_aside(app, client, world, age="12")  # under 18: the form's constraint refuses it
    field_auth.login("supervisor")
    page = client.get(f"{PAGES}/{conflict_id}").get_data(as_text=True)
    assert 'id="refused"' in page and 'id="apply-form"' not in page
    response = _post(client, field_auth, f"{PAGES}/{conflict_id}/apply", "apply", "thử áp dụng")
    assert response.status_code == 422
    assert 'id="refused"' in response.get_data(as_text=True)
    status, edit_id, answers, review, edits = _state(app, conflict_id)
    assert (status, edit_id, answers["age"], review, edits) == (ConflictStatus.OPEN, None, "40",
                                                               ReviewState.RECEIVED, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "submission", AuditEntry.action == "update")) == 0
