"""The Department's plan from the demo's published 2024 results: the header's defaults, targets with
their baselines and refusals, tasks drafted from the planner, editing, issuing, closing, the audit."""
import re
from decimal import Decimal

import pytest

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.index import planner
from survey_app.models import AuditEntry, ImprovementPlan, PlanStatus, PlanTarget, PlanTask
from survey_app.plans.base import base_index, plan_by_code
from survey_app.results.official import campaign_index
from tests.plans.conftest import make_plan

PROBLEM = re.compile(r'id="problem">(.*?)<', re.S)


def _problem(response) -> str:
    found = PROBLEM.search(response.get_data(as_text=True))
    return found.group(1).strip() if found else ""


def test_new_plan_page_prefills_the_document_and_creates_a_draft(demo_plans, demo_client, demo_auth):
    demo_auth.login("analyst")
    page = demo_client.get("/plans/new?campaign=HNM-2024").get_data(as_text=True)
    assert "1. Mục đích" in page and "Sở Nội vụ theo dõi, đôn đốc" in page
    assert "Ủy ban nhân dân tỉnh Hà Nam" in page and 'value="KH-35-2025"' in page
    form = {"campaign": "HNM-2024", "code": "KH-35-2025", "year": "2025", "title": "Kế hoạch cải thiện 2025",
            "issuing_body": "Ủy ban nhân dân tỉnh Hà Nam", "number": "", "issued_on": "", "signer": "",
            "purpose": "Mục đích", "organisation": "Tổ chức", "kind": ["quarter", "year"], "due_day": "15",
            "csrf_token": demo_auth.csrf("/plans/new")}
    assert demo_client.post("/plans/new", data={**form, "csrf_token": ""}).status_code == 400
    response = demo_client.post("/plans/new", data=form)
    assert response.status_code == 302 and response.location.endswith("/plans/KH-35-2025")
    again = demo_client.post("/plans/new", data={**form, "csrf_token": demo_auth.csrf("/plans/new")})
    assert again.status_code == 422 and _problem(again) == "Mã KH-35-2025 đã được dùng cho một kế hoạch khác."
    bad_date = demo_client.post("/plans/new", data={**form, "code": "KH-X", "issued_on": "15/04/2025",
                                                    "csrf_token": demo_auth.csrf("/plans/new")})
    assert bad_date.status_code == 422 and "phải là một ngày" in _problem(bad_date)
    with demo_plans.app_context():
        plan = plan_by_code("KH-35-2025")
        assert plan.status is PlanStatus.DRAFT and plan.year == 2025 and plan.province.code == "35"
        assert plan.base_publication.campaign.code == "HNM-2024" and plan_by_code("KH-X") is None


def test_a_plan_needs_published_results(demo_plans):
    from survey_app.plans.base import PlanRefused
    from survey_app.plans.plans import create_plan
    with demo_plans.app_context(), pytest.raises(PlanRefused) as refused:
        create_plan("NBH-2025", "KH-NBH")
    assert refused.value.message == "Kết quả của NBH-2025 chưa công bố: kế hoạch phải dựa trên kết quả đã công bố."


def test_targets_take_their_baseline_from_the_publication_and_bad_ones_are_refused(demo_plans, demo_client,
                                                                                   demo_auth):
    with demo_plans.app_context():
        make_plan()
        index = campaign_index(db.session.scalar(select(ImprovementPlan)).base_publication.campaign)
        commune, department = index.by_code["13285"], index.by_code["35.S02"]
    demo_auth.login("analyst")
    path = "/plans/KH-TEST-2025/targets"

    def add(**fields):
        return demo_client.post(path, data={"unit": "", "kind": "", "value": "", "subject": "", "national_index": "",
                                            "note": "", **fields, "csrf_token": demo_auth.csrf("/plans/KH-TEST-2025")})
    assert add(unit="13285", kind="index_percent", value="80,5").status_code == 302
    assert add(unit="35.S02", kind="rank", value="3").status_code == 302
    assert add(unit="35.S02", kind="field_percent", value="85", subject="3").status_code == 302
    assert add(unit="35.S02", kind="survey_indicator", value="90").status_code == 302
    assert add(unit="35", kind="national_score", value="85", national_index="par_index").status_code == 302
    refusals = {
        ("13285", "index_percent", "120", "", ""): "Nhập tỷ lệ phần trăm từ 0 đến 100.",
        ("13285", "grade", "Z", "", ""): "Chọn một trong các mức xếp loại của bộ chỉ số.",
        ("35.S02", "rank", "16", "", ""): "Nhập thứ hạng từ 1 đến số đơn vị cùng cấp.",
        ("35.S02", "field_percent", "85", "99", ""): "Hãy chọn một lĩnh vực: 1, 2, 3, 4, 5, 6, 7, 8.",
        ("35", "index_percent", "80", "", ""): ("Tỉnh Hà Nam không có kết quả riêng trong HNM-2024: với cấp tỉnh, "
                                                "hãy đặt mục tiêu theo chỉ số quốc gia."),
        ("35.S02", "national_rank", "10", "", "papi"): "Mục tiêu về chỉ số quốc gia là mục tiêu của tỉnh.",
        ("99999", "rank", "1", "", ""): "Không có đơn vị 99999 còn hiệu lực năm 2024.",
        ("35.S02", "nonsense", "1", "", ""): "Chọn loại mục tiêu.",
    }
    for (unit, kind, value, subject, national), message in refusals.items():
        response = add(unit=unit, kind=kind, value=value, subject=subject, national_index=national)
        assert response.status_code == 422 and _problem(response) == message, (unit, kind, _problem(response))
    with demo_plans.app_context():
        targets = {(t.unit.code, t.kind.value): t for t in db.session.scalars(select(PlanTarget))}
        assert len(targets) == 5
        assert targets[("13285", "index_percent")].value == "80.5"
        assert targets[("13285", "index_percent")].baseline == f"{commune.percent:.2f}%".replace(".", ",")
        assert targets[("35.S02", "rank")].baseline == f"{department.rank}/15"
        assert targets[("35", "national_score")].baseline is None  # no national results entered
    page = demo_client.get("/plans/KH-TEST-2025").get_data(as_text=True)
    assert "80,50%" in page and "Thứ hạng trong các đơn vị cùng cấp (tối đa)" in page


def test_tasks_are_drafted_from_the_planners_largest_losses_of_the_lowest_ranked(demo_plans, demo_client,
                                                                                 demo_auth):
    with demo_plans.app_context():
        make_plan()
    demo_auth.login("analyst")
    path = "/plans/KH-TEST-2025/draft"
    form = {"mode": "lowest", "per_level": "1", "units": "", "per_unit": "4", "lead_unit": "",
            "deadline": "2025-09-30", "csrf_token": demo_auth.csrf(path)}
    assert demo_client.post(path, data=form).status_code == 302
    with demo_plans.app_context():
        plan = plan_by_code("KH-TEST-2025")
        index = base_index(plan)
        lowest = {level: max(index.level(level), key=lambda u: u.rank) for level in index.levels}
        assert {t.lead_unit.code for t in plan.tasks} == {u.code for u in lowest.values()}
        for unit in lowest.values():
            expected = {(x.code, round(x.lost, 3)) for x in planner.losses(unit)[0][:4]}
            drafted = {(c.node.code, float(c.points_at_stake)) for t in plan.tasks if t.lead_unit.code == unit.code
                       for c in t.criteria}
            assert drafted == expected
        for task in plan.tasks:
            assert task.expected_points == sum(c.points_at_stake for c in task.criteria)
            assert task.source == "planner" and task.title.startswith("Khắc phục điểm bị mất ở lĩnh vực")
        count = len(plan.tasks)
    again = demo_client.post(path, data={**form, "csrf_token": demo_auth.csrf(path)})
    assert again.status_code == 302
    refused = demo_client.post(path, data={**form, "mode": "chosen", "units": "13285 77777",
                                           "csrf_token": demo_auth.csrf(path)})
    assert refused.status_code == 422 and _problem(refused) == "Không phải đơn vị trong kết quả năm gốc: 77777."
    late = demo_client.post(path, data={**form, "deadline": "2026-03-31", "csrf_token": demo_auth.csrf(path)})
    assert late.status_code == 422 and _problem(late) == "Thời hạn phải nằm trong năm kế hoạch 2025."
    with demo_plans.app_context():
        assert len(plan_by_code("KH-TEST-2025").tasks) == count  # nothing drafted twice, nothing on refusal


def test_the_department_edits_a_task_issues_and_closes_the_plan(demo_plans, demo_client, demo_auth):
    with demo_plans.app_context():
        make_plan()
    demo_auth.login("analyst")
    draft = "/plans/KH-TEST-2025/draft"
    demo_client.post(draft, data={"mode": "chosen", "units": "35.S09", "per_level": "1", "per_unit": "2",
                                  "lead_unit": "", "deadline": "2025-09-30", "csrf_token": demo_auth.csrf(draft)})
    task_path = "/plans/KH-TEST-2025/tasks/1"
    page = demo_client.get(task_path).get_data(as_text=True)
    assert 'value="35.S09" selected' in page or 'selected value="35.S09"' in page
    form = {"title": "Rà soát, công khai thủ tục hành chính", "description": "", "criteria": "8.1.4 3.3.2",
            "lead_unit": "35.S01", "partners": "35.S09 35.S02", "deadline": "2025-06-30", "expected_points": "3,5",
            "national_index": "papi", "national_component": "Thủ tục hành chính công"}
    assert demo_client.post(task_path, data={**form, "csrf_token": demo_auth.csrf(task_path)}).status_code == 302
    bad = demo_client.post(task_path, data={**form, "deadline": "2026-01-15", "csrf_token": demo_auth.csrf(task_path)})
    assert bad.status_code == 422 and _problem(bad) == "Thời hạn phải nằm trong năm kế hoạch 2025."
    issue = demo_client.post("/plans/KH-TEST-2025/issue", data={"csrf_token": demo_auth.csrf("/plans/KH-TEST-2025")})
    assert issue.status_code == 422 and "hãy nhập số ký hiệu, ngày ban hành, người ký" in _problem(issue)
    edit = "/plans/KH-TEST-2025/edit"
    header = {"title": "Kế hoạch cải thiện Chỉ số CCHC năm 2025", "issuing_body": "Ủy ban nhân dân tỉnh Hà Nam",
              "number": "125/KH-UBND", "issued_on": "2025-04-15", "signer": "Phó Chủ tịch UBND tỉnh",
              "purpose": "I", "organisation": "III"}
    assert demo_client.post(edit, data={**header, "csrf_token": demo_auth.csrf(edit)}).status_code == 302
    assert demo_client.post("/plans/KH-TEST-2025/issue",
                            data={"csrf_token": demo_auth.csrf("/plans/KH-TEST-2025")}).status_code == 302
    with demo_plans.app_context():
        plan = plan_by_code("KH-TEST-2025")
        task = next(t for t in plan.tasks if t.number == 1)
        assert plan.status is PlanStatus.ISSUED and task.lead_unit.code == "35.S01"
        assert sorted(p.unit.code for p in task.partners) == ["35.S02", "35.S09"]
        assert {c.node.code: c.unit.code for c in task.criteria} == {"8.1.4": "35.S09", "3.3.2": "35.S01"}  # a new one is the lead's
        assert task.expected_points == Decimal("3.5") and task.national_index.value == "papi"
        count = len(plan.tasks)
    assert demo_client.post("/plans/KH-TEST-2025/close",
                            data={"csrf_token": demo_auth.csrf("/plans/KH-TEST-2025")}).status_code == 302
    closed = "Kế hoạch KH-TEST-2025 đã kết thúc: không thể thay đổi nội dung nào nữa."
    token = demo_auth.csrf("/plans/KH-TEST-2025")
    for path, data in ((task_path, form), (edit, header), ("/plans/KH-TEST-2025/targets",
                                                           {"unit": "35.S02", "kind": "rank", "value": "1"}),
                       ("/plans/KH-TEST-2025/tasks/1/delete", {}), (draft, {"mode": "all"})):
        response = demo_client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 409 and _problem(response) == closed, path
    with demo_plans.app_context():
        plan = plan_by_code("KH-TEST-2025")
        assert plan.tasks[0].title == form["title"] and not plan.targets and len(plan.tasks) == count


def test_every_change_is_audited_and_shown_to_the_administrator(demo_plans, demo_client, demo_auth):
    from survey_app.plans.tasks import draft_tasks
    with demo_plans.app_context():
        plan = make_plan()
        draft_tasks(plan, "chosen", ["13591"], per_unit=1)
        plan_id = plan.id
        entries = {(e.entity, e.action) for e in db.session.scalars(select(AuditEntry).where(
            AuditEntry.entity.in_(["improvement_plan", "plan_task", "plan_task_criterion"])))}
        assert {("improvement_plan", "insert"), ("plan_task", "insert"), ("plan_task_criterion", "insert")} <= entries
    demo_auth.login("analyst")
    edit = "/plans/KH-TEST-2025/edit"
    demo_client.post(edit, data={"title": "Tên mới", "issuing_body": "UBND", "number": "9/KH-UBND",
                                 "issued_on": "", "signer": "", "purpose": "", "organisation": "",
                                 "csrf_token": demo_auth.csrf(edit)})
    with demo_plans.app_context():
        update = db.session.scalar(select(AuditEntry).where(
            AuditEntry.entity == "improvement_plan", AuditEntry.entity_id == plan_id, AuditEntry.action == "update")
            .order_by(AuditEntry.id.desc()).limit(1))
        assert update.actor == "analyst" and update.after["title"] == "Tên mới"
        assert db.session.scalar(select(PlanTask.id)) is not None
    demo_auth.logout()
    demo_auth.login("admin")
    assert "improvement_plan" in demo_client.get("/admin/").get_data(as_text=True)


def test_without_the_next_years_analysis_a_target_missed_for_want_of_survey_results_is_pending(demo_plans):
    """NBH-2025 as loaded has no analysis run: its survey sub-criteria have no result yet, so a
    department's index target it does not reach without them is pending, not failed; one it
    already reaches is met (survey points only add)."""
    from survey_app.plans.followup import follow_up
    from survey_app.plans.targets import add_target
    with demo_plans.app_context():
        plan = make_plan()
        add_target(plan, "35.S02", "index_percent", "99")
        add_target(plan, "35.S02", "index_percent", "10")
        found = follow_up(plan)
        assert found.provisional and [c.status for c in found.targets] == ["pending", "met"]


def test_for_the_province_plan_the_department_responsible_leads_the_drafted_tasks(demo_plans):
    """Drafted with a lead unit, each task is led by it while its sub-criteria stay the losing unit's."""
    from survey_app.plans.tasks import draft_tasks
    with demo_plans.app_context():
        plan = make_plan()
        made = draft_tasks(plan, "chosen", ["13591", "353"], per_unit=2, lead_code="35.S01")
        assert made and {t.lead_unit.code for t in made} == {"35.S01"}
        assert {c.unit.code for t in made for c in t.criteria} == {"13591", "353"}
        assert all("Xã Hòa Hậu" in t.title or "Huyện Lý Nhân" in t.title for t in made)
