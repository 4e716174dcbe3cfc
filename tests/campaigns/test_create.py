"""Creating a campaign from the command line and from its page (CSRF on): refusals listed in
Vietnamese with nothing stored, and the campaign in draft with its scope, deadlines and plan."""
from datetime import date

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Campaign, CampaignStatus, RoundDeadline

CREATE = ["campaign", "create", "T-2025", "--title", "Chỉ số CCHC 2025", "--year", "2024", "--province", "P",
          "--framework", "par_units", "--levels", "department"]


def campaigns(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Campaign))


def test_cli_creates_a_draft_campaign_with_its_units_deadlines_and_sampling_plan(staff):
    result = staff.test_cli_runner().invoke(args=CREATE + [
        "--self-assessment-deadline", "2024-10-15", "--round-deadline", "2024-11-01",
        "--round-deadline", "2024-11-20", "--fieldwork-start", "2024-08-01", "--fieldwork-end", "2024-09-15",
        "--sampling-plan", '{"design": "stratified two-stage", "replacement": {"allowed_after": ["refused"]}}'])
    assert result.exit_code == 0, result.output
    assert "T-2025: 2 units" in result.output
    with staff.app_context():
        found = db.session.scalar(select(Campaign).where(Campaign.code == "T-2025"))
        assert found.status is CampaignStatus.DRAFT and found.self_assessment_deadline == date(2024, 10, 15)
        assert sorted(cu.unit.code for cu in found.units) == ["D1", "D2"]
        assert found.sampling_plan["replacement"] == {"allowed_after": ["refused"]}
        rounds = db.session.scalars(select(RoundDeadline).where(RoundDeadline.campaign_id == found.id)
                                    .order_by(RoundDeadline.number))
        assert [(r.number, r.due) for r in rounds] == [(1, date(2024, 11, 1)), (2, date(2024, 11, 20))]


def test_copy_carries_each_rounds_deadline_into_the_new_year(staff, visitor):
    runner = staff.test_cli_runner()
    made = runner.invoke(args=["campaign", "create", "T-2023", "--title", "Chỉ số CCHC 2023", "--year", "2023",
                               "--province", "P", "--framework", "par_units", "--levels", "department",
                               "--round-deadline", "2023-11-01", "--round-deadline", "2023-11-20"])
    assert made.exit_code == 0, made.output
    copied = runner.invoke(args=["campaign", "copy", "T-2023", "--code", "T-2025", "--year", "2025"])
    assert copied.exit_code == 0, copied.output
    with staff.app_context():
        found = db.session.scalar(select(Campaign).where(Campaign.code == "T-2025"))
        rounds = db.session.scalars(select(RoundDeadline).where(RoundDeadline.campaign_id == found.id)
                                    .order_by(RoundDeadline.number))
        assert [(r.number, r.due) for r in rounds] == [(1, date(2025, 11, 1)), (2, date(2025, 11, 20))]
    page = visitor("admin").get("/lifecycle/T-2025").get_data(as_text=True)
    assert "01/11/2025" in page and "20/11/2025" in page


def test_cli_lists_every_problem_in_vietnamese_and_stores_nothing(staff):
    before = campaigns(staff)
    result = staff.test_cli_runner().invoke(args=[
        "campaign", "create", "t 25", "--title", " ", "--year", "2024", "--province", "D1",
        "--framework", "nope", "--levels", "department", "--questionnaire", "citizens=none",
        "--fieldwork-start", "2024-09-01", "--fieldwork-end", "2024-08-01"])
    assert result.exit_code != 0
    for message in ("Mã gồm 2-63 chữ in hoa", "Hãy đặt tên cho đợt đánh giá", "Không có tỉnh D1",
                    "Chưa nạp bộ chỉ số nope", "Không có phiếu khảo sát đã công bố none",
                    "Khảo sát thực địa kết thúc trước khi bắt đầu"):
        assert message in result.output, result.output
    assert campaigns(staff) == before
    taken = staff.test_cli_runner().invoke(args=["campaign", "create", "T-2024"] + CREATE[3:])
    assert "Đã có đợt đánh giá mã T-2024" in taken.output and campaigns(staff) == before
    outside = staff.test_cli_runner().invoke(args=CREATE + ["--units", "D1,ZZ"])
    assert "Không có đơn vị ZZ còn hiệu lực năm 2024" in outside.output and campaigns(staff) == before
    plan = staff.test_cli_runner().invoke(args=CREATE + ["--sampling-plan", "[1, 2"])
    assert "Kế hoạch chọn mẫu không phải JSON hợp lệ" in plan.output and campaigns(staff) == before


def page_form(**overrides) -> dict:
    data = {"code": "T-2025", "title": "Chỉ số CCHC 2025", "year": "2024", "province": "P",
            "framework": "par_units:2024.1", "levels": ["department"], "units": "D2", "citizens": "", "staff": "",
            "self_assessment_deadline": "15/10/2024", "round_1": "2024-11-01", "round_2": "",
            "fieldwork_start": "", "fieldwork_end": "", "sampling_plan": '{"psu": "village"}'}
    data.update(overrides)
    return data


def test_the_page_creates_a_campaign_and_refuses_bad_input_with_the_form_kept(staff, visitor):
    analyst = visitor("analyst")
    page = analyst.get("/lifecycle/new").get_data(as_text=True)
    assert "Tạo đợt đánh giá" in page and "par_units:2024.1" in page
    before = campaigns(staff)
    bad = analyst.post("/lifecycle/new", page_form(code="x", year="1990", self_assessment_deadline="31/02/2024",
                                                   sampling_plan="{"))
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Năm phải trong khoảng 2000 đến 2100." in text
    assert "Nhập ngày theo dạng dd/mm/yyyy" in text and 'value="Chỉ số CCHC 2025"' in text
    assert campaigns(staff) == before
    refused = analyst.post("/lifecycle/new", page_form(code="x", sampling_plan="{"))
    assert refused.status_code == 422 and "Kế hoạch chọn mẫu không phải JSON hợp lệ" in refused.get_data(as_text=True)
    assert analyst.client.post("/lifecycle/new", data=page_form()).status_code == 400  # no CSRF token
    assert campaigns(staff) == before
    made = analyst.post("/lifecycle/new", page_form())
    assert made.status_code == 302 and made.headers["Location"].endswith("/lifecycle/T-2025")
    with staff.app_context():
        found = db.session.scalar(select(Campaign).where(Campaign.code == "T-2025"))
        assert [cu.unit.code for cu in found.units] == ["D2"] and found.sampling_plan == {"psu": "village"}
        assert found.self_assessment_deadline == date(2024, 10, 15)
