"""ODK functions on a citizen's page in Chromium: questions shown live by relevance written
with the new functions (the forestry slope correction among them), answered and sent; the
server computes the same values and keeps the answers the browser showed."""
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from survey_app.extensions import db
from survey_app.models import Submission
from tests.browser.conftest import PHONE
from tests.conftest import database_url, make_app
from tests.public.conftest import build_world

FORM = """| survey |
| | type | name | label | relevant | constraint | calculation | appearance |
| | begin_group | plot | Ô mẫu | | | | field-list |
| | decimal | slope | Độ dốc (%) | | . >= 0 and sqrt(.) < 20 | | |
| | text | species | Loài cây | | string-length(translate(., ' ', '')) > 3 | | |
| | text | steep_reason | Vì sao dốc | round(15 div (sqrt(cos(atan(${slope} div 100)))), 2) > 15.2 \
| | | |
| | text | genus_note | Ghi chú chi | substring-before(normalize-space(${species}), ' ') = 'dipterocarpus' \
| | | |
| | text | flat_note | Ghi chú đất bằng | checklist(1, 1, ${slope} = 0, boolean-from-string(${species})) \
| | | |
| | end_group | | | | | | |
| | calculate | corr_radius | | | | round(15 div (sqrt(cos(atan(${slope} div 100)))), 2) | |
| | calculate | code | | | | translate(substring(normalize-space(${species}), 1, 4), 'dipt', 'DIPT') | |
| settings |
| | form_id | version | form_title |
| | o_mau | 1 | Ô mẫu rừng |
"""


@pytest.fixture(scope="module")
def forestry_site(backend, tmp_path_factory):
    """Its own app and database with the forestry form published, served on a free port."""
    app = make_app(database_url(backend, tmp_path_factory, "forestry"), tmp_path_factory)
    path = tmp_path_factory.mktemp("forms") / "o_mau.md"
    path.write_text(FORM, encoding="utf-8")
    with app.app_context():
        codes = build_world([path], codes_per_form=2)[path.name]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", codes
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def test_relevance_with_odk_functions_in_the_browser_and_on_the_server(browser, forestry_site):
    app, base, codes = forestry_site
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/q/{codes[0]}")
    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_load_state("networkidle")
    steep, genus, flat = (page.locator(f'[data-key="{key}"]')
                          for key in ("steep_reason", "genus_note", "flat_note"))
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.locator('[name="slope"]').fill("20")  # 15 / sqrt(cos(atan(0.2))) = 15.15
    assert steep.is_hidden() and flat.is_hidden()
    page.locator('[name="slope"]').fill("35")  # 15.44
    assert steep.is_visible()
    page.locator('[name="slope"]').fill("0")
    assert steep.is_hidden() and flat.is_visible()
    page.locator('[name="species"]').fill("  dipterocarpus   alatus ")
    assert genus.is_visible()
    page.locator('[name="slope"]').fill("35")
    assert steep.is_visible() and flat.is_hidden() and requests == []  # all in the browser
    page.locator('[name="steep_reason"]').fill("sườn đồi")
    page.locator('[name="genus_note"]').fill("cây mẹ")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_load_state()
    assert "/check" in page.url
    page.get_by_role("button", name="Gửi câu trả lời").click()
    receipt = page.locator(".receipt").inner_text()
    context.close()
    with app.app_context():
        stored = db.session.scalar(select(Submission).where(Submission.receipt == receipt))
        answers = stored.answers
    assert answers["corr_radius"] == "15.44" and answers["code"] == "DIPT"
    assert answers["steep_reason"] == "sườn đồi" and answers["genus_note"] == "cây mẹ"
    assert "flat_note" not in answers or answers["flat_note"] == ""


def test_a_constraint_with_odk_functions_is_checked_at_once(browser, forestry_site):
    app, base, codes = forestry_site
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/q/{codes[1]}")
    page.get_by_role("button", name="Bắt đầu").click()
    page.locator('[name="slope"]').fill("500")  # sqrt(500) >= 20
    page.locator('[name="species"]').fill("a b")  # 2 letters without spaces
    page.wait_for_load_state("networkidle")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.get_by_role("button", name="Tiếp tục").click()
    assert page.locator("#error-summary").is_visible() and requests == []
    assert page.locator('[data-key="slope"].field-error').count() == 1
    assert page.locator('[data-key="species"].field-error').count() == 1
    context.close()
