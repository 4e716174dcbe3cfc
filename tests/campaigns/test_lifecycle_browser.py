"""The campaign pages in Chromium on a 360 px phone: the status, the confirmation of closing
appraisal with its list of undecided items, the create form and the council, none scrolling sideways."""
import threading

import pytest
from werkzeug.serving import make_server


PAGES = {"/lifecycle/HNM-2024": "Bản tự đánh giá đã nộp",
         "/lifecycle/HNM-2024/advance": "Chưa thể chuyển bước cho đến khi:",
         "/lifecycle/new": "Tạo đợt đánh giá",
         "/lifecycle/HNM-2024/council": "Hội đồng thẩm định",
         "/lifecycle/HNM-2024/deadlines": "Gia hạn"}


@pytest.fixture(scope="module")
def live_server(demo_copy):
    """The demo before its publication (HNM-2024 still in appraisal), on its own database."""
    app = demo_copy("lifecycle", published=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    with app.app_context():
        from survey_app.extensions import db
        db.engine.dispose()


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo-2024")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("path", sorted(PAGES))
def test_campaign_pages_fit_a_phone(page, live_server, tmp_path, path):
    sign_in(page, live_server, "admin")
    page.goto(live_server + path)
    assert PAGES[path] in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / (path.strip("/").replace("/", "_") + ".png")), full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways on a phone"


def test_the_refusal_links_each_undecided_sub_criterion_to_its_page(page, live_server):
    sign_in(page, live_server, "appraiser")
    page.goto(live_server + "/lifecycle/HNM-2024/advance")
    page.locator("#blockers ul.codes a").first.click()
    page.wait_for_load_state()
    assert "/scores/" in page.url and page.locator("h1").is_visible()
