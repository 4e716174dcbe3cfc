"""Each step's confirmation page (what it locks, what is not done), the refusal to close appraisal
while anything is undecided, the status and advance commands, and the last step left to publish."""
from datetime import date

from sqlalchemy import select

from survey_app.campaigns.creation import CampaignSpec, create_campaign
from survey_app.extensions import db
from survey_app.models import (AppraisalRound, AssessmentStatus, Campaign, CampaignStatus, LifecycleChange,
                               SelfAssessment)

from lifecycle_steps import take_rounds_to


def status_of(app, code="T-2024") -> CampaignStatus:
    with app.app_context():
        return db.session.scalar(select(Campaign.status).where(Campaign.code == code))


def new_campaign(app) -> None:
    with app.app_context():
        create_campaign(CampaignSpec(code="T-2025", title="Thử", year=2024, province_code="P",
                                     framework="par_units", levels=["department"],
                                     self_assessment_deadline=date(2100, 1, 1)))


def confirm(who, code, expected):
    return who.post(f"/lifecycle/{code}/advance", {"expected": expected, "reason": "Theo kế hoạch"})


def test_every_step_has_a_confirmation_page_saying_what_it_locks_and_what_is_not_done(staff, visitor):
    new_campaign(staff)
    analyst = visitor("analyst")
    page = analyst.get("/lifecycle/T-2025/advance").get_data(as_text=True)
    assert "Bản nháp → Tự đánh giá" in page and "Chưa chọn phiếu khảo sát" in page
    assert status_of(staff, "T-2025") is CampaignStatus.DRAFT  # showing the page changes nothing
    assert confirm(analyst, "T-2025", "draft").status_code == 302
    assert confirm(analyst, "T-2025", "draft").status_code == 409  # confirmed twice: refused, not skipped ahead
    page = analyst.get("/lifecycle/T-2025/advance").get_data(as_text=True)
    assert "Tự đánh giá → Thẩm định" in page and "Đơn vị D1 chưa nộp bản tự đánh giá" in page
    assert "Mở thẩm định lần 1" in page and 'href="/units/T-2025/D1"' in page
    assert confirm(analyst, "T-2025", "self_assessment").status_code == 302
    with staff.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "T-2025"))
        assert db.session.scalar(select(AppraisalRound.number).where(AppraisalRound.campaign_id == campaign.id)) == 1
        changes = db.session.scalars(select(LifecycleChange).where(LifecycleChange.campaign_id == campaign.id))
        assert [(c.before, c.after, c.reason) for c in changes] == [
            ("draft", "self_assessment", "Theo kế hoạch"), ("self_assessment", "appraisal", "Theo kế hoạch")]
    refused = analyst.get("/lifecycle/T-2025/advance")
    assert refused.status_code == 409 and "Thẩm định → Khảo sát thực địa" in refused.get_data(as_text=True)


def test_closing_appraisal_with_undecided_items_is_refused_with_their_list(staff, visitor):
    council = visitor("council")
    take_rounds_to(council, "open_2")
    council.post("/units/T-2024/D2/scores/1.1.1/decision", {"decision": "recognise", "reason": "Đủ"})
    page = council.get("/lifecycle/T-2024/advance")
    text = page.get_data(as_text=True)
    assert page.status_code == 409 and "Đơn vị D1: " in text and "tiêu chí thành phần chưa được quyết định" in text
    assert 'href="/units/T-2024/D2/scores/1.1.2"' in text  # each undecided item links to its page
    assert 'href="/units/T-2024/D2/scores/1.1.1"' not in text  # the decided one is not listed
    assert "Đơn vị D2 chưa được thành viên hội đồng ký xác nhận" in text
    assert 'name="reason"' not in text  # no confirm button
    assert confirm(council, "T-2024", "appraisal").status_code == 409
    assert status_of(staff) is CampaignStatus.APPRAISAL
    with staff.app_context():
        assert AssessmentStatus.LOCKED not in set(db.session.scalars(select(SelfAssessment.status)))
        assert db.session.scalar(select(AppraisalRound.status).where(AppraisalRound.number == 2)).value == "open"


def test_status_and_advance_commands(staff):
    new_campaign(staff)
    runner = staff.test_cli_runner()
    status = runner.invoke(args=["campaign", "status", "T-2025"])
    assert status.exit_code == 0 and "Bản nháp" in status.output
    assert "Bản tự đánh giá đã nộp: 0/2" in status.output and "Next step" not in status.output
    asked = runner.invoke(args=["campaign", "advance", "T-2025"], input="n\n")
    assert asked.exit_code != 0 and status_of(staff, "T-2025") is CampaignStatus.DRAFT
    done = runner.invoke(args=["campaign", "advance", "T-2025", "--yes"])
    assert done.exit_code == 0 and "T-2025: Tự đánh giá" in done.output
    runner.invoke(args=["campaign", "advance", "T-2025", "--yes"])
    refused = runner.invoke(args=["campaign", "advance", "T-2025", "--yes"])
    assert refused.exit_code != 0 and "tiêu chí thành phần chưa được quyết định" in refused.output
    assert "1.1.1" in refused.output and status_of(staff, "T-2025") is CampaignStatus.APPRAISAL


def test_fieldwork_to_analysis_and_the_last_step_is_the_publication(staff, visitor):
    with staff.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "T-2024"))
        campaign.status = CampaignStatus.FIELDWORK
        campaign.units[0].target_sample = 40
        db.session.commit()
    analyst = visitor("analyst")
    page = analyst.get("/lifecycle/T-2024/advance").get_data(as_text=True)
    assert "Mã mời và đường dẫn mở không nhận thêm câu trả lời" in page and "0 / 40 phiếu" in page
    assert confirm(analyst, "T-2024", "fieldwork").status_code == 302
    last = analyst.get("/lifecycle/T-2024/advance")
    assert last.status_code == 409 and "campaign publish T-2024" in last.get_data(as_text=True)
    refused = staff.test_cli_runner().invoke(args=["campaign", "advance", "T-2024", "--yes"])
    assert refused.exit_code != 0 and "campaign publish" in refused.output
    assert status_of(staff) is CampaignStatus.ANALYSIS
