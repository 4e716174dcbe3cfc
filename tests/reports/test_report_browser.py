"""The report page in Chromium on a phone: charts load under the CSP and fit the screen, and the
PDF button leads to a finished job with a download link (jobs run at once under TESTING)."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_report_page_on_a_phone(page, live_server, demo_run, tmp_path):
    problems = []
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.goto(live_server + "/login")
    page.get_by_label("Tên đăng nhập").fill("analyst")
    page.get_by_label("Mật khẩu").fill("demo-2024")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server + "/analyst/")
    page.goto(live_server + "/analyst/campaigns/HNM-2024/report", timeout=120_000)
    assert page.locator("h1").inner_text() == "Báo cáo kết quả điều tra xã hội học"
    charts = page.locator("figure img")
    assert charts.count() == 4
    for i in range(charts.count()):
        loaded = charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        box = charts.nth(i).bounding_box()
        assert loaded and box["width"] <= 360
    assert not problems, problems
    page.get_by_label("Đơn vị").select_option(index=1)  # one unit: a shorter job
    page.set_default_navigation_timeout(180_000)  # under TESTING the job renders within the request
    page.get_by_role("button", name="Lập báo cáo PDF").click()
    page.wait_for_selector("text=Đã xong.", timeout=180_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải xuống").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
