"""Quality settings per questionnaire (audited, refused with clear messages) and the
supervisor's decision to exclude a flagged interview from the analysis or keep it."""
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry, QualityFlag, QualitySettings, Submission
from tests.field.world import bearer, interview

GOOD = {"min_seconds_per_question": "200", "straightline_share": "80", "earliest_hour": "7",
        "latest_hour": "20", "location_radius_m": "30", "max_at_location": "5", "off_area_km": "5",
        "backcheck_keys": "used, s1, s2"}


def _questionnaire_id(app, world):
    with app.app_context():
        from survey_app.models import QuestionnaireVersion
        return db.session.get(QuestionnaireVersion, world["version_id"]).questionnaire_id


def _post(client, auth, qid, **changes):
    path = f"/field/supervision/quality/{qid}"
    return client.post(path, data={"csrf_token": auth.csrf(path), **GOOD, **changes})


def test_settings_are_saved_audited_and_used_on_the_next_interview(app, client, field_auth, world):
    qid = _questionnaire_id(app, world)
    first = client.post("/api/field/submissions", json=interview(world), headers=bearer(world["token1"]))
    assert first.status_code == 201
    field_auth.login("supervisor")
    assert f"/field/supervision/quality/{qid}" in client.get("/field/supervision/quality").get_data(as_text=True)
    assert _post(client, field_auth.auth, qid).status_code == 302
    page = client.get(f"/field/supervision/quality/{qid}").get_data(as_text=True)
    assert 'value="200' in page and "used, s1, s2" in page
    with app.app_context():
        row = db.session.scalar(select(QualitySettings))
        assert row.min_seconds_per_question == 200 and row.backcheck_keys == ["used", "s1", "s2"]
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "quality_settings"))
        assert audit.actor == "supervisor" and audit.after["min_seconds_per_question"] == 200
    second = client.post("/api/field/submissions", json=interview(world, case_index=1),
                         headers=bearer(world["token1"]))
    assert second.status_code == 201
    with app.app_context():
        rules = db.session.execute(select(Submission.id, QualityFlag.rule).join(
            QualityFlag, QualityFlag.submission_id == Submission.id)).all()
        assert [r for _, r in rules] == ["too_fast"]  # 6 min < 5 answers × 200 s, only the second


def test_bad_settings_get_clear_messages_and_nothing_is_stored(app, client, field_auth, world):
    qid = _questionnaire_id(app, world)
    field_auth.login("supervisor")
    hours = _post(client, field_auth.auth, qid, earliest_hour="22", latest_hour="6")
    assert hours.status_code == 422 and "Giờ muộn nhất phải sau giờ sớm nhất." in hours.get_data(as_text=True)
    keys = _post(client, field_auth.auth, qid, backcheck_keys="s1, gioi_tinh")
    assert keys.status_code == 422 and "gioi_tinh" in keys.get_data(as_text=True)
    words = _post(client, field_auth.auth, qid, min_seconds_per_question="nhanh")
    assert words.status_code == 422 and "Nhập một số." in words.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QualitySettings)) == 0


def test_only_a_supervisor_of_the_whole_province_changes_the_settings(app, client, field_auth, world):
    qid = _questionnaire_id(app, world)
    field_auth.login("supervisor2")
    assert f"/quality/{qid}" not in client.get("/field/supervision/quality").get_data(as_text=True)
    assert client.get(f"/field/supervision/quality/{qid}").status_code == 403


def _flagged(app, client, world):
    """Two interviews of enum2 with the same phone: the second is flagged as a duplicate."""
    for i in range(2):
        payload = interview(world, case_index=i, enumerator=2, phone="0912 345 678")
        assert client.post("/api/field/submissions", json=payload, headers=bearer(world["token2"])).status_code == 201
    with app.app_context():
        flag = db.session.scalar(select(QualityFlag).where(QualityFlag.rule == "duplicate"))
        return flag.id, flag.submission_id


def test_a_supervisor_keeps_or_excludes_a_flagged_interview(app, client, field_auth, world):
    flag_id, submission_id = _flagged(app, client, world)
    field_auth.login("supervisor2")
    review = f"/field/supervision/submissions/{submission_id}"
    assert "Bị loại khỏi phân tích" in client.get(review).get_data(as_text=True)
    token = field_auth.auth.csrf(review)
    kept = client.post(f"/field/supervision/flags/{flag_id}/exclusion", data={"csrf_token": token, "excluded": "0"},
                       follow_redirects=True)
    assert kept.status_code == 200 and "Được giữ trong phân tích" in kept.get_data(as_text=True)
    assert client.post(f"/field/supervision/flags/{flag_id}/exclusion",
                       data={"csrf_token": token, "excluded": "maybe"}).status_code == 400
    with app.app_context():
        assert db.session.get(QualityFlag, flag_id).excluded is False
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "quality_flag",
                                                           AuditEntry.action == "update"))
        assert audit.before == {"excluded": True} and audit.after == {"excluded": False}
    field_auth.auth.logout()
    field_auth.login("enum2")
    assert client.post(f"/field/supervision/flags/{flag_id}/exclusion",
                       data={"csrf_token": field_auth.auth.csrf("/field/"), "excluded": "1"}).status_code == 403
