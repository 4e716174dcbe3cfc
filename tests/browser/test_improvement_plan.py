"""The issue's "Done when", clicked through in Chromium on a 360 px phone, no script needed: from the
demo's published 2024 results the Department creates the province's plan (with its quarters and
year), adds a target, drafts tasks from the planner, assigns a task's lead and cooperating units and
issues the plan; Sở Tư pháp's editor finds the task from the unit's home page, accepts it and reports
the first quarter's progress with an evidence file after the due date (the province's clock set);
the Department's dashboard, reached from the plans list, flags that report late and the other
units' reports missing; the plan's Word and PDF files, linked from the plan's page, open (python-docx,
pypdf) with the task table's lead units in Vietnamese.

Both backends: the live server serves the shared demo of each backend in turn."""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime, time

import docx
import pypdf
import pytest

from survey_app import clock
from survey_app.extensions import db
from survey_app.plans.base import plan_by_code
from tests.plans.conftest import PDF, demo_plans  # noqa: F401  (removes the plan afterwards)

pytestmark = pytest.mark.browser
CODE = "KH-WEB-2025"
EDITOR_UNIT = "Sở Tư pháp"


def set_today(monkeypatch, day: date) -> None:
    """The province's date seen by the server (same process): 9 a.m. on ``day``."""
    moment = datetime.combine(day, time(9, 0))
    monkeypatch.setattr(clock, "now", lambda: moment.replace(tzinfo=clock.zone()))


def sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo-2024")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def draft_and_issue(page, base) -> None:
    """The Department's part: the plan, a target, tasks from the planner, task 1 assigned, issued."""
    sign_in(page, base, "analyst")
    page.goto(base + "/plans/")
    page.get_by_role("link", name=re.compile("Kế hoạch từ kết quả Chỉ số CCHC")).click()
    assert "Ủy ban nhân dân tỉnh Hà Nam" == page.get_by_label("Cơ quan ban hành").input_value()
    assert "1. Mục đích" in page.get_by_label("I. Mục đích, yêu cầu").input_value()
    page.get_by_label("Mã kế hoạch", exact=True).fill(CODE)
    page.get_by_label("Số ký hiệu (ví dụ 125/KH-UBND)").fill("125/KH-UBND")
    page.get_by_label("Ngày ban hành (YYYY-MM-DD)").fill("2025-04-15")
    page.get_by_label("Người ký", exact=True).fill("Phó Chủ tịch UBND tỉnh")
    assert page.get_by_label("Quý").is_checked() and page.get_by_label("Cả năm").is_checked()
    assert not page.get_by_label("6 tháng").is_checked()
    fits_the_phone(page)
    page.get_by_role("button", name="Tạo dự thảo kế hoạch").click()
    assert page.locator("#plan-status").inner_text() == "Bản nháp"
    fits_the_phone(page)

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
    assert drafted.count() >= 2 and "Khắc phục điểm bị mất" in drafted.first.inner_text()

    page.locator('#task-table tr[data-task="1"] a').click()
    page.get_by_label("Đơn vị chủ trì", exact=True).select_option("35.S02")
    page.get_by_label(re.compile("^Cơ quan phối hợp")).fill("35.S09")
    page.get_by_role("button", name="Lưu nhiệm vụ").click()
    assert page.locator('#task-table tr[data-task="1"] .lead').inner_text() == EDITOR_UNIT
    page.get_by_role("button", name="Ban hành kế hoạch").click()
    assert page.locator("#plan-status").inner_text() == "Đã ban hành"
    fits_the_phone(page)
    page.get_by_role("button", name="Đăng xuất").click()


def accept_and_report(page, base, tmp_path) -> None:
    """Sở Tư pháp's editor: from the unit's home to the task, accepted, and Q1's report with evidence."""
    sign_in(page, base, "unit_editor")
    page.goto(base + "/units/")
    page.get_by_role("link", name="Nhiệm vụ của đơn vị trong kế hoạch").click()
    mine = page.locator(f'section.task[data-plan="{CODE}"][data-task="1"]')
    assert mine.count() == 1 and page.locator(f'section.task[data-plan="{CODE}"]').count() == 1
    fits_the_phone(page)
    mine.get_by_role("button", name="Tiếp nhận nhiệm vụ này").click()
    mine = page.locator(f'section.task[data-plan="{CODE}"][data-task="1"]')
    assert "Đã tiếp nhận ngày" in mine.inner_text()
    mine.get_by_role("link", name="Báo cáo tiến độ").click()
    quarter = page.locator("section", has=page.get_by_role("heading", name="Quý I năm 2025"))
    assert quarter.locator("li").count() == 1   # the other department's tasks are not shown
    quarter.get_by_role("link", name=re.compile("^1\\. ")).click()
    fits_the_phone(page)
    page.get_by_label("Đang thực hiện").check()
    page.get_by_label("Tóm tắt kết quả thực hiện").fill("Đã trình dự thảo kế hoạch CCHC năm 2025.")
    evidence = tmp_path / "du-thao-ke-hoach.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Tệp tài liệu kiểm chứng").set_input_files(str(evidence))
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã lưu báo cáo tiến độ.").is_visible()
    assert page.locator("#task-status").inner_text() == "Đang thực hiện Báo cáo muộn"
    assert page.get_by_role("link", name="du-thao-ke-hoach.pdf").is_visible()
    fits_the_phone(page)
    page.get_by_role("button", name="Đăng xuất").click()


def test_the_plans_year_from_the_published_results_to_the_documents(demo_plans, live_server, page,  # noqa: F811
                                                                     monkeypatch, tmp_path):
    set_today(monkeypatch, date(2025, 4, 20))   # Q1's reports were due on 15/04/2025
    base = live_server
    draft_and_issue(page, base)
    accept_and_report(page, base, tmp_path)
    with demo_plans.app_context():
        db.session.rollback()
        plan = plan_by_code(CODE)
        task = plan.tasks[0]
        assert task.accepted_by.username == "unit_editor" and task.lead_unit.code == "35.S02"
        assert [p.unit.code for p in task.partners] == ["35.S09"]
        assert [p.label for p in plan.periods][:1] == ["Quý I năm 2025"] and len(plan.periods) == 5
        leads = [t.lead_unit.name for t in plan.tasks]
        others = len(leads) - 1

    sign_in(page, base, "analyst")
    page.goto(base + "/plans/")
    page.locator("#plans tr", has_text=CODE).get_by_role("link", name="Bảng theo dõi").click()
    fits_the_phone(page)
    assert page.get_by_label("Kỳ báo cáo").locator("option:checked").inner_text() == "Quý I năm 2025"
    units = page.locator("#by-unit")
    assert "Báo cáo muộn: 1" in units.locator("li", has_text=EDITOR_UNIT).inner_text()
    assert f"Thiếu báo cáo: {others}" in units.locator("li", has_text="Sở Tài nguyên và Môi trường").inner_text()
    page.locator("#all-tasks").get_by_role("link", name="Báo cáo muộn: 1").click()
    assert page.locator("#tasks li").count() == 1 and "1. " in page.locator("#tasks").inner_text()
    fits_the_phone(page)

    page.goto(f"{base}/plans/{CODE}")
    page.locator("#plan-links").get_by_role("link", name="Kỳ báo cáo").click()
    assert page.get_by_label("Hạn báo cáo").first.input_value() == "2025-04-15"
    fits_the_phone(page)
    page.go_back()
    with page.expect_download() as word:
        page.get_by_role("link", name="Kế hoạch (Word)").click()
    document = docx.Document(word.value.path())
    table_leads = [row.cells[3].text for row in document.tables[-1].rows[1:]]
    assert table_leads == leads and table_leads[0] == EDITOR_UNIT
    assert all(unicodedata.is_normalized("NFC", lead) for lead in table_leads)
    page.get_by_role("button", name="Kế hoạch (PDF)").click()
    page.wait_for_load_state()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Tải xuống").click()
    with open(pdf.value.path(), "rb") as stream:
        text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in pypdf.PdfReader(stream).pages))
    assert "Số: 125/KH-UBND" in text and "KẾ HOẠCH" in text
    for lead in set(leads):
        assert lead in text
