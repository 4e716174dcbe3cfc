"""Review states with comments; a rejected interview goes back to its enumerator and the
correction is an edit of the original, shown on the supervisor's page."""
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import ReviewComment, ReviewState, Submission, SubmissionEdit
from tests.field.world import bearer, interview

URL = "/api/field/submissions"


def _review(client, field_auth, submission_id, state, body):
    path = f"/field/supervision/submissions/{submission_id}"
    token = field_auth.auth.csrf(path)
    return client.post(path, data={"csrf_token": token, "state": state, "body": body})


def test_reject_comment_correct_and_approve(app, client, field_auth, world):
    payload = interview(world, age="45")
    assert client.post(URL, json=payload, headers=bearer(world["token1"])).status_code == 201
    with app.app_context():
        submission_id = db.session.scalar(select(Submission.id))
    field_auth.login("supervisor")
    assert _review(client, field_auth, submission_id, "rejected", "").status_code == 422
    assert _review(client, field_auth, submission_id, "rejected", "Tuổi không khớp, hỏi lại").status_code == 302
    field_auth.auth.logout()
    field_auth.login("enum1")
    mine = client.get(f"/field/submissions/{submission_id}").get_data(as_text=True)
    assert "Tuổi không khớp, hỏi lại" in mine
    bundle = client.get("/api/field/bundle", headers=bearer(world["token1"])).get_json()
    assert bundle["corrections"][0]["comments"] == ["Tuổi không khớp, hỏi lại"]
    fixed = dict(payload, edit_uuid="fix-1", answers=dict(payload["answers"], age="54"))
    assert client.post(URL, json=fixed, headers=bearer(world["token1"])).status_code == 201
    field_auth.auth.logout()
    field_auth.login("supervisor")
    page = client.get(f"/field/supervision/submissions/{submission_id}").get_data(as_text=True)
    assert "age: 45 → 54" in page
    assert _review(client, field_auth, submission_id, "approved", "Đã đúng").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
        submission = db.session.get(Submission, submission_id)
        assert submission.review_state is ReviewState.APPROVED
        assert [c.state_to for c in db.session.scalars(select(ReviewComment).order_by(ReviewComment.id))] == [
            ReviewState.REJECTED, ReviewState.APPROVED]
        edit = db.session.scalar(select(SubmissionEdit))
        assert (edit.submission_id, edit.before["age"], edit.after["age"]) == (submission_id, "45", "54")


def test_an_unknown_review_state_is_refused(app, client, field_auth, world):
    assert client.post(URL, json=interview(world), headers=bearer(world["token1"])).status_code == 201
    with app.app_context():
        submission_id = db.session.scalar(select(Submission.id))
    field_auth.login("supervisor")
    assert _review(client, field_auth, submission_id, "deleted", "x").status_code == 422
    with app.app_context():
        assert db.session.get(Submission, submission_id).review_state is ReviewState.RECEIVED
