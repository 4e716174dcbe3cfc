"""The supervisor's pages on a 360-pixel phone: no sideways scrolling of the page (wide tables
scroll inside their own box), and people named, never numbered."""
import re

import pytest

pytestmark = [pytest.mark.browser]
PAGES = ["/field/supervision", "/field/supervision/submissions", "/field/supervision/devices",
         "/field/supervision/conflicts", "/field/supervision/samples"]


def test_supervisor_pages_fit_a_360_pixel_screen(page, live_server, tmp_path):
    page.goto(live_server + "/login")
    page.get_by_label("Tên đăng nhập").fill("supervisor")
    page.get_by_label("Mật khẩu").fill("demo-2024")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    for path in PAGES:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
        page.screenshot(path=str(tmp_path / (path.strip("/").replace("/", "_") + ".png")), full_page=True)
    page.goto(live_server + "/field/supervision/submissions")
    enumerators = page.locator("#submissions tbody tr td:nth-child(2)").all_inner_texts()
    assert enumerators and not any(re.fullmatch(r"\d+", name.strip()) for name in enumerators)
