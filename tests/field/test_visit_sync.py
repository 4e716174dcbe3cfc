"""The visits endpoint of the offline collector: device-token auth, the enumerator's own cases,
idempotency by the visit's UUID (also under concurrent sends), refusals of bad input in
Vietnamese, and the case-status rule shared with the online case page."""
import threading
import uuid

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.field.tokens import revoke
from survey_app.models import CaseStatus, DeviceToken, SampleCase, VisitAttempt
from tests.field.world import bearer, interview

URL = "/api/field/visits"


def visit(world, outcome="no_contact", case_index=0, enumerator=1, **extra) -> dict:
    payload = {"client_uuid": str(uuid.uuid4()), "case_id": world[f"cases{enumerator}"][case_index],
               "outcome": outcome, "note": "Nhà đóng cửa", "at": "2024-08-05T02:00:00Z",
               "geolocation": {"lat": 20.5411, "lon": 105.9139, "accuracy_m": 12.0}}
    payload.update(extra)
    return payload


def _visits(app) -> list[VisitAttempt]:
    with app.app_context():
        found = list(db.session.scalars(select(VisitAttempt).order_by(VisitAttempt.id)))
        db.session.expunge_all()
        return found


def _status(app, case_id) -> CaseStatus:
    with app.app_context():
        return db.session.get(SampleCase, case_id).status


def test_a_visit_is_stored_with_the_devices_time_and_place_and_moves_the_case(app, client, world):
    payload = visit(world)
    response = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert response.status_code == 201, response.get_json()
    ack = response.get_json()
    assert ack == {"status": "stored", "client_uuid": payload["client_uuid"], "case_id": payload["case_id"],
                   "outcome": "no_contact", "at": "2024-08-05T02:00:00Z", "attempt_number": 1}
    [stored] = _visits(app)
    assert stored.client_uuid == payload["client_uuid"] and stored.note == "Nhà đóng cửa"
    assert stored.enumerator_id == world["users"]["enum1"]
    assert (stored.lat, stored.lon, stored.accuracy_m) == (20.5411, 105.9139, 12.0)
    assert stored.at.strftime("%Y-%m-%d %H:%M") == "2024-08-05 02:00" and stored.received_at is not None
    assert _status(app, payload["case_id"]) is CaseStatus.NO_CONTACT
    with app.app_context():
        token = db.session.get(DeviceToken, stored.device_token_id)
        assert token.user_id == world["users"]["enum1"] and token.last_sync_at is not None


def test_the_same_visit_sent_again_is_stored_once_with_the_same_acknowledgement(app, client, world):
    payload = visit(world, outcome="refused")
    first = client.post(URL, json=payload, headers=bearer(world["token1"]))
    again = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert len(_visits(app)) == 1
    stolen = client.post(URL, json=dict(payload, case_id=world["cases2"][0]), headers=bearer(world["token2"]))
    assert stolen.status_code == 409 and stolen.get_json()["error"]
    assert len(_visits(app)) == 1


def test_concurrent_sends_of_one_visit_store_one_row(app, world):
    payload = visit(world)
    results, start = [], threading.Barrier(4)

    def send():
        client = app.test_client()
        start.wait()
        results.append(client.post(URL, json=payload, headers=bearer(world["token1"])))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.status_code for r in results} <= {200, 201}, [r.get_json() for r in results]
    assert [r.status_code for r in results].count(201) == 1
    assert len({str(sorted(r.get_json().items())) for r in results}) == 1
    assert len(_visits(app)) == 1


def test_without_a_live_device_token_nothing_is_stored(app, client, world):
    payload = visit(world)
    assert client.post(URL, json=payload).status_code == 401
    assert client.post(URL, json=payload, headers=bearer("guessed")).status_code == 401
    with app.app_context():
        row = db.session.scalar(select(DeviceToken).where(DeviceToken.user_id == world["users"]["enum1"]))
        revoke(row)
        db.session.commit()
    assert client.post(URL, json=payload, headers=bearer(world["token1"])).status_code == 401
    assert _visits(app) == []


def test_only_the_enumerators_own_cases_take_a_visit(app, client, world):
    response = client.post(URL, json=visit(world, enumerator=2), headers=bearer(world["token1"]))
    assert response.status_code == 403
    assert response.get_json()["error"] == "Đối tượng này không được phân công cho bạn."
    unknown = client.post(URL, json=visit(world, case_id=999999), headers=bearer(world["token1"]))
    assert unknown.status_code == 403
    assert _visits(app) == []
    assert _status(app, world["cases2"][0]) is CaseStatus.PENDING


@pytest.mark.parametrize("change, status", [
    ({"outcome": "completed"}, 422), ({"outcome": "party"}, 422), ({"outcome": None}, 422),
    ({"case_id": "1"}, 400), ({"case_id": True}, 400), ({"client_uuid": ""}, 400),
    ({"client_uuid": "x" * 65}, 400), ({"at": "yesterday"}, 400), ({"at": None}, 400),
    ({"note": 5}, 400), ({"note": "x" * 2001}, 422), ({"geolocation": {"lat": 200, "lon": 1}}, 400),
    ({"geolocation": "here"}, 400), ({"geolocation": {"lat": "20", "lon": 105}}, 400),
])
def test_bad_visits_are_refused_in_vietnamese_and_nothing_is_stored(app, client, world, change, status):
    payload = visit(world, **change)
    response = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == status and body["error"]
    assert body["error"] != client.post(URL + "?lang=en", json=payload, headers=bearer(world["token1"])).get_json()["error"]
    assert _visits(app) == []
    assert _status(app, payload["case_id"] if type(payload["case_id"]) is int else world["cases1"][0]) \
        is CaseStatus.PENDING


def test_requests_that_are_not_a_visit_are_400(app, client, world):
    token = bearer(world["token1"])
    assert client.post(URL, data="not json", headers=token).status_code == 400
    assert client.post(URL, json=[1, 2], headers=token).status_code == 400
    response = client.post(URL, json=visit(world, outcome="completed"), headers=token)
    assert response.get_json()["error"] == "Kết quả lần đến phải là không gặp được, từ chối hoặc không đủ điều kiện."


def test_a_late_no_contact_does_not_reopen_a_completed_case(app, client, world):
    token = bearer(world["token1"])
    assert client.post("/api/field/submissions", json=interview(world), headers=token).status_code == 201
    late = visit(world, at="2024-08-05T01:00:00Z")  # recorded before the interview, sent after it
    assert client.post(URL, json=late, headers=token).status_code == 201
    assert _status(app, world["cases1"][0]) is CaseStatus.COMPLETED
    assert [v.outcome for v in _visits(app)] == [CaseStatus.COMPLETED, CaseStatus.NO_CONTACT]


def test_the_case_takes_the_outcome_of_its_latest_visit_by_the_devices_time(app, client, world):
    token, case_id = bearer(world["token1"]), world["cases1"][1]
    later = visit(world, outcome="refused", case_index=1, at="2024-08-06T03:00:00Z")
    earlier = visit(world, outcome="no_contact", case_index=1, at="2024-08-05T03:00:00Z")
    assert client.post(URL, json=later, headers=token).status_code == 201
    assert client.post(URL, json=earlier, headers=token).status_code == 201  # sent late
    assert _status(app, case_id) is CaseStatus.REFUSED
    assert [v.attempt_number for v in _visits(app)] == [1, 2]
    again = visit(world, outcome="ineligible", case_index=1, at="2024-08-07T03:00:00Z")
    assert client.post(URL, json=again, headers=token).status_code == 201
    assert _status(app, case_id) is CaseStatus.INELIGIBLE


def test_a_phone_clock_ahead_of_time_does_not_date_a_visit_in_the_future(app, client, world):
    payload = visit(world, at="2999-01-01T00:00:00Z", geolocation=None)
    assert client.post(URL, json=payload, headers=bearer(world["token1"])).status_code == 201
    [stored] = _visits(app)
    assert stored.at.year < 2999 and stored.lat is None


def test_the_online_case_page_follows_the_same_rule(app, client, field_auth, world):
    token = bearer(world["token1"])
    case_id = world["cases1"][2]
    assert client.post(URL, json=visit(world, case_index=2, at="2999-01-01T00:00:00Z"), headers=token).status_code == 201
    field_auth.login("enum1")
    csrf = field_auth.auth.csrf(f"/field/cases/{case_id}")
    response = client.post(f"/field/cases/{case_id}/visits", data={"csrf_token": csrf, "outcome": "refused"})
    assert response.status_code == 302
    assert _status(app, case_id) is CaseStatus.REFUSED
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VisitAttempt)) == 2


def test_a_visit_uuid_sent_again_with_another_outcome_or_note_is_refused(app, client, world):
    payload = visit(world, outcome="no_contact")
    first = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert first.status_code == 201
    for changed in (dict(payload, outcome="refused"), dict(payload, note="Hẹn lại chiều mai"),
                    dict(payload, case_id=world["cases1"][1])):
        response = client.post(URL, json=changed, headers=bearer(world["token1"]))
        assert response.status_code == 409
        assert response.get_json()["error"] == ("Lần đến này đã được nhận với kết quả hoặc ghi chú khác; "
                                                "bản gửi này không được lưu.")
    assert client.post(URL, json=dict(payload, note="  Nhà đóng cửa "),
                       headers=bearer(world["token1"])).get_json() == first.get_json()
    [stored] = _visits(app)
    assert (stored.outcome, stored.note) == (CaseStatus.NO_CONTACT, "Nhà đóng cửa")
    assert _status(app, payload["case_id"]) is CaseStatus.NO_CONTACT
