"""The public results page of the demo's publication on a 360 px phone: the open-data links
and the satisfaction table are there, and the page never scrolls sideways."""
import os
from pathlib import Path


def test_public_results_page_with_open_data_and_satisfaction_on_a_phone(page, live_server, tmp_path):
    page.goto(live_server + "/campaigns/HNM-2024/results")
    assert page.get_by_role("heading", name="Dữ liệu mở").is_visible()
    assert page.get_by_role("link", name="Bảng tính (XLSX)").is_visible()
    assert page.get_by_role("heading", name="Mức độ hài lòng của người dân").is_visible()
    assert page.locator("table.satisfaction tbody tr").count() == 54
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways"
    shots = Path(os.environ.get("SCREENSHOTS", tmp_path))
    page.screenshot(path=str(shots / "public-results-360.png"), full_page=True)
    page.locator("#satisfaction").screenshot(path=str(shots / "public-satisfaction-360.png"))
