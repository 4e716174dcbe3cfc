"""Quality flags computed on intake, on crafted interviews, and shown with their reason."""
import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import QualityFlag, Submission
from survey_app.quality import rules
from survey_app.quality.intake import normalise
from tests.field.world import bearer, build_world, interview

URL = "/api/field/submissions"
VILLAGE = {"lat": 20.5411, "lon": 105.9139, "accuracy_m": 10}


@pytest.fixture
def big_world(app):
    with app.app_context():
        return build_world(cases_each=12)


def _send(client, world, index, place=None, **changes):
    payload = interview(world, case_index=index, **changes.pop("answers", {}))
    payload.update(changes)
    if place:
        payload["paradata"]["geolocation"] = place
    response = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["receipt"]


def _flags(app) -> dict[str, dict[str, str]]:
    with app.app_context():
        rows = db.session.execute(select(Submission.receipt, QualityFlag.rule, QualityFlag.reason).join(
            QualityFlag, QualityFlag.submission_id == Submission.id))
        found: dict[str, dict[str, str]] = {}
        for receipt, rule, reason in rows:
            found.setdefault(receipt, {})[rule] = reason
        return found


def test_crafted_interviews_get_their_flags_and_the_supervisor_sees_each_reason(app, client, field_auth, big_world):
    w = big_world
    clean = _send(client, w, 0, place=VILLAGE)
    fast = _send(client, w, 1, started_at="2024-08-05T02:00:00Z", submitted_at="2024-08-05T02:00:10Z")
    flat = _send(client, w, 3, answers={"s1": "5", "s2": "5", "s3": "5"})
    first = _send(client, w, 5, answers={"phone": "0912 345 678"})
    twice = _send(client, w, 7, answers={"phone": "+84 912-345-678"})
    _send(client, w, 2, place=dict(VILLAGE, lat=VILLAGE["lat"] + 0.001))
    _send(client, w, 4, place=dict(VILLAGE, lon=VILLAGE["lon"] + 0.001))
    away = _send(client, w, 6, place=dict(VILLAGE, lat=VILLAGE["lat"] + 0.2))  # ~22 km, same village
    night = _send(client, w, 9, started_at="2024-08-05T16:00:00Z", submitted_at="2024-08-05T16:08:00Z")
    flags = _flags(app)
    assert clean not in flags and first not in flags
    assert set(flags[fast]) == {"too_fast"} and "10" in flags[fast]["too_fast"]
    assert set(flags[flat]) == {"straight_lining"}
    assert set(flags[twice]) == {"duplicate"} and first in flags[twice]["duplicate"]
    assert set(flags[away]) == {"off_area"} and "22" in flags[away]["off_area"]
    assert set(flags[night]) == {"unusual_hour"} and "23" in flags[night]["unusual_hour"]
    with app.app_context():
        assert len(db.session.scalars(select(Submission)).all()) == 9  # flags never drop data
    field_auth.login("supervisor")
    page = client.get("/field/supervision/submissions?flagged=1&lang=en").get_data(as_text=True)
    for receipt, rule in ((fast, "too_fast"), (flat, "straight_lining"), (twice, "duplicate"),
                          (away, "off_area"), (night, "unusual_hour")):
        assert receipt in page
        assert f'data-rule="{rule}"' in page
        assert flags[receipt][rule] in page.replace("&#39;", "'")
    assert clean not in page


def test_many_interviews_at_one_place_are_flagged_from_the_fifth(app, client, big_world):
    receipts = [_send(client, big_world, i, place=VILLAGE) for i in range(5)]
    flags = _flags(app)
    assert [r in flags for r in receipts] == [False, False, False, False, True]
    assert "5" in flags[receipts[-1]]["same_location"]


def test_rules_in_isolation():
    assert rules.too_fast(100, 10, 4.0) is None and rules.too_fast(39, 10, 4.0)
    grids = [["a", "b", "c"], ["d", "e", "f"]]
    assert rules.straight_lining({"a": "1", "b": "1", "c": "1", "d": "1", "e": "2", "f": "1"}, grids, 0.8) is None
    assert rules.straight_lining({"a": "1", "b": "1", "c": "1"}, grids, 0.8)
    assert round(rules.distance_m((21.0, 105.8), (21.0, 105.81))) == pytest.approx(1038, abs=2)
    assert normalise("phone", "+84 912.345.678") == normalise("phone", "0912345678")
    assert normalise("name", "NGUYỄN  Văn A.") == normalise("name", "nguyễn văn a")
    assert rules.unusual_hour(5, 6, 21) and rules.unusual_hour(21, 6, 21) and rules.unusual_hour(20, 6, 21) is None


def test_the_lookup_box_holds_every_point_within_the_radius():
    import math
    import random

    from survey_app.quality.intake import _box
    from survey_app.quality.rules import EARTH_RADIUS_M, distance_m

    rng = random.Random(7)
    for _ in range(500):
        centre, radius = (rng.uniform(-70, 70), rng.uniform(-179, 179)), rng.uniform(5, 500)
        bearing, reach = rng.uniform(0, 2 * math.pi), radius * 0.999 / EARTH_RADIUS_M
        lat1, lon1 = map(math.radians, centre)
        lat2 = math.asin(math.sin(lat1) * math.cos(reach) + math.cos(lat1) * math.sin(reach) * math.cos(bearing))
        lon2 = lon1 + math.atan2(math.sin(bearing) * math.sin(reach) * math.cos(lat1),
                                 math.cos(reach) - math.sin(lat1) * math.sin(lat2))
        point = (math.degrees(lat2), math.degrees(lon2))
        assert distance_m(centre, point) <= radius
        box = _box(centre, radius)
        assert box["south"] <= point[0] <= box["north"] and box["west"] <= point[1] <= box["east"]


def test_an_interview_with_two_flags_stores_both_with_their_audit_entries(app, client, big_world):
    from survey_app.models import AuditEntry, IdentityKey, User

    receipt = _send(client, big_world, 0, started_at="2024-08-05T16:00:00Z", submitted_at="2024-08-05T16:00:10Z",
                    answers={"phone": "0912 345 678"})
    assert set(_flags(app)[receipt]) == {"too_fast", "unusual_hour"}
    with app.app_context():
        stored = db.session.scalar(select(Submission).where(Submission.receipt == receipt))
        flags = {f.id: f.rule for f in db.session.scalars(select(QualityFlag).where(
            QualityFlag.submission_id == stored.id))}
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "quality_flag")).all()
        username = db.session.get(User, big_world["users"]["enum1"]).username
        assert {(e.entity_id, e.after["rule"], e.after["excluded"], e.actor) for e in entries} == {
            (flag_id, rule, True, username) for flag_id, rule in flags.items()}
        keys = db.session.scalars(select(IdentityKey).where(IdentityKey.submission_id == stored.id)).all()
        assert [(k.kind, k.campaign_id) for k in keys] == [("phone", stored.campaign_id)]
