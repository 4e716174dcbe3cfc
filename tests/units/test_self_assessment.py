"""Self-assessment by a unit editor: drafts, submission, validation, scope and the lock."""
from datetime import date, timedelta
from decimal import Decimal

import builders
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AssessmentStatus, Campaign, Score, SelfAssessment

PAGE = "/units/T-2024/D1"


def nodes(app):
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "T-2024"))
        return [(n.id, n.code, n.max_points, n.method.value) for n in builders.self_nodes(campaign)]


def full_form(app, **overrides) -> dict:
    data = {}
    for node_id, code, maximum, method in nodes(app):
        data[f"p_{node_id}"] = f"{maximum:f}".replace(".", ",") if method == "self_assessed" else "0"
        data[f"e_{node_id}"] = "Đã thực hiện"
    for code, value in overrides.items():
        node_id = next(n[0] for n in nodes(app) if n[1] == code.replace("_", "."))
        data[f"p_{node_id}"] = value
    return data


def stored(app, unit_code="D1"):
    with app.app_context():
        found = db.session.scalar(select(SelfAssessment).join(SelfAssessment.unit)
                                  .where(SelfAssessment.unit.has(code=unit_code)))
        if found is None:
            return None, {}
        return found.status, {s.node.code: s.self_points for s in found.scores}


def test_editor_saves_a_draft_then_submits_and_the_points_lock(world, visitor):
    editor = visitor("editor")
    page = editor.get(PAGE)
    assert page.status_code == 200 and "Lưu bản nháp" in page.get_data(as_text=True)
    draft = full_form(world, **{"1_1_1": "0,75"})
    draft["save"] = "1"
    assert editor.post(PAGE, draft).status_code == 302
    status, points = stored(world)
    assert status is AssessmentStatus.DRAFT and points["1.1.1"] == Decimal("0.75")
    final = full_form(world, **{"1_1_1": "0,5"})
    final["submit_final"] = "1"
    assert editor.post(PAGE, final).status_code == 302
    status, points = stored(world)
    assert status is AssessmentStatus.SUBMITTED and points["1.1.1"] == Decimal("0.5")
    again = full_form(world, **{"1_1_1": "1"})
    again["save"] = "1"
    refused = editor.post(PAGE, again)
    assert refused.status_code == 409
    assert "đã nộp" in refused.get_data(as_text=True)
    assert stored(world)[1]["1.1.1"] == Decimal("0.5")


def test_bad_points_are_refused_with_a_message_and_nothing_is_written(world, visitor):
    editor = visitor("editor")
    for value, message in (("1,5", "Tối đa 1,00 điểm."), ("0,3", "bước 0,25"), ("abc", "Nhập số điểm"),
                           ("-1", "không được âm")):
        data = full_form(world, **{"1_1_1": value})
        data["save"] = "1"
        response = editor.post(PAGE, data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert stored(world) == (None, {})


def test_submitting_with_a_missing_score_is_refused(world, visitor):
    editor = visitor("editor")
    data = full_form(world, **{"1_1_2": ""})
    data["submit_final"] = "1"
    response = editor.post(PAGE, data)
    assert response.status_code == 400
    assert "Nhập điểm trước khi nộp" in response.get_data(as_text=True)
    assert stored(world) == (None, {})


def test_no_change_after_the_deadline(world, visitor):
    with world.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "T-2024"))
        campaign.self_assessment_deadline = date.today() - timedelta(days=2)
        db.session.commit()
    editor = visitor("editor")
    data = full_form(world)
    data["save"] = "1"
    response = editor.post(PAGE, data)
    assert response.status_code == 409
    assert "hết hạn" in response.get_data(as_text=True)
    assert stored(world) == (None, {})
    assert "Lưu bản nháp" not in editor.get(PAGE).get_data(as_text=True)


def test_an_editor_cannot_see_or_change_another_units_scores(world, visitor):
    editor = visitor("editor")
    other = "/units/T-2024/D2"
    assert editor.get(other).status_code == 403
    assert editor.get(other + "/scores/1.1.1").status_code == 403
    data = full_form(world)
    data["save"] = "1"
    assert editor.post(other, data).status_code == 403
    assert editor.post(other + "/scores/1.1.1/reply", {"body": "x"}).status_code == 403
    assert editor.post(other + "/scores/1.1.1/evidence", {}).status_code == 403
    with world.app_context():
        assert {s.self_points for s in db.session.scalars(select(Score))} == {
            s for s in {n[2] if n[3] == "self_assessed" else Decimal(0) for n in nodes(world)}}


def test_an_appraiser_cannot_change_self_assessed_points(world, visitor):
    council = visitor("council")
    data = full_form(world)
    data["save"] = "1"
    assert council.post(PAGE, data).status_code == 403
    assert council.post("/units/T-2024/D2", data).status_code == 403
    assert "Lưu bản nháp" not in council.get("/units/T-2024/D2").get_data(as_text=True)
    assert stored(world) == (None, {})
