"""An issued plan's year in Chromium at 360 px, no script needed: the Department of Justice's unit
editor reports a quarter's progress with an evidence file; once the due date has passed (the
province's clock set), the reports still missing are flagged on the Department's dashboard and
listed by its drill-down; the plan's Word and PDF files download and open with the task table's
lead units in Vietnamese."""
from __future__ import annotations

import io
import unicodedata
import uuid
from datetime import date

import docx
import pypdf
import pytest

from tests.plans.conftest import PDF, make_issued_plan, remove_plan

pytestmark = pytest.mark.browser
LEADS = ("Sở Tư pháp", "Sở Tài nguyên và Môi trường", "Phường Minh Khai")


@pytest.fixture
def plan_code(demo_app):
    code = "KH-" + uuid.uuid4().hex[:8]
    with demo_app.app_context():
        make_issued_plan(code)
    yield code
    with demo_app.app_context():
        remove_plan(code)


def set_today(monkeypatch, day: date) -> None:
    from datetime import datetime, time

    from survey_app import clock
    moment = datetime.combine(day, time(9, 0))
    monkeypatch.setattr(clock, "now", lambda: moment.replace(tzinfo=clock.zone()))


def sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo-2024")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_a_quarter_reported_flagged_and_the_plan_downloaded(page, live_server, plan_code, monkeypatch, tmp_path):
    set_today(monkeypatch, date(2025, 4, 10))
    sign_in(page, live_server, "unit_editor")
    page.goto(live_server + "/plans/progress")
    fits_the_phone(page)
    page.get_by_role("link", name="Kế hoạch cải thiện Chỉ số CCHC năm 2025").first.click()
    quarter = page.locator("section", has=page.get_by_role("heading", name="Quý I năm 2025"))
    assert quarter.get_by_text("Kiểm tra công tác CCHC").count() == 0   # another department's task
    quarter.get_by_role("link", name="1. Ban hành kế hoạch CCHC đúng hạn").click()
    fits_the_phone(page)
    page.get_by_label("Đang thực hiện").check()
    page.get_by_label("Tóm tắt kết quả thực hiện").fill("Đã trình dự thảo kế hoạch CCHC năm 2025.")
    evidence = tmp_path / "du-thao-ke-hoach.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Tệp tài liệu kiểm chứng").set_input_files(str(evidence))
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã lưu báo cáo tiến độ.").is_visible()
    assert page.locator("#task-status").inner_text().startswith("Đang thực hiện")
    assert page.get_by_role("link", name="du-thao-ke-hoach.pdf").is_visible()
    fits_the_phone(page)
    page.get_by_role("button", name="Đăng xuất").click()

    set_today(monkeypatch, date(2025, 4, 20))   # Q1's reports were due on 15/04/2025
    sign_in(page, live_server, "analyst")
    page.goto(f"{live_server}/plans/{plan_code}/dashboard")
    fits_the_phone(page)
    assert page.get_by_label("Kỳ báo cáo").input_value()  # the last period already due: Q1
    units = page.locator("#by-unit")
    other = units.locator("li", has_text="Sở Tài nguyên và Môi trường")
    assert "Thiếu báo cáo: 1" in other.inner_text()
    assert "Đang thực hiện: 1" in units.locator("li", has_text="Sở Tư pháp").inner_text()
    page.locator("#all-tasks").get_by_role("link", name="Thiếu báo cáo: 3").click()
    listed = page.locator("#tasks").inner_text()
    assert "Kiểm tra công tác CCHC" in listed and "Niêm yết thủ tục hành chính" in listed
    assert "Ban hành kế hoạch CCHC đúng hạn" not in listed
    fits_the_phone(page)

    page.get_by_role("link", name="Bảng theo dõi").click()
    page.get_by_role("link", name="Kỳ báo cáo").click()
    assert page.get_by_label("Hạn báo cáo").first.input_value() == "2025-04-15"
    fits_the_phone(page)
    page.go_back()
    with page.expect_download() as word:
        page.get_by_role("link", name="Kế hoạch (Word)").click()
    document = docx.Document(word.value.path())
    leads = [row.cells[3].text for row in document.tables[-1].rows[1:]]
    assert leads == ["Sở Tư pháp", "Sở Tư pháp", "Sở Tài nguyên và Môi trường", "Phường Minh Khai"]
    assert all(unicodedata.is_normalized("NFC", lead) for lead in leads)
    page.get_by_role("button", name="Kế hoạch (PDF)").click()
    page.wait_for_load_state()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Tải xuống").click()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(open(pdf.value.path(), "rb").read())).pages)
    assert "Số: 125/KH-UBND" in text and "KẾ HOẠCH" in text
    for lead in LEADS:
        assert lead in unicodedata.normalize("NFC", text)
