"""A client UUID sent again: the same answers get the original acknowledgement, other answers
(or another enumerator) are refused with 409 and kept aside, once per UUID and answers."""
import hashlib
import json
import threading

from sqlalchemy import func, select, update

from survey_app.extensions import db
from survey_app.models import (ConflictStatus, ReviewState, Submission, SubmissionConflict, SyncReceipt,
                               VisitAttempt)
from tests.field.world import bearer, interview

URL = "/api/field/submissions"
KEPT_ASIDE_VI = "Phiếu này đã được nhận với câu trả lời khác; bản gửi sau được giữ lại để giám sát viên xem xét."


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _conflicts(app) -> list[SubmissionConflict]:
    with app.app_context():
        rows = list(db.session.scalars(select(SubmissionConflict).order_by(SubmissionConflict.id)))
        db.session.expunge_all()
        return rows


def _digest(answers: dict) -> str:
    canonical = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_the_receipt_holds_the_digest_of_the_answers_as_sent(app, client, world):
    payload = interview(world, phone="0912 345 678", why="Không cần")  # "why" is irrelevant: cleaned away
    assert client.post(URL, json=payload, headers=bearer(world["token1"])).status_code == 201
    with app.app_context():
        stored = db.session.scalar(select(SyncReceipt.answers_digest))
        answers = db.session.scalar(select(Submission.answers))
    assert stored == _digest(payload["answers"])
    assert "why" not in answers and stored != _digest(answers)


def test_the_same_answers_again_get_the_original_acknowledgement(app, client, world):
    payload = interview(world)
    first = client.post(URL, json=payload, headers=bearer(world["token1"]))
    reordered = dict(payload, answers=dict(reversed(list(payload["answers"].items()))),
                     paradata={"device_id": "dev-1", "question_times": {"age": 9.0}})
    again = client.post(URL, json=reordered, headers=bearer(world["token1"]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert _count(app, SubmissionConflict) == 0


def test_other_answers_under_the_same_uuid_are_refused_and_kept_aside(app, client, world):
    payload = interview(world, age="40")
    first = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert first.status_code == 201
    changed = dict(payload, answers=dict(payload["answers"], age="41"),
                   paradata={"device_id": "dev-1", "question_times": {"age": 2.0}})
    refused = client.post(URL, json=changed, headers=bearer(world["token1"]))
    assert refused.status_code == 409
    assert refused.get_json()["error"] == KEPT_ASIDE_VI
    assert client.post(URL, json=changed, headers=bearer(world["token1"])).status_code == 409
    assert client.post(URL, json=payload, headers=bearer(world["token1"])).get_json() == first.get_json()
    with app.app_context():
        [stored] = db.session.scalars(select(Submission)).all()
        assert stored.answers["age"] == "40" and stored.review_state is ReviewState.RECEIVED
        assert _count(app, VisitAttempt) == 1
    [kept] = _conflicts(app)
    assert (kept.client_uuid, kept.submission_id, kept.enumerator_id) == (
        payload["instance_uuid"], stored.id, world["users"]["enum1"])
    assert kept.answers == changed["answers"] and kept.paradata == changed["paradata"]
    assert kept.answers_digest == _digest(changed["answers"]) and kept.status is ConflictStatus.OPEN
    third = dict(payload, answers=dict(payload["answers"], age="42"))
    assert client.post(URL, json=third, headers=bearer(world["token1"])).status_code == 409
    assert [c.answers["age"] for c in _conflicts(app)] == ["41", "42"]


def test_another_enumerators_send_under_a_stored_uuid_is_kept_aside(app, client, world):
    payload = interview(world)
    assert client.post(URL, json=payload, headers=bearer(world["token1"])).status_code == 201
    stolen = dict(payload, case_id=world["cases2"][0])
    for _ in range(2):
        response = client.post(URL + "?lang=en", json=stolen, headers=bearer(world["token2"]))
        assert response.status_code == 409
        assert response.get_json()["error"] == "This interview was already received from another enumerator."
    [kept] = _conflicts(app)
    assert kept.enumerator_id == world["users"]["enum2"] and kept.answers == payload["answers"]
    assert _count(app, Submission) == 1


def test_a_receipt_without_digest_matches_any_resend(app, client, world):
    """Receipts written before digests existed keep answering with the original acknowledgement."""
    payload = interview(world)
    first = client.post(URL, json=payload, headers=bearer(world["token1"]))
    with app.app_context():
        db.session.execute(update(SyncReceipt).values(answers_digest=None))
        db.session.commit()
    changed = dict(payload, answers=dict(payload["answers"], age="77"))
    again = client.post(URL, json=changed, headers=bearer(world["token1"]))
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert _count(app, SubmissionConflict) == 0


def test_a_correction_sent_again_with_other_answers_is_kept_aside(app, client, world):
    payload = interview(world, s1="5")
    token = bearer(world["token1"])
    assert client.post(URL, json=payload, headers=token).status_code == 201
    with app.app_context():
        db.session.execute(update(Submission).values(review_state=ReviewState.REJECTED))
        db.session.commit()
    correction = dict(payload, edit_uuid="edit-1", answers=dict(payload["answers"], s1="2"))
    first = client.post(URL, json=correction, headers=token)
    assert first.status_code == 201
    with app.app_context():
        digest = db.session.scalar(select(SyncReceipt.answers_digest).where(SyncReceipt.client_uuid == "edit-1"))
    assert digest == _digest(correction["answers"])
    assert client.post(URL, json=correction, headers=token).get_json() == first.get_json()
    other = dict(correction, answers=dict(payload["answers"], s1="3"))
    assert client.post(URL, json=other, headers=token).status_code == 409
    [kept] = _conflicts(app)
    assert kept.client_uuid == "edit-1" and kept.answers["s1"] == "3"
    with app.app_context():
        assert db.session.scalar(select(Submission.answers))["s1"] == "2"


def test_two_sends_racing_with_different_answers_store_one_and_keep_the_other_aside(app, world):
    payload = interview(world)
    sends = [payload, dict(payload, answers=dict(payload["answers"], age="55"))]
    results, start = {}, threading.Barrier(2)

    def send(index):
        start.wait()
        results[index] = app.test_client().post(URL, json=sends[index], headers=bearer(world["token1"]))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results.values()) == [201, 409], [r.get_json() for r in results.values()]
    winner = next(i for i, r in results.items() if r.status_code == 201)
    with app.app_context():
        [stored] = db.session.scalars(select(Submission)).all()
        assert stored.answers["age"] == sends[winner]["answers"]["age"]
    [kept] = _conflicts(app)
    assert kept.answers == sends[1 - winner]["answers"] and kept.submission_id == stored.id
