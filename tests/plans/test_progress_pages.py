"""The progress pages per route: a unit editor sees and reports only their own unit's tasks (another
unit's task is 404), the Department edits and closes periods, nothing changes once a period is
closed (409 with the message), bad input is refused in Vietnamese; and the JSON of the API."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models.plans import ImprovementPlan, ProgressEvidence, ProgressReport, TaskProgress
from tests.plans.conftest import PDF

CLOSED = "đã khóa: không thể thay đổi nội dung trong kỳ"


def _ids(app, code):
    with app.app_context():
        plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == code))
        return [p.id for p in plan.periods]


def _report(client, auth, code, period, number, status="in_progress", files=(), account="Đang triển khai."):
    data = {"csrf_token": auth.csrf("/account/password"), "status": status, "account": account,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/plans/{code}/progress/{period}/tasks/{number}", data=data,
                       content_type="multipart/form-data")


def _post(client, auth, path, **data):
    return client.post(path, data={"csrf_token": auth.csrf("/account/password"), **data})


def test_the_unit_editor_sees_only_their_units_tasks(demo_client, demo_auth, demo_app, plan_code):
    first = _ids(demo_app, plan_code)[0]
    demo_auth.login("unit_editor")
    home = demo_client.get("/plans/progress").get_data(as_text=True)
    assert plan_code in home and "2 nhiệm vụ của đơn vị bạn" in home
    page = demo_client.get(f"/plans/{plan_code}/progress").get_data(as_text=True)
    assert "Ban hành kế hoạch CCHC đúng hạn" in page and "Rà soát văn bản" in page
    assert "Kiểm tra công tác CCHC" not in page and "Niêm yết thủ tục" not in page
    assert demo_client.get(f"/plans/{plan_code}/progress/{first}/tasks/1").status_code == 200
    for number in (3, 4):  # another department's, a commune's
        assert demo_client.get(f"/plans/{plan_code}/progress/{first}/tasks/{number}").status_code == 404
        assert _report(demo_client, demo_auth, plan_code, first, number).status_code == 404
    assert demo_client.get(f"/plans/{plan_code}/progress/{first}/tasks/99").status_code == 404
    assert demo_client.get(f"/plans/{plan_code}/progress/999999/tasks/1").status_code == 404
    assert demo_client.get(f"/api/plans/{plan_code}/progress").json["periods"][0]["tasks"][1]["task"] == 2
    assert len(demo_client.get(f"/api/plans/{plan_code}/progress").json["periods"][0]["tasks"]) == 2
    for path in (f"/plans/{plan_code}/dashboard", f"/plans/{plan_code}/periods", f"/plans/{plan_code}/document.docx",
                 f"/api/plans/{plan_code}/dashboard"):
        assert demo_client.get(path).status_code == 403, path
    assert _post(demo_client, demo_auth, f"/plans/{plan_code}/periods/{first}/close").status_code == 403


def test_the_unit_editor_reports_with_evidence_and_the_department_reads_it(demo_client, demo_auth, demo_app,
                                                                           plan_code, today):
    today(date(2025, 4, 2))
    first = _ids(demo_app, plan_code)[0]
    demo_auth.login("unit_editor")
    response = _report(demo_client, demo_auth, plan_code, first, 1, "done", [("bien-ban.pdf", PDF)],
                       "Đã ban hành kế hoạch số 12/KH-STP.")
    assert response.status_code == 302
    page = demo_client.get(response.location).get_data(as_text=True)
    assert "Đã lưu báo cáo tiến độ." in page and "Hoàn thành" in page and "bien-ban.pdf" in page
    with demo_app.app_context():
        evidence_id = db.session.scalar(select(ProgressEvidence.id).where(ProgressEvidence.filename == "bien-ban.pdf"))
    download = demo_client.get(f"/plans/{plan_code}/evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == PDF
    wrong = _report(demo_client, demo_auth, plan_code, first, 2, "done", [("bang-tinh.exe", b"MZ...")])
    assert wrong.status_code == 422 and "Chỉ đính kèm được" in wrong.get_data(as_text=True)
    no_status = _report(demo_client, demo_auth, plan_code, first, 2, "finished")
    assert no_status.status_code == 422 and "Chọn tình trạng thực hiện nhiệm vụ." in no_status.get_data(as_text=True)
    demo_auth.logout()
    demo_auth.login("analyst")
    assert demo_client.get(f"/plans/{plan_code}/evidence/{evidence_id}").data == PDF
    assert _report(demo_client, demo_auth, plan_code, first, 1).status_code == 403  # the Department reads only
    api = demo_client.get(f"/api/plans/{plan_code}/progress").json["periods"][0]["tasks"]
    assert api[0]["status"] == "done" and api[0]["evidence"][0]["filename"] == "bien-ban.pdf" and len(api) == 4


def test_another_units_evidence_is_not_served_to_the_unit_editor(demo_client, demo_auth, demo_app, plan_code):
    with demo_app.app_context():
        plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == plan_code))
        other = ProgressReport(task=plan.tasks[2], period=plan.periods[0], status=TaskProgress.DONE)
        other.evidence.append(ProgressEvidence(filename="khac.pdf", content_type="application/pdf", size=1,
                                               sha256="0" * 64))
        db.session.add(other)
        db.session.commit()
        evidence_id = other.evidence[0].id
    demo_auth.login("unit_editor")
    assert demo_client.get(f"/plans/{plan_code}/evidence/{evidence_id}").status_code == 404


def test_the_department_edits_and_closes_a_period_then_nothing_changes(demo_client, demo_auth, demo_app, plan_code):
    first = _ids(demo_app, plan_code)[0]
    demo_auth.login("analyst")
    assert "Quý I năm 2025" in demo_client.get(f"/plans/{plan_code}/periods").get_data(as_text=True)
    edit = f"/plans/{plan_code}/periods/{first}"
    saved = _post(demo_client, demo_auth, edit, label="Quý I năm 2025", starts_on="2025-01-01",
                  ends_on="2025-03-31", due_on="2025-04-12")
    assert saved.status_code == 302
    bad = _post(demo_client, demo_auth, edit, label="Quý I năm 2025", starts_on="2025-01-01",
                ends_on="31/03/2025", due_on="2025-04-12")
    assert bad.status_code == 422 and "Nhập ngày theo ngày, tháng, năm." in bad.get_data(as_text=True)
    assert _post(demo_client, demo_auth, f"/plans/{plan_code}/periods/{first}/close").status_code == 302
    again = _post(demo_client, demo_auth, edit, label="Quý I", starts_on="2025-01-01", ends_on="2025-03-31",
                  due_on="2025-04-20")
    assert again.status_code == 409 and CLOSED in again.get_data(as_text=True)
    closed_twice = _post(demo_client, demo_auth, f"/plans/{plan_code}/periods/{first}/close")
    assert closed_twice.status_code == 409
    demo_auth.logout()
    demo_auth.login("unit_editor")
    refused = _report(demo_client, demo_auth, plan_code, first, 1, "done", [("bien-ban.pdf", PDF)])
    assert refused.status_code == 409 and CLOSED in refused.get_data(as_text=True)
    assert "Gửi báo cáo" not in demo_client.get(f"/plans/{plan_code}/progress/{first}/tasks/1").get_data(as_text=True)
    with demo_app.app_context():
        assert db.session.scalar(select(ProgressReport).where(ProgressReport.period_id == first)) is None
        assert db.session.scalar(select(ProgressEvidence).where(ProgressEvidence.filename == "bien-ban.pdf")) is None


def test_periods_are_added_with_the_chosen_kinds_and_due_day(demo_client, demo_auth, demo_app, plan_code):
    demo_auth.login("admin")
    added = _post(demo_client, demo_auth, f"/plans/{plan_code}/periods", kind="half_year", due_day="10")
    assert added.status_code == 302
    page = demo_client.get(f"/plans/{plan_code}/periods").get_data(as_text=True)
    assert "6 tháng đầu năm 2025" in page and "2025-07-10" in page
    twice = _post(demo_client, demo_auth, f"/plans/{plan_code}/periods", kind="half_year", due_day="10")
    assert twice.status_code == 409
    unknown = _post(demo_client, demo_auth, f"/plans/{plan_code}/periods", kind="month", due_day="10")
    assert unknown.status_code == 422 and "Chọn quý, 6 tháng hoặc năm." in unknown.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/plans/NO-PLAN/progress", "/plans/NO-PLAN/dashboard", "/api/plans/NO-PLAN/dashboard"])
def test_an_unknown_plan_is_404(demo_client, demo_auth, path):
    demo_auth.login("analyst")
    assert demo_client.get(path).status_code == 404
