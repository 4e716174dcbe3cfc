"""The home page and each role's landing page in Chromium on a phone-sized screen."""
import pytest

LANDING = {"admin": ("/admin/", "Quản trị"), "analyst": ("/analyst/", "Phân tích"),
           "supervisor": ("/field/supervision", "Giám sát"),
           "enumerator": ("/field/", "Trường hợp được giao"),
           "unit_editor": ("/units/", "Tự đánh giá"), "appraiser": ("/units/appraisal", "Thẩm định")}


def test_home_page_lists_campaign_on_a_phone(page, live_server, tmp_path):
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Khảo sát phục vụ xác định Chỉ số cải cách hành chính"
    assert page.get_by_role("link", name="Chỉ số CCHC và mức độ hài lòng của người dân tỉnh Hà Nam năm 2024").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a phone"
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)


def test_language_switch(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("link", name="English").click()
    assert page.locator("h1").inner_text() == "Surveys for the Public Administration Reform Index"


@pytest.mark.parametrize("role", sorted(LANDING))
def test_each_role_signs_in_and_lands_on_its_page(page, live_server, role):
    path, heading = LANDING[role]
    page.goto(live_server + "/login")
    page.get_by_label("Tên đăng nhập").fill(role)
    page.get_by_label("Mật khẩu").fill("demo-2024")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server + path)
    assert page.locator("h1").inner_text() == heading
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(live_server + "/")


def test_wrong_password_shows_error_summary(page, live_server):
    page.goto(live_server + "/login")
    page.get_by_label("Tên đăng nhập").fill("admin")
    page.get_by_label("Mật khẩu").fill("wrong")
    page.get_by_role("button", name="Đăng nhập").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "Sai tên đăng nhập hoặc mật khẩu." in summary.inner_text()
