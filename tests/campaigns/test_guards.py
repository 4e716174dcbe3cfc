"""A bulk "recognise all" keeps an earlier round's decision unless the appraiser ticks it; a deadline
is extended and one unit's self-assessment reopened only with a reason, both audited."""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (AppraisalComment, AssessmentStatus, AuditEntry, Campaign, CampaignStatus, LifecycleChange, Score,
                               SelfAssessment)

from lifecycle_steps import take_rounds_to

UNIT = "/units/T-2024/D2"


def appraised(app, code: str) -> Decimal | None:
    with app.app_context():
        return db.session.scalar(select(Score.appraised_points).join(SelfAssessment)
                                 .where(SelfAssessment.unit.has(code="D2"), Score.node.has(code=code)))


def comments(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AppraisalComment))


def test_recognise_all_in_round_2_shows_the_round_1_decisions_and_keeps_them_by_default(staff, visitor):
    council = visitor("council")
    take_rounds_to(council, "open_1")
    council.post(UNIT + "/scores/1.1.1/decision", {"decision": "adjust", "points": "0,5", "reason": "Ban hành chậm"})
    council.post(UNIT + "/scores/1.1.2/decision", {"decision": "adjust", "points": "0", "reason": "Không có"})
    council.post("/units/T-2024/rounds", {"step": "reply"})
    council.post("/units/T-2024/rounds", {"step": "open_2"})
    before = comments(staff)
    shown = council.post(UNIT + "/recognise-all", {"reason": "Đủ tài liệu"})
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="earlier-decisions"' in text
    assert "Ban hành chậm" in text and "0,50" in text and "Không có" in text
    assert 'type="checkbox" name="overwrite"' in text and "checked" not in text  # default: keep
    assert comments(staff) == before and appraised(staff, "1.2.1") is None  # nothing written yet
    with staff.app_context():
        overwrite = db.session.scalar(select(Score.id).join(SelfAssessment).where(
            SelfAssessment.unit.has(code="D2"), Score.node.has(code="1.1.2")))
    done = council.post(UNIT + "/recognise-all", {"reason": "Đủ tài liệu", "reviewed": "1", "overwrite": str(overwrite)})
    assert done.status_code == 302
    assert appraised(staff, "1.1.1") == Decimal("0.5")  # kept
    with staff.app_context():
        self_points = db.session.get(Score, overwrite).self_points
    assert appraised(staff, "1.1.2") == self_points > 0  # ticked: overwritten, as the appraiser chose
    assert appraised(staff, "1.2.1") is not None  # the undecided ones recognised


def test_a_deadline_is_extended_only_with_a_reason_and_audited(staff, visitor):
    admin = visitor("admin")
    with staff.app_context():
        old = db.session.scalar(select(Campaign.self_assessment_deadline).where(Campaign.code == "T-2024"))
        db.session.scalar(select(Campaign).where(Campaign.code == "T-2024")).status = CampaignStatus.SELF_ASSESSMENT
        db.session.commit()
    new = (old + timedelta(days=7)).strftime("%d/%m/%Y")
    missing = admin.post("/lifecycle/T-2024/deadlines", {"deadline": "self_assessment", "new_date": new, "reason": ""})
    assert missing.status_code == 422 and "Hãy nêu lý do thay đổi." in missing.get_data(as_text=True)
    earlier = admin.post("/lifecycle/T-2024/deadlines", {"deadline": "self_assessment",
                                                        "new_date": (old - timedelta(days=1)).isoformat(), "reason": "x"})
    assert earlier.status_code == 422 and "Ngày mới phải sau ngày hiện tại" in earlier.get_data(as_text=True)
    done = admin.post("/lifecycle/T-2024/deadlines", {"deadline": "self_assessment", "new_date": new,
                                                     "reason": "Sở đề nghị do bão"})
    assert done.status_code == 302
    result = staff.test_cli_runner().invoke(args=["campaign", "extend", "T-2024", "round:1", "--to", "2100-01-31",
                                                  "--reason", "Hội đồng họp muộn"])
    assert result.exit_code == 0, result.output
    no_reason = staff.test_cli_runner().invoke(args=["campaign", "extend", "T-2024", "fieldwork", "--to",
                                                     "2100-02-01", "--reason", " "])
    assert no_reason.exit_code != 0 and "Hãy nêu lý do thay đổi." in no_reason.output
    with staff.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "T-2024"))
        assert campaign.self_assessment_deadline == old + timedelta(days=7) and campaign.fieldwork_end is None
        rows = db.session.scalars(select(LifecycleChange).order_by(LifecycleChange.id))
        assert [(r.kind, r.target, r.reason) for r in rows] == [
            ("extend", "self_assessment", "Sở đề nghị do bão"), ("extend", "round:1", "Hội đồng họp muộn")]
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "campaign",
                                                            AuditEntry.action == "update"))
        assert any(a.after.get("self_assessment_deadline") == (old + timedelta(days=7)).isoformat()
                   and a.actor == "admin" for a in audit)
    page = admin.get("/lifecycle/T-2024").get_data(as_text=True)
    assert "Sở đề nghị do bão" in page and "Hội đồng họp muộn" in page


def test_one_units_self_assessment_is_reopened_only_with_a_reason_and_audited(staff, visitor):
    council, admin, editor = visitor("council"), visitor("admin"), visitor("editor2")
    take_rounds_to(council, "open_1")
    assert editor.post(UNIT, {"save": "1"}).status_code == 409  # locked by the round
    until = (date.today() + timedelta(days=3)).isoformat()
    missing = admin.post("/lifecycle/T-2024/reopen", {"unit": "D2", "until": until, "reason": ""})
    assert missing.status_code == 422 and "Hãy nêu lý do thay đổi." in missing.get_data(as_text=True)
    assert admin.post("/lifecycle/T-2024/reopen", {"unit": "D2", "until": until,
                                                  "reason": "Bổ sung minh chứng bị thất lạc"}).status_code == 302
    with staff.app_context():
        found = db.session.scalar(select(SelfAssessment).where(SelfAssessment.unit.has(code="D2")))
        assert found.status is AssessmentStatus.DRAFT and found.reopened_until.isoformat() == until
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "self_assessment",
                                                           AuditEntry.action == "update"))
        assert entry.before["status"] == "submitted" and entry.after["reopened_until"] == until
        assert db.session.scalar(select(LifecycleChange.reason)) == "Bổ sung minh chứng bị thất lạc"
    assert editor.post(UNIT, {"save": "1"}).status_code == 302  # the unit may change its points again
    assert visitor("editor").post(UNIT, {"save": "1"}).status_code == 403
    cli = staff.test_cli_runner().invoke(args=["campaign", "reopen", "T-2024", "D9", "--until", until, "--reason", "x"])
    assert cli.exit_code != 0 and "Đơn vị D9 không được đánh giá trong đợt này" in cli.output
