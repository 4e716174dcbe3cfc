"""An improvement plan clicked through in Chromium on a 360 px phone, on the shared demo: from the
published 2024 results the Department drafts the province's plan with a target and tasks from the
planner, assigns a task's lead and cooperating units, issues the plan; Sở Tư pháp's editor sees and
accepts its task. One backend here: tests/plans/ check the same services on both."""
from __future__ import annotations

import re

import pytest

from survey_app.extensions import db
from survey_app.plans.base import plan_by_code
from tests.plans.conftest import demo_plans  # noqa: F401  (removes the plan afterwards)

CODE = "KH-WEB-2025"


def _sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo-2024")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_department_drafts_and_issues_a_plan_and_a_unit_accepts_its_task(backend, demo_plans, live_server,
                                                                            page):
    if backend != "sqlite":
        pytest.skip("one backend in the browser; tests/plans/ run the same services on PostgreSQL")
    base = live_server
    _sign_in(page, base, "analyst")
    page.goto(base + "/plans/")
    page.get_by_role("link", name=re.compile("Kế hoạch từ kết quả Chỉ số CCHC")).click()
    assert "Ủy ban nhân dân tỉnh Hà Nam" == page.get_by_label("Cơ quan ban hành").input_value()
    assert "1. Mục đích" in page.get_by_label("I. Mục đích, yêu cầu").input_value()
    page.get_by_label("Mã kế hoạch", exact=True).fill(CODE)
    page.get_by_label("Số ký hiệu (ví dụ 125/KH-UBND)").fill("125/KH-UBND")
    page.get_by_label("Ngày ban hành (YYYY-MM-DD)").fill("2025-04-15")
    page.get_by_label("Người ký", exact=True).fill("Phó Chủ tịch UBND tỉnh")
    page.get_by_role("button", name="Tạo dự thảo kế hoạch").click()
    assert page.locator("#plan-status").inner_text() == "Bản nháp"
    assert _fits_the_phone(page)

    page.get_by_label("Đơn vị", exact=True).select_option("35.S02")
    page.get_by_label("Loại mục tiêu", exact=True).select_option("rank")
    page.get_by_label("Giá trị cần đạt", exact=True).fill("5")
    page.get_by_role("button", name="Thêm mục tiêu").click()
    assert page.locator('#target-table tr[data-unit="35.S02"][data-kind="rank"]').count() == 1

    page.locator("#draft-link").click()
    page.get_by_label("Các đơn vị chọn dưới đây").check()
    page.get_by_label(re.compile("^Mã đơn vị")).fill("35.S09")
    page.get_by_label(re.compile("^Số tiêu chí thành phần mỗi đơn vị")).fill("3")
    page.get_by_role("button", name="Dự thảo nhiệm vụ").click()
    drafted = page.locator("#task-table tr[data-task]")
    assert drafted.count() >= 1 and "Khắc phục điểm bị mất" in drafted.first.inner_text()

    page.locator('#task-table tr[data-task="1"] a').click()
    page.get_by_label("Đơn vị chủ trì", exact=True).select_option("35.S02")
    page.get_by_label(re.compile("^Cơ quan phối hợp")).fill("35.S09")
    page.get_by_role("button", name="Lưu nhiệm vụ").click()
    assert page.locator('#task-table tr[data-task="1"] .lead').inner_text() == "Sở Tư pháp"
    page.get_by_role("button", name="Ban hành kế hoạch").click()
    assert page.locator("#plan-status").inner_text() == "Đã ban hành"
    assert _fits_the_phone(page)
    page.get_by_role("button", name="Đăng xuất").click()

    _sign_in(page, base, "unit_editor")
    page.goto(base + "/plans/my-tasks")
    mine = page.locator(f'section.task[data-plan="{CODE}"][data-task="1"]')
    assert mine.count() == 1 and page.locator(f'section.task[data-plan="{CODE}"]').count() == 1
    assert _fits_the_phone(page)
    mine.get_by_role("button", name="Tiếp nhận nhiệm vụ này").click()
    assert "Đã tiếp nhận ngày" in page.locator(f'section.task[data-task="1"]').inner_text()
    with demo_plans.app_context():
        db.session.rollback()
        task = plan_by_code(CODE).tasks[0]
        assert task.accepted_by.username == "unit_editor" and task.lead_unit.code == "35.S02"
        assert [p.unit.code for p in task.partners] == ["35.S09"]
