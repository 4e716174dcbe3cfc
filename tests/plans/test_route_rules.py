"""Issue 17's two rules checked on every route of the plans (pages and JSON), on a real issued plan:
a unit editor sees and reports only their own unit's tasks, and nothing changes once a period (or
the whole plan) is closed. The route tables below must name every route of the blueprint
(:func:`test_every_plans_route_is_checked_here`), so a new route cannot slip past the rules.

Sở Tư pháp's editor leads tasks 1 and 2 of the plan (conftest's :func:`make_issued_plan`) and
cooperates on none of the others: task 3 is another department's, task 4 a commune's."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models.plans import ImprovementPlan, ProgressEvidence, ProgressReport, TaskProgress
from survey_app.plans import periods
from survey_app.plans.plans import close_plan
from tests.plans.conftest import PDF
from tests.test_access import ROLE_TABLE

OWN, OTHERS = "Ban hành kế hoạch CCHC đúng hạn", ("Kiểm tra công tác CCHC", "Niêm yết thủ tục hành chính")
HEADER = {"title": "Đổi tên", "issuing_body": "UBND", "number": "1/KH", "issued_on": "2025-02-10", "signer": "A",
          "purpose": "I", "organisation": "III"}
TASK = {"title": "Nhiệm vụ mới", "lead_unit": "35.S02", "deadline": "2025-09-30", "criteria": "", "partners": ""}
PERIOD = {"label": "Quý I", "starts_on": "2025-01-01", "ends_on": "2025-03-31", "due_on": "2025-04-30"}
REPORT = {"status": "done", "account": "Đã xong."}

#: Every route that changes a plan: (endpoint, path, who posts, form). ``{period}`` is the first
#: quarter, ``{target}`` the first target, ``{other_period}`` the year.
CHANGES = [
    ("plans.edit", "/plans/{code}/edit", "analyst", HEADER),
    ("plans.issue", "/plans/{code}/issue", "analyst", {}),
    ("plans.close", "/plans/{code}/close", "analyst", {}),
    ("plans.add_target_page", "/plans/{code}/targets", "analyst", {"unit": "35.S02", "kind": "rank", "value": "1"}),
    ("plans.delete_target_page", "/plans/{code}/targets/{target}/delete", "analyst", {}),
    ("plans.draft", "/plans/{code}/draft", "analyst", {"mode": "all", "per_unit": "1", "deadline": "2025-09-30"}),
    ("plans.new_task", "/plans/{code}/tasks/new", "analyst", TASK),
    ("plans.task", "/plans/{code}/tasks/1", "analyst", TASK),
    ("plans.delete_task_page", "/plans/{code}/tasks/4/delete", "analyst", {}),
    ("plans.accept", "/plans/{code}/tasks/1/accept", "unit_editor", {}),
    ("plans.periods_create", "/plans/{code}/periods", "analyst", {"kind": "half_year", "due_day": "10"}),
    ("plans.period_edit", "/plans/{code}/periods/{period}", "analyst", PERIOD),
    ("plans.period_close", "/plans/{code}/periods/{period}/close", "analyst", {}),
    ("plans.progress_submit", "/plans/{code}/progress/{period}/tasks/1", "unit_editor", REPORT),
]
#: Routes that change no plan: a new plan, the national indices, documents made as jobs.
NOT_A_PLANS_CHANGE = {"plans.create", "plans.national", "plans.national_import", "plans.plan_pdf",
                      "plans.progress_pdf"}
#: What the unit editor may open: on another unit's task (the progress pages answer 404, as if it
#: did not exist; accepting answers 403, as the units' pages do), and on their own (200).
UNIT_ROUTES = {
    "plans.progress_task": ("/plans/{code}/progress/{period}/tasks/3", 404, "/plans/{code}/progress/{period}/tasks/1"),
    "plans.progress_submit": ("/plans/{code}/progress/{period}/tasks/3", 404, None),
    "plans.progress_evidence": ("/plans/{code}/evidence/{other_evidence}", 404, "/plans/{code}/evidence/{evidence}"),
    "plans.accept": ("/plans/{code}/tasks/3/accept", 403, None),
}
#: The unit editor's lists: their own task shown, the others' not.
UNIT_LISTS = {"plans.progress_home": "/plans/progress", "plans.progress_page": "/plans/{code}/progress",
              "plans.unit_tasks": "/plans/my-tasks", "api.my_plan_tasks": "/api/plans/my-tasks",
              "api.plan_progress": "/api/plans/{code}/progress"}
#: The Department's routes (refused to the unit editor), with a real plan, period, target and task.
DEPARTMENT_PATHS = {
    "plans.index": "/plans/", "plans.create": "/plans/new", "plans.plan": "/plans/{code}",
    "plans.dashboard_page": "/plans/{code}/dashboard", "plans.dashboard_tasks": "/plans/{code}/dashboard/tasks",
    "plans.periods_page": "/plans/{code}/periods", "plans.plan_docx": "/plans/{code}/document.docx",
    "plans.plan_pdf": "/plans/{code}/document.pdf", "plans.progress_docx": "/plans/{code}/periods/{period}/report.docx",
    "plans.progress_pdf": "/plans/{code}/periods/{period}/report.pdf", "plans.national": "/plans/national",
    "plans.national_import": "/plans/national/import", "api.plan": "/api/plans/{code}",
    "api.plan_targets": "/api/plans/{code}/targets", "api.plan_tasks": "/api/plans/{code}/tasks",
    "api.plan_followup": "/api/plans/{code}/followup", "api.plan_dashboard": "/api/plans/{code}/dashboard",
    **{endpoint: path for endpoint, path, who, _form in CHANGES if who == "analyst"},
}
POSTED = {"plans.plan_pdf", "plans.progress_pdf", "plans.national_import", "plans.issue", "plans.close",
          "plans.add_target_page", "plans.delete_target_page", "plans.delete_task_page", "plans.periods_create",
          "plans.period_edit", "plans.period_close"}


def _plans_endpoints(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("plans.") or rule.rule.startswith("/api/plans")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_plans_route_is_checked_here(demo_app):
    found = _plans_endpoints(demo_app)
    posts = {e for e, m in found if m == "POST"}
    assert posts - NOT_A_PLANS_CHANGE == {e for e, *_ in CHANGES}, "add the route to CHANGES"
    editor = {e for e, _m in found if "unit_editor" in ROLE_TABLE[e][2]}
    assert editor == set(UNIT_ROUTES) | set(UNIT_LISTS), "add the unit editor's route to UNIT_ROUTES or UNIT_LISTS"
    assert {e for e, _m in found} - editor == set(DEPARTMENT_PATHS), "add the route to DEPARTMENT_PATHS"


def _ids(app, code) -> dict:
    """The plan's ids the paths need, with one evidence file on task 1 (ours) and one on task 3."""
    with app.app_context():
        plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == code))
        quarter, year = plan.periods[0], plan.periods[-1]
        ids = {"code": code, "period": quarter.id, "other_period": year.id, "target": plan.targets[0].id}
        for task, key in ((plan.tasks[0], "evidence"), (plan.tasks[2], "other_evidence")):
            digest = _stored(PDF)  # before the report joins the session through its task
            report = ProgressReport(task=task, period=year, status=TaskProgress.IN_PROGRESS)
            report.evidence.append(ProgressEvidence(filename=f"{key}.pdf", content_type="application/pdf",
                                                    size=len(PDF), sha256=digest))
            db.session.add(report)
            db.session.commit()
            ids[key] = report.evidence[0].id
        return ids


def _stored(content: bytes) -> str:
    from survey_app import filestore
    return filestore.put(content)


def snapshot(app, code) -> tuple:
    """Everything a change could touch: header, status, targets, tasks, acceptance, periods, reports."""
    with app.app_context():
        db.session.expire_all()
        plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == code))
        return ((plan.title, plan.number, plan.status), [(t.id, t.kind, t.value) for t in plan.targets],
                [(t.id, t.title, t.lead_unit_id, t.accepted_at, [c.node_id for c in t.criteria]) for t in plan.tasks],
                [(p.id, p.label, p.starts_on, p.ends_on, p.due_on, p.closed_at) for p in plan.periods],
                sorted((r.id, r.status, r.account, len(r.evidence)) for t in plan.tasks for r in t.reports))


def _send(client, auth, method, path, form=None):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={**(form or {}), "csrf_token": auth.csrf("/account/password")})


@pytest.mark.parametrize("endpoint", sorted(DEPARTMENT_PATHS))
def test_the_unit_editor_opens_none_of_the_departments_routes(endpoint, demo_app, plan_code, demo_client, demo_auth):
    ids = _ids(demo_app, plan_code)
    before = snapshot(demo_app, plan_code)
    demo_auth.login("unit_editor")
    path = DEPARTMENT_PATHS[endpoint].format(**ids)
    form = next((f for e, _p, _w, f in CHANGES if e == endpoint), {})
    for method in ("GET", "POST") if endpoint not in POSTED else ("POST",):
        if (endpoint, method) in _plans_endpoints(demo_app):
            assert _send(demo_client, demo_auth, method, path, form).status_code == 403, (method, path)
    assert snapshot(demo_app, plan_code) == before


@pytest.mark.parametrize("endpoint", sorted(UNIT_ROUTES))
def test_the_unit_editor_reaches_their_own_task_only(endpoint, demo_app, plan_code, demo_client, demo_auth):
    ids = _ids(demo_app, plan_code)
    before = snapshot(demo_app, plan_code)
    demo_auth.login("unit_editor")
    other, status, own = UNIT_ROUTES[endpoint]
    method = "POST" if endpoint in ("plans.progress_submit", "plans.accept") else "GET"
    assert _send(demo_client, demo_auth, method, other.format(**ids), REPORT).status_code == status
    assert snapshot(demo_app, plan_code) == before
    if own:
        assert demo_client.get(own.format(**ids)).status_code == 200


@pytest.mark.parametrize("endpoint", sorted(UNIT_LISTS))
def test_the_unit_editors_lists_show_their_own_tasks_only(endpoint, demo_app, plan_code, demo_client, demo_auth):
    ids = _ids(demo_app, plan_code)
    demo_auth.login("unit_editor")
    response = demo_client.get(UNIT_LISTS[endpoint].format(**ids))
    text = json.dumps(response.get_json(), ensure_ascii=False) if response.is_json else response.get_data(as_text=True)
    if endpoint == "plans.progress_home":  # the plans, not their tasks: counted
        assert plan_code in text and "2 nhiệm vụ của đơn vị bạn" in text
        return
    assert response.status_code == 200 and OWN in text
    assert not [title for title in OTHERS if title in text]


@pytest.mark.parametrize("endpoint,path,who,form", [c for c in CHANGES if "{period}" in c[1]],
                         ids=[c[0] for c in CHANGES if "{period}" in c[1]])
def test_nothing_changes_in_a_closed_period(endpoint, path, who, form, demo_app, plan_code, demo_client, demo_auth):
    ids = _ids(demo_app, plan_code)
    with demo_app.app_context():
        periods.close_period(periods.period_of(db.session.scalar(
            select(ImprovementPlan).where(ImprovementPlan.code == plan_code)), ids["period"]))
    before = snapshot(demo_app, plan_code)
    demo_auth.login(who)
    response = _send(demo_client, demo_auth, "POST", path.format(**ids), form)
    assert response.status_code == 409 and "đã khóa" in response.get_data(as_text=True)
    assert snapshot(demo_app, plan_code) == before


@pytest.mark.parametrize("endpoint,path,who,form", CHANGES, ids=[c[0] for c in CHANGES])
def test_nothing_changes_in_a_closed_plan(endpoint, path, who, form, demo_app, plan_code, demo_client, demo_auth):
    ids = _ids(demo_app, plan_code)
    with demo_app.app_context():
        close_plan(db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == plan_code)))
    before = snapshot(demo_app, plan_code)
    demo_auth.login(who)
    response = _send(demo_client, demo_auth, "POST", path.format(**ids), form)
    assert response.status_code == 409, response.get_data(as_text=True)[:400]
    assert snapshot(demo_app, plan_code) == before
