"""The Department's dashboard: per lead unit and per field, done / in progress / at risk / late /
missing counted from the period's reports and the province's date; the drill-down lists the tasks
behind a number; the same figures through the CLI and the API."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.plans import ImprovementPlan, TaskProgress
from survey_app.plans import dashboard, progress


def _reported(app, code, today):
    """Task 1 done on time and task 2 at risk after the due date (Q1 due 15/04/2025)."""
    with app.test_request_context():
        plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == code))
        editor = db.session.scalar(select(User).where(User.username == "unit_editor"))
        quarter = plan.periods[0]
        today(date(2025, 4, 10))
        progress.submit(plan.tasks[0], quarter, editor, TaskProgress.DONE, "Xong.")
        today(date(2025, 4, 20))
        progress.submit(plan.tasks[1], quarter, editor, TaskProgress.AT_RISK, "Chậm.")
        return quarter.id


def test_counts_per_unit_and_per_field(demo_app, plan_code, today):
    quarter_id = _reported(demo_app, plan_code, today)
    with demo_app.test_request_context():
        plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == plan_code))
        period = next(p for p in plan.periods if p.id == quarter_id)
        found = dashboard.dashboard(plan, period, today=date(2025, 4, 20))
        units = {t.key: t for t in found["units"]}
        assert units["35.S02"].counts == {"done": 1, "in_progress": 0, "at_risk": 1, "not_started": 0,
                                          "unreported": 0, "late": 1, "missing": 0}
        assert units["35.S09"].counts["missing"] == 1 and units["13295"].counts["missing"] == 1
        fields = {t.key: t for t in found["fields"]}
        assert fields["1"].total == 2 and fields["1"].counts["done"] == 1 and fields["1"].counts["missing"] == 1
        assert fields["2"].total == 2 and fields["2"].counts["late"] == 1
        assert found["all"].counts["missing"] == 2 and found["all"].total == 4
        before = dashboard.dashboard(plan, period, today=date(2025, 4, 15))
        assert before["all"].counts["missing"] == 0 and before["all"].counts["unreported"] == 2
        assert [r.task.number for r in dashboard.drill(plan, period, what="missing", today=date(2025, 4, 20))] == [3, 4]
        assert [r.task.number for r in dashboard.drill(plan, period, field_code="2", what="late")] == [2]


def test_the_dashboard_page_flags_a_missing_report_and_drills_down(demo_client, demo_auth, demo_app, plan_code,
                                                                     today):
    quarter_id = _reported(demo_app, plan_code, today)
    today(date(2025, 4, 20))
    demo_auth.login("analyst")
    page = demo_client.get(f"/plans/{plan_code}/dashboard?period={quarter_id}").get_data(as_text=True)
    assert "Sở Tài nguyên và Môi trường" in page and "Thiếu báo cáo: 1" in page and "Báo cáo muộn: 1" in page
    assert "Theo lĩnh vực" in page and "Hôm nay: 20/04/2025" in page
    drill = demo_client.get(f"/plans/{plan_code}/dashboard/tasks?period={quarter_id}&what=missing")
    text = drill.get_data(as_text=True)
    assert drill.status_code == 200 and "Kiểm tra công tác CCHC" in text and "Niêm yết thủ tục hành chính" in text
    assert "Ban hành kế hoạch CCHC" not in text
    assert demo_client.get(f"/plans/{plan_code}/dashboard/tasks?what=nonsense").status_code == 400
    english = demo_client.get(f"/plans/{plan_code}/dashboard?period={quarter_id}&lang=en").get_data(as_text=True)
    assert "Missing: 1" in english and "By field" in english
    data = demo_client.get(f"/api/plans/{plan_code}/dashboard?period={quarter_id}").json
    assert data["all"]["missing"] == 2 and data["all"]["late"] == 1 and data["today"] == "2025-04-20"
    assert {u["key"]: u["done"] for u in data["units"]}["35.S02"] == 1


def test_the_dashboard_from_the_command_line(demo_app, plan_code, today):
    _reported(demo_app, plan_code, today)
    today(date(2025, 4, 20))
    result = demo_app.test_cli_runner().invoke(args=["plan", "dashboard", plan_code, "--period", "Quý I năm 2025"])
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line.split("\t")[1:] for line in result.output.splitlines()}
    # columns: done, in progress, at risk, not started, not reported, late, missing, all
    assert lines["Sở Tư pháp"] == ["1", "0", "1", "0", "0", "1", "0", "2"]
    assert lines["Tất cả nhiệm vụ"] == ["1", "0", "1", "0", "2", "1", "2", "4"]
