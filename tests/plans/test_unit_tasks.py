"""A unit editor (Sở Tư pháp, 35.S02 in the demo) sees only the tasks of issued plans its unit leads
or cooperates on, accepts only the ones it leads, and opens none of the Department's routes."""
import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import PlanTask, User
from survey_app.plans.plans import accept_task, issue_plan, update_plan
from survey_app.plans.tasks import save_task
from tests.plans.conftest import make_plan

OWN, PARTNER, OTHER = 1, 2, 3


def _tasks(plan):
    rows = [("Hoàn thiện thể chế", "35.S02", ""), ("Số hóa hồ sơ", "35.S01", "35.S02"),
            ("Cải cách thủ tục đất đai", "35.S09", "35.S01")]
    for title, lead, partners in rows:
        save_task(plan, None, {"title": title, "lead_unit": lead, "partners": partners, "deadline": "2025-09-30",
                               "criteria": "", "expected_points": "1"})


@pytest.fixture
def issued(demo_plans):
    with demo_plans.app_context():
        plan = make_plan("KH-ISSUED")
        _tasks(plan)
        update_plan(plan, number="1/KH-UBND", issued_on="2025-04-01", signer="Chủ tịch")
        issue_plan(plan)
        draft = make_plan("KH-DRAFT")
        _tasks(draft)
    return demo_plans


def test_the_unit_editor_sees_its_own_and_cooperating_tasks_only(issued, demo_client, demo_auth):
    demo_auth.login("unit_editor")
    page = demo_client.get("/plans/my-tasks").get_data(as_text=True)
    assert 'data-plan="KH-ISSUED" data-task="1"' in page and 'data-plan="KH-ISSUED" data-task="2"' in page
    assert 'data-task="3"' not in page and "KH-DRAFT" not in page and "Cải cách thủ tục đất đai" not in page
    assert "Đơn vị bạn phối hợp thực hiện nhiệm vụ này." in page
    api = demo_client.get("/api/plans/my-tasks").get_json()
    assert [(t["plan"], t["number"], t["leads"]) for t in api] == [("KH-ISSUED", OWN, True), ("KH-ISSUED", PARTNER, False)]


def test_the_unit_editor_accepts_its_own_task_and_no_other(issued, demo_client, demo_auth):
    demo_auth.login("unit_editor")
    token = demo_auth.csrf("/plans/my-tasks")
    assert demo_client.post("/plans/KH-ISSUED/tasks/1/accept", data={"csrf_token": token}).status_code == 302
    assert demo_client.post("/plans/KH-ISSUED/tasks/2/accept", data={"csrf_token": token}).status_code == 403
    assert demo_client.post("/plans/KH-ISSUED/tasks/3/accept", data={"csrf_token": token}).status_code == 403
    assert demo_client.post("/plans/KH-DRAFT/tasks/1/accept", data={"csrf_token": token}).status_code == 404
    assert demo_client.post("/plans/KH-ISSUED/tasks/1/accept", data={}).status_code == 400  # no CSRF token
    with issued.app_context():
        accepted = {t.number: t.accepted_by.username if t.accepted_by else None
                    for t in db.session.scalars(select(PlanTask)) if t.plan.code == "KH-ISSUED"}
        assert accepted == {1: "unit_editor", 2: None, 3: None}
    assert "Đã tiếp nhận ngày" in demo_client.get("/plans/my-tasks").get_data(as_text=True)


def test_a_new_lead_accepts_again(issued):
    with issued.app_context():
        task = next(t for t in db.session.scalars(select(PlanTask)) if t.plan.code == "KH-ISSUED" and t.number == 1)
        accept_task(task, db.session.scalar(select(User).where(User.username == "unit_editor")))
        assert task.accepted_at is not None
        save_task(task.plan, task, {"title": task.title, "lead_unit": "35.S01", "deadline": "2025-09-30"})
        assert task.accepted_at is None and task.accepted_by is None


DEPARTMENT_ROUTES = [("GET", "/plans/"), ("GET", "/plans/new"), ("POST", "/plans/new"), ("GET", "/plans/KH-ISSUED"),
                     ("GET", "/plans/KH-ISSUED/edit"), ("POST", "/plans/KH-ISSUED/edit"),
                     ("POST", "/plans/KH-ISSUED/issue"), ("POST", "/plans/KH-ISSUED/close"),
                     ("POST", "/plans/KH-ISSUED/targets"), ("POST", "/plans/KH-ISSUED/targets/1/delete"),
                     ("GET", "/plans/KH-ISSUED/draft"), ("POST", "/plans/KH-ISSUED/draft"),
                     ("GET", "/plans/KH-ISSUED/tasks/new"), ("POST", "/plans/KH-ISSUED/tasks/new"),
                     ("GET", "/plans/KH-ISSUED/tasks/1"), ("POST", "/plans/KH-ISSUED/tasks/1"),
                     ("POST", "/plans/KH-ISSUED/tasks/3/delete"), ("GET", "/plans/national"),
                     ("POST", "/plans/national"), ("POST", "/plans/national/import"),
                     ("GET", "/api/plans/KH-ISSUED"), ("GET", "/api/plans/KH-ISSUED/targets"),
                     ("GET", "/api/plans/KH-ISSUED/tasks"), ("GET", "/api/plans/KH-ISSUED/followup")]


@pytest.mark.parametrize("method,path", DEPARTMENT_ROUTES)
def test_the_unit_editor_opens_none_of_the_departments_routes(issued, demo_client, demo_auth, method, path):
    demo_auth.login("unit_editor")
    if method == "GET":
        response = demo_client.get(path)
    else:
        response = demo_client.post(path, data={"csrf_token": demo_auth.csrf("/plans/my-tasks"), "title": "x",
                                                "lead_unit": "35.S02", "mode": "all"})
    assert response.status_code == 403
    with issued.app_context():
        titles = sorted(t.title for t in db.session.scalars(select(PlanTask)) if t.plan.code == "KH-ISSUED")
        assert titles == ["Cải cách thủ tục đất đai", "Hoàn thiện thể chế", "Số hóa hồ sơ"]


@pytest.mark.parametrize("role", ["analyst", "admin", "supervisor", "enumerator", "appraiser"])
def test_only_unit_editors_have_a_task_list(issued, demo_client, demo_auth, role):
    demo_auth.login(role)
    assert demo_client.get("/plans/my-tasks").status_code == 403
    assert demo_client.post("/plans/KH-ISSUED/tasks/1/accept",
                            data={"csrf_token": demo_auth.csrf("/account/password")}).status_code == 403
