"""The sync endpoint: device-token auth, re-validation, idempotency by UUID, corrections."""
import threading

from sqlalchemy import and_, func, or_, select

from survey_app.extensions import db
from survey_app.field.tokens import revoke
from survey_app.models import (AuditEntry, CaseStatus, DeviceToken, ReviewState, SampleCase, Submission,
                               SubmissionEdit, SubmissionPlace, SyncReceipt, User, VisitAttempt)
from tests.field.world import bearer, interview

URL = "/api/field/submissions"


def _count(app, model=Submission):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_an_interview_is_stored_with_its_paradata_and_completes_the_case(app, client, world):
    payload = interview(world)
    response = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert response.status_code == 201, response.get_json()
    ack = response.get_json()
    assert ack["status"] == "stored" and ack["instance_uuid"] == payload["instance_uuid"]
    with app.app_context():
        stored = db.session.scalar(select(Submission))
        assert stored.paradata["device_id"] == "dev-1"
        assert stored.paradata["question_times"] == {"age": 5.0}
        assert stored.paradata["duration_s"] == 360
        assert stored.enumerator_id == world["users"]["enum1"]
        assert stored.receipt == ack["receipt"]
        case = db.session.get(SampleCase, payload["case_id"])
        assert case.status is CaseStatus.COMPLETED
        assert [a.outcome for a in case.attempts] == [CaseStatus.COMPLETED]
        token = db.session.scalar(select(DeviceToken).where(DeviceToken.user_id == world["users"]["enum1"]))
        assert token.last_sync_at is not None
        assert db.session.scalar(select(SyncReceipt.submission_id).where(
            SyncReceipt.client_uuid == payload["instance_uuid"])) == stored.id


def test_the_audit_log_names_the_enumerator_and_the_place_is_kept(app, client, world):
    payload = interview(world)
    payload["paradata"]["geolocation"] = {"lat": 20.5411, "lon": 105.9139, "accuracy_m": 12}
    assert client.post(URL, json=payload, headers=bearer(world["token1"])).status_code == 201
    with app.app_context():
        stored = db.session.scalar(select(Submission))
        username = db.session.get(User, world["users"]["enum1"]).username
        entries = {(e.entity, e.action): e for e in db.session.scalars(select(AuditEntry).where(
            or_(AuditEntry.entity == "submission", and_(AuditEntry.entity == "sample_case",
                                                   AuditEntry.entity_id == payload["case_id"],
                                                   AuditEntry.action == "update"))))}
        assert set(entries) == {("submission", "insert"), ("sample_case", "update")}
        assert {(e.user_id, e.actor) for e in entries.values()} == {(world["users"]["enum1"], username)}
        assert entries["submission", "insert"].entity_id == stored.id
        assert entries["submission", "insert"].after == {"review_state": "received"}
        assert entries["sample_case", "update"].before == {"status": "pending"}
        assert entries["sample_case", "update"].after == {"status": "completed"}
        place = db.session.get(SubmissionPlace, stored.id)
        assert (place.lat, place.lon, place.accuracy_m) == (20.5411, 105.9139, 12)


def test_the_same_interview_sent_again_is_stored_once_with_the_same_acknowledgement(app, client, world):
    payload = interview(world)
    first = client.post(URL, json=payload, headers=bearer(world["token1"]))
    again = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert _count(app) == 1
    assert _count(app, VisitAttempt) == 1


def test_two_tabs_sending_at_once_store_one_submission(app, world):
    payload = interview(world)
    results = []

    def send():
        results.append(app.test_client().post(URL, json=payload, headers=bearer(world["token1"])))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results)[0] in (200, 201)
    assert {r.status_code for r in results} <= {200, 201}
    assert len({r.get_json()["receipt"] for r in results}) == 1
    assert _count(app) == 1


def test_refused_answers_come_back_as_problems_and_nothing_is_stored(app, client, world):
    payload = interview(world, age="12", used="7")
    response = client.post(URL + "?lang=en", json=payload, headers=bearer(world["token1"]))
    assert response.status_code == 422
    problems = {p["key"]: p["message"] for p in response.get_json()["problems"]}
    assert set(problems) == {"age", "used"}
    assert problems["used"] == "Choose one of the options."
    unknown = interview(world, invented="x")
    response = client.post(URL, json=unknown, headers=bearer(world["token1"]))
    assert response.status_code == 422
    assert [p["key"] for p in response.get_json()["problems"]] == ["invented"]
    assert _count(app) == 0
    assert _count(app, VisitAttempt) == 0


def test_malformed_sends_are_4xx_not_500(app, client, world):
    token = bearer(world["token1"])
    assert client.post(URL, data="not json", headers=token).status_code == 400
    assert client.post(URL, json=[1, 2], headers=token).status_code == 400
    bad = interview(world)
    bad["started_at"] = "yesterday"
    assert client.post(URL, json=bad, headers=token).status_code == 400
    bad = interview(world)
    del bad["instance_uuid"]
    assert client.post(URL, json=bad, headers=token).status_code == 400
    bad = interview(world)
    bad["questionnaire_version_id"] = 999999
    assert client.post(URL, json=bad, headers=token).status_code == 409
    assert _count(app) == 0


def test_without_a_live_device_token_nothing_is_accepted(app, client, world):
    payload = interview(world)
    assert client.post(URL, json=payload).status_code == 401
    assert client.post(URL, json=payload, headers=bearer("guessed")).status_code == 401
    assert client.post(URL, json=payload, headers={"Authorization": world["token1"]}).status_code == 401
    with app.app_context():
        row = db.session.scalar(select(DeviceToken).where(DeviceToken.user_id == world["users"]["enum1"]))
        assert world["token1"] not in row.token_hash  # only the hash is kept
        revoke(row)
        db.session.commit()
    assert client.post(URL, json=payload, headers=bearer(world["token1"])).status_code == 401
    assert client.get("/api/field/bundle", headers=bearer(world["token1"])).status_code == 401
    assert _count(app) == 0


def test_an_enumerator_cannot_send_for_another_enumerators_case(app, client, world):
    payload = interview(world, enumerator=2)
    response = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert response.status_code == 403
    assert _count(app) == 0
    stored = interview(world)
    assert client.post(URL, json=stored, headers=bearer(world["token1"])).status_code == 201
    stolen = dict(stored, case_id=world["cases2"][0])
    assert client.post(URL, json=stolen, headers=bearer(world["token2"])).status_code in (403, 409)
    assert _count(app) == 1


def test_the_bundle_holds_only_the_enumerators_cases_and_the_form(app, client, world):
    response = client.get("/api/field/bundle", headers=bearer(world["token1"]))
    assert response.status_code == 200
    data = response.get_json()
    assert [c["id"] for c in data["cases"]] == world["cases1"]
    assert [q["id"] for q in data["questionnaires"]] == [world["version_id"]]
    assert data["questionnaires"][0]["definition"]["pages"]
    assert "pyxform" not in data["questionnaires"][0]["definition"]


def _reject(app, instance_uuid):
    with app.app_context():
        submission = db.session.scalar(select(Submission).where(Submission.instance_uuid == instance_uuid))
        submission.review_state = ReviewState.REJECTED
        db.session.commit()


def test_a_correction_after_rejection_is_an_edit_of_the_original(app, client, world):
    payload = interview(world, s1="5", s2="5", s3="5")
    token = bearer(world["token1"])
    assert client.post(URL, json=payload, headers=token).status_code == 201
    correction = dict(payload, edit_uuid="edit-1", answers=dict(payload["answers"], s1="2"))
    assert client.post(URL, json=correction, headers=token).status_code == 409  # not rejected yet
    _reject(app, payload["instance_uuid"])
    bundle = client.get("/api/field/bundle", headers=token).get_json()
    assert [c["instance_uuid"] for c in bundle["corrections"]] == [payload["instance_uuid"]]
    first = client.post(URL, json=correction, headers=token)
    again = client.post(URL, json=correction, headers=token)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json() and first.get_json()["edit"] is True
    assert _count(app) == 1
    with app.app_context():
        submission = db.session.scalar(select(Submission))
        assert submission.review_state is ReviewState.EDITED
        assert submission.answers["s1"] == "2"
        [edit] = db.session.scalars(select(SubmissionEdit)).all()
        assert edit.submission_id == submission.id
        assert edit.before["s1"] == "5" and edit.after["s1"] == "2"
    assert client.post(URL, json=dict(correction, edit_uuid="edit-2"), headers=bearer(world["token2"])).status_code == 404
