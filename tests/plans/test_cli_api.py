"""``flask --app wsgi plan …`` through the plan's year, refusals in Vietnamese with exit code 1, and
the plan as JSON."""
from survey_app.extensions import db
from survey_app.plans.base import plan_by_code


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["plan", *args])


def test_the_plans_year_from_the_command_line(demo_plans):
    app = demo_plans
    created = _run(app, "create", "HNM-2024", "--code", "KH-CLI", "--number", "7/KH-UBND", "--date", "2025-04-02",
                   "--signer", "Chủ tịch UBND tỉnh")
    assert created.exit_code == 0 and "Đã tạo bản dự thảo kế hoạch KH-CLI." in created.output
    target = _run(app, "target", "KH-CLI", "13285", "index_percent", "85")
    assert target.exit_code == 0 and "Đã thêm mục tiêu." in target.output
    drafted = _run(app, "draft-tasks", "KH-CLI", "--mode", "chosen", "--unit", "35.S02", "--per-unit", "2")
    assert drafted.exit_code == 0 and "nhiệm vụ dự thảo" in drafted.output
    changed = _run(app, "task", "KH-CLI", "1", "--lead", "35.S01", "--partners", "35.S02", "--expected", "2,5")
    assert changed.exit_code == 0 and "Đã lưu nhiệm vụ 1." in changed.output and "Sở Nội vụ" in changed.output
    added = _run(app, "task", "KH-CLI", "--title", "Tập huấn cán bộ", "--lead", "35.S02", "--deadline", "2025-08-31")
    assert added.exit_code == 0
    shown = _run(app, "show", "KH-CLI")
    assert "35.S01 Sở Nội vụ | 35.S02" in shown.output and "Tập huấn cán bộ" in shown.output
    assert _run(app, "issue", "KH-CLI").exit_code == 0
    followed = _run(app, "followup", "KH-CLI")
    assert followed.exit_code == 0 and "NBH-2025 · Tạm thời" in followed.output and "13285 → 13300" in followed.output
    assert _run(app, "close", "KH-CLI").exit_code == 0
    refused = _run(app, "target", "KH-CLI", "13285", "rank", "1")
    assert refused.exit_code == 1 and "Kế hoạch KH-CLI đã kết thúc" in refused.output
    with app.app_context():
        plan = plan_by_code("KH-CLI")
        assert plan.status.value == "closed" and len(plan.targets) == 1
        assert [t.lead_unit.code for t in plan.tasks][:1] == ["35.S01"] and plan.tasks[-1].title == "Tập huấn cán bộ"


def test_command_refusals_are_vietnamese_and_store_nothing(demo_plans):
    app = demo_plans
    assert "Không có kế hoạch KH-NO." in _run(app, "show", "KH-NO").output
    assert _run(app, "create", "NBH-2025", "--code", "KH-X").exit_code == 1
    reserved = _run(app, "create", "HNM-2024", "--code", "national")
    assert reserved.exit_code == 1 and "Mã kế hoạch gồm 2 đến 64" in reserved.output
    assert _run(app, "create", "HNM-2024", "--code", "KH-Y", "--date", "hôm nay").exit_code == 1
    _run(app, "create", "HNM-2024", "--code", "KH-Z")
    bad = _run(app, "task", "KH-Z", "--title", "X", "--lead", "35.S02", "--deadline", "2025-02-30")
    assert bad.exit_code == 1 and "Thời hạn phải là một ngày" in bad.output
    issue = _run(app, "issue", "KH-Z")
    assert issue.exit_code == 1 and "Trước khi ban hành" in issue.output
    with app.app_context():
        assert plan_by_code("KH-X") is None and plan_by_code("KH-Y") is None
        assert plan_by_code("KH-Z").tasks == [] and plan_by_code("KH-Z").status.value == "draft"
        db.session.rollback()


def test_the_plan_as_json(demo_plans, demo_client, demo_auth):
    _run(demo_plans, "create", "HNM-2024", "--code", "KH-API")
    _run(demo_plans, "target", "KH-API", "35.S02", "rank", "3")
    _run(demo_plans, "draft-tasks", "KH-API", "--mode", "chosen", "--unit", "13591", "--per-unit", "1")
    assert demo_client.get("/api/plans/KH-API").status_code == 401
    demo_auth.login("analyst")
    plan = demo_client.get("/api/plans/KH-API").get_json()
    assert plan["code"] == "KH-API" and plan["base"] == {"campaign": "HNM-2024", "version": 1}
    assert plan["status"] == "draft" and "Mục đích" in plan["purpose"]
    assert demo_client.get("/api/plans/KH-API/targets").get_json() == plan["targets"]
    assert plan["targets"][0]["unit"] == "35.S02" and plan["targets"][0]["baseline"].endswith("/15")
    tasks = demo_client.get("/api/plans/KH-API/tasks").get_json()
    assert tasks == plan["tasks"] and tasks[0]["lead_unit"] == "13591" and len(tasks[0]["criteria"]) == 1
    assert tasks[0]["criteria"][0]["points_at_stake"] == tasks[0]["expected_points"] > 0
    assert demo_client.get("/api/plans/KH-NONE").status_code == 404
