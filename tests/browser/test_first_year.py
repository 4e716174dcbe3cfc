"""A province's first year in Chromium, from an empty database (no demo): the administrator imports the
units, the population figures (the weighting targets) and the framework through the admin pages,
creates the accounts, the campaign and its council; a unit editor self-assesses with evidence; the
appraisers run two rounds and closing with undecided items is refused with their list; households of
the imported sample answer the citizens' questionnaire by the codes on their letters (the citizens'
own pages); the analysis runs, the campaign is published with a decision number and the public page
shows the figures, the survey's points included. At the phone's width only (the slow part), more
households answer, a later analysis changes the draft but not the public page, until it is
republished with a reason.

Run once at a phone's width and once at a desktop's; no page scrolls sideways on the phone."""
from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from survey_app.extensions import db
from survey_app.models import Invitation
from tests.browser.conftest import PHONE
from tests.browser.test_index_flow import PDF, flash, sign_out
from tests.public.walker import walk

DATA = Path(__file__).parent / "data"
SIPAS = Path(__file__).resolve().parents[2] / "questionnaires" / "sipas_citizen.md"
HOUSEHOLDS, LATER = 4, 2  # households answering before the first publication, and after it
PASSWORD = "Ninh-Binh-cchc-2025"
CODE = "NB-2025"
VIEWPORTS = {"phone": PHONE, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def first_year(fresh_app):
    """An empty, migrated database with only the first administrator (`user create`), served."""
    app = fresh_app("first")
    result = app.test_cli_runner().invoke(args=["user", "create", "admin", "--role", "admin"],
                                          input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


class Visit:
    """One viewport's browser tab on the live server; every page is checked for sideways scrolling."""

    def __init__(self, app, page, base, width):
        self.app, self.page, self.base, self.width = app, page, base, width

    def go(self, path):
        self.page.goto(self.base + path)
        self.fits()

    def fits(self):
        self.page.wait_for_load_state()
        assert self.page.evaluate("document.documentElement.scrollWidth") <= self.width, \
            f"{self.page.url} scrolls sideways at {self.width} px"

    def submit(self, form="main form"):
        self.page.locator(form).locator("button[type=submit]").last.click()
        self.fits()

    def sign_in(self, username):
        self.go("/login")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.fits()

    def text(self, selector="main"):
        return self.page.locator(selector).inner_text()


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def dmy(days: int) -> str:
    return (date.today() + timedelta(days=days)).strftime("%d/%m/%Y")


def set_up_province(v: Visit):
    v.sign_in("admin")
    v.go("/admin/units")
    v.page.locator("input[type=file]").set_input_files(str(DATA / "tiny_units.csv"))
    v.submit("main form:has(input[type=file])")
    assert "Xã Gia Viễn" in v.text() and "Sở Tư pháp" in v.text()
    v.go("/admin/population")  # the province's adults by sex and age group, the weighting targets
    v.page.locator("input[type=file]").set_input_files(str(DATA / "tiny_population.csv"))
    v.submit("main form:has(input[type=file])")
    assert "8 số liệu dân số được tạo" in v.text()
    assert v.page.locator("#population-totals tr[data-unit='37'][data-year='2025']").locator(
        "td").all_inner_texts()[2:] == ["2025", "320.000", "8"]
    v.go("/admin/frameworks")
    v.page.locator("input[type=file]").set_input_files(str(DATA / "tiny_framework.yaml"))
    v.submit("main form:has(input[type=file])")
    assert "tiny_units" in v.text()
    cli(v.app, "questionnaire", "import", str(SIPAS), "--publish")
    for username, role, unit in (("nv_tuphap", "unit_editor", "37.S02"), ("nv_hoalu", "unit_editor", "14170"),
                                 ("thamdinh1", "appraiser", ""),
                                 ("thamdinh2", "appraiser", ""), ("phantich", "analyst", "")):
        v.go("/admin/users")
        v.page.fill("#username", username)
        v.page.fill("#full_name", f"Cán bộ {username}")
        v.page.fill("#password", PASSWORD)
        v.page.select_option("#role", role)
        v.page.fill("#unit_code", unit)
        v.submit("main form:has(#username)")
        assert username in flash(v.page)


def create_campaign(v: Visit):
    v.go("/lifecycle/new")
    v.page.fill("#code", CODE)
    v.page.fill("#title", "Chỉ số CCHC tỉnh Ninh Bình năm 2025")
    v.page.fill("#year", "2025")
    v.page.select_option("#province", label="37 · Tỉnh Ninh Bình")
    v.page.select_option("#framework", index=v.page.locator("#framework option").count() - 1)
    for level in ("department", "commune"):
        v.page.locator(f"input[name=levels][value={level}]").check()
    v.page.fill("#units", "37.S02,14170")
    v.page.select_option("#citizens", "sipas_citizen")
    v.page.fill("#self_assessment_deadline", dmy(10))
    v.page.fill("#round_1", dmy(20))
    v.page.fill("#round_2", dmy(30))
    v.submit()
    assert v.page.locator(".flash").count(), v.text()
    assert CODE in flash(v.page)
    v.go(f"/lifecycle/{CODE}/council")
    for username in ("thamdinh1", "thamdinh2"):
        v.page.select_option("#m-username", username)
        v.submit("main form:has(#m-username)")
    v.page.select_option("#a-member", "thamdinh1")
    for box in v.page.locator("input[name='a-units']").all():
        box.check()
    v.submit("main form:has(#a-member)")
    assert "Sở Tư pháp" in v.text()


def advance(v: Visit):
    v.go(f"/lifecycle/{CODE}/advance")
    v.submit()


def self_assess(v: Visit, tmp_path, username="nv_tuphap", unit="Sở Tư pháp"):
    v.sign_in(username)
    v.page.get_by_role("link", name=unit).click()
    v.fits()
    for box, points in zip(v.page.locator("input[name^=p_]").all(), ("3", "5")):
        box.fill(points)
    v.page.get_by_role("button", name="Lưu bản nháp").click()
    assert flash(v.page) == "Đã lưu bản nháp."
    v.go(v.page.url.removeprefix(v.base) + "/scores/1.1.1")
    evidence = tmp_path / "ke-hoach-cchc-2025.pdf"
    evidence.write_bytes(PDF)
    v.page.locator("input[type=file]").set_input_files(str(evidence))
    v.page.get_by_role("button", name="Đính kèm").click()
    assert flash(v.page) == "Đã đính kèm tệp."
    v.page.get_by_role("link", name=unit).click()
    v.page.get_by_role("button", name="Nộp kết quả tự đánh giá").click()
    assert flash(v.page) == "Đã nộp kết quả tự đánh giá."
    sign_out(v.page)


def council_step(v: Visit, label, message):
    v.go("/units/appraisal")
    v.page.get_by_role("button", name=label).click()
    assert flash(v.page) == message


def decide(v: Visit, node, decision, reason, points=None):
    v.go(f"/units/{CODE}/37.S02/scores/{node}")
    v.page.get_by_label(decision).check()
    if points is not None:
        v.page.get_by_label("Điểm thẩm định").fill(points)
    v.page.get_by_label("Lý do").fill(reason)
    v.page.get_by_role("button", name="Ghi kết luận").click()
    assert flash(v.page) == "Đã ghi kết luận."


def appraise(v: Visit):
    v.sign_in("thamdinh1")
    # advancing the campaign to appraisal opened round 1
    decide(v, "1.1.1", "Điều chỉnh điểm", "Kế hoạch ban hành chậm", points="2")
    council_step(v, "Chuyển kết quả thẩm định lần 1 cho đơn vị giải trình",
                 "Các đơn vị có thể giải trình và bổ sung tài liệu kiểm chứng.")
    sign_out(v.page)
    v.sign_in("nv_tuphap")
    v.go(f"/units/{CODE}/37.S02/scores/1.1.1")
    v.page.get_by_label("Giải trình ý kiến thẩm định").fill("Kế hoạch ban hành đúng hạn, xem công văn kèm theo")
    v.page.get_by_role("button", name="Gửi giải trình").click()
    assert flash(v.page) == "Đã gửi giải trình."
    sign_out(v.page)
    v.sign_in("thamdinh1")
    council_step(v, "Mở thẩm định lần 2", "Đã mở thẩm định lần 2.")
    decide(v, "1.1.1", "Công nhận điểm tự đánh giá", "Đã giải trình, công nhận")
    v.go(f"/lifecycle/{CODE}/advance")
    blockers = v.text("#blockers")
    assert "1.1.2" in blockers
    for unit in ("37.S02", "14170"):
        v.go(f"/units/{CODE}/{unit}")
        v.page.get_by_label("Lý do").fill("Tài liệu kiểm chứng đầy đủ")
        v.page.get_by_role("button", name="Công nhận mọi tiêu chí chưa có kết luận").click()
        assert "tiêu chí" in flash(v.page)
        v.submit("main form[action$=sign-off]")
    advance(v)
    assert v.page.locator("#blockers").count() == 0


def fieldwork(app, tmp_path) -> list[str]:
    """Sampled households of Sở Tư pháp's users get a letter each; HOUSEHOLDS of them answer through
    the citizens' pages, every satisfaction question "Hài lòng". Returns the codes not yet used."""
    sample = tmp_path / "mau-so-tu-phap.csv"
    sample.write_text("household,unit,stratum,cluster,probability\n" + "".join(
        f"Hộ số {i + 1},37.S02,37.S02,Tổ {i % 2 + 1},0.01\n" for i in range(HOUSEHOLDS + LATER)), encoding="utf-8")
    cli(app, "sample", "import", CODE, str(sample))
    assert f"{HOUSEHOLDS + LATER} codes" in cli(app, "invitations", "issue", CODE)
    with app.app_context():
        codes = list(db.session.scalars(select(Invitation.code).order_by(Invitation.id)))
    for code in codes[:HOUSEHOLDS]:
        assert walk(app.test_client(), code)  # a receipt number shown
    return codes[HOUSEHOLDS:]


def publish_page(v: Visit, decision: str, reason: str | None = None):
    v.go(f"/analyst/campaigns/{CODE}/publish")
    v.page.get_by_label("Số quyết định (ví dụ 123/QĐ-UBND)").fill(decision)
    v.page.get_by_label("Ngày quyết định (dd/mm/yyyy)").fill(date.today().strftime("%d/%m/%Y"))
    v.page.get_by_label("Người ký").fill("Chủ tịch UBND tỉnh")
    if reason:
        v.page.get_by_label("Lý do công bố phiên bản mới").fill(reason)
    v.page.get_by_role("button", name="Công bố").click(timeout=120_000)
    assert v.page.locator("[role=status]").inner_text().strip() == "Đã xong."


def public_row(v: Visit) -> list[str]:
    v.go(f"/campaigns/{CODE}/results")
    return v.page.locator("#ranked-department tr[data-unit='37.S02']").locator("td").all_inner_texts()


def publish(app, v: Visit):
    v.sign_in("phantich")
    advance(v)  # fieldwork -> analysis
    assert f"Run 1 of {CODE}: {HOUSEHOLDS} respondents" in cli(app, "analyse", CODE)
    v.go(f"/analyst/campaigns/{CODE}/index")
    v.page.get_by_role("link", name="Công bố kết quả").click()
    v.fits()
    publish_page(v, "45/QĐ-UBND")
    sign_out(v.page)
    row = public_row(v)
    assert "45/QĐ-UBND" in v.text("#publication")
    # 3 + 5 self-assessed points of 10, appraised as such, and 10 of 10 for 100 % satisfied (factor F1)
    assert row[3].startswith("18,00")
    return row


def later_analysis(app, v: Visit, codes: list[str], published: list[str]):
    """Two more households, dissatisfied; run 2 moves the draft, the public page keeps version 1
    until version 2 is published with its reason."""
    for code in codes:
        walk(app.test_client(), code, likert="2")
    assert f"Run 2 of {CODE}: {HOUSEHOLDS + LATER} respondents" in cli(app, "analyse", CODE)
    assert public_row(v) == published
    assert "45/QĐ-UBND" in v.text("#publication") and v.page.locator("#changes").count() == 0
    v.sign_in("phantich")
    v.go(f"/analyst/campaigns/{CODE}/index")
    draft = v.page.locator("#ranked-department tr[data-unit='37.S02']").locator("td").all_inner_texts()
    assert draft[3] != published[3]
    publish_page(v, "52/QĐ-UBND", "Bổ sung phiếu của hai hộ trả lời muộn")
    sign_out(v.page)
    row = public_row(v)
    assert row[3] == draft[3] and "52/QĐ-UBND" in v.text("#publication")
    assert "Bổ sung phiếu của hai hộ trả lời muộn" in v.text("#publication")
    assert "Sở Tư pháp" in v.text("#changes")


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_first_year_from_an_empty_database(first_year, browser, tmp_path, viewport):
    app, base = first_year
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    v = Visit(app, context.new_page(), base, VIEWPORTS[viewport]["width"])
    v.page.set_default_timeout(10_000)
    set_up_province(v)
    create_campaign(v)
    advance(v)
    sign_out(v.page)
    self_assess(v, tmp_path)
    self_assess(v, tmp_path, "nv_hoalu", "Phường Hoa Lư")
    v.sign_in("admin")
    advance(v)
    sign_out(v.page)
    appraise(v)
    sign_out(v.page)
    later = fieldwork(app, tmp_path)
    published = publish(app, v)
    if viewport == "phone":
        later_analysis(app, v, later, published)
    context.close()
