"""The offline collector in headless Chromium on a phone viewport.

Each test runs its own server on its own fresh database (the tests change data) — SQLite, and
PostgreSQL when ``TEST_DATABASE_URL`` is set — on a fixed free port so that the server can be
stopped and started again at the same address, and a persistent browser profile so that the
browser can be closed and reopened.
"""
import socket
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from survey_app.extensions import db
from survey_app.models import CaseStatus, SampleCase, Submission, VisitAttempt
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, need_chromium
from tests.conftest import database_url, make_app
from tests.field.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SUBMIT = "/api/field/submissions"
PLACE = {"latitude": 20.5411, "longitude": 105.9139, "accuracy": 15}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cutter:
    """WSGI middleware: after ``cut_after`` stored interviews, store the next one, drop the
    connection before the acknowledgement leaves, and stop the server (a crash mid-sync)."""

    def __init__(self, app):
        self.app, self.cut_after, self.stored, self.on_cut, self.posts = app, None, 0, None, 0

    def __call__(self, environ, start_response):
        self.posts += environ["PATH_INFO"] == SUBMIT and environ["REQUEST_METHOD"] == "POST"
        if self.cut_after is None or environ["PATH_INFO"] != SUBMIT or environ["REQUEST_METHOD"] != "POST":
            return self.app(environ, start_response)
        seen = {}
        body = b"".join(self.app(environ, lambda status, headers, exc=None: seen.update(s=status, h=headers)))
        self.stored += seen["s"].startswith("201")
        if self.stored > self.cut_after:
            self.cut_after = None
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            threading.Thread(target=self.on_cut).start()
            raise ConnectionResetError("server stopped in the middle of a sync")
        start_response(seen["s"], seen["h"])
        return [body]


class Server:
    """The test app served on one fixed port; can be stopped and started again."""

    def __init__(self, app):
        self.app, self.wsgi, self.port, self.server = app, Cutter(app), free_port(), None
        self.stopped = threading.Event()
        self.wsgi.on_cut = self.stop

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        self.stopped.clear()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        self.stopped.set()

    def rows(self, model, order) -> list:
        with self.app.app_context():
            found = list(db.session.scalars(select(model).order_by(order)))
            db.session.expunge_all()
            return found

    def submissions(self) -> list[Submission]:
        return self.rows(Submission, Submission.id)

    def visits(self) -> list[VisitAttempt]:
        return self.rows(VisitAttempt, VisitAttempt.id)

    def statuses(self) -> dict[int, CaseStatus]:
        return {c.id: c.status for c in self.rows(SampleCase, SampleCase.id)}


def served(backend, tmp_path_factory, cases_each=20, **world):
    """A server on a fresh database on ``backend`` (the session's parameter: each test runs on
    both), with a field world (``build_world`` options); yields (server, world)."""
    need_chromium()
    app = make_app(database_url(backend, tmp_path_factory, "collector"), tmp_path_factory)
    with app.app_context():
        built = build_world(cases_each=cases_each, **world)
    server = Server(app)
    server.start()
    yield server, built
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def sipas_server(backend, tmp_path_factory):
    yield from served(backend, tmp_path_factory, sipas=True)


@pytest.fixture
def field_server(backend, tmp_path_factory):
    yield from served(backend, tmp_path_factory)


@pytest.fixture
def profile(tmp_path, playwright_driver):
    """Launches Chromium on one profile folder, again and again, like a phone's browser."""
    opened = []

    def launch():
        context = playwright_driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=PHONE,
            device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN",
            geolocation=PLACE, permissions=["geolocation"])
        opened.append(context)
        return context

    yield launch
    for context in opened:
        try:
            context.close()
        except Exception:  # already closed by the test
            pass


def sign_in_and_open(context, url):
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url + "/login")
    page.fill("#username", "enum1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(url + "/field/app")
    page.wait_for_selector("#app[data-ready='1']")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => caches.match('/field/app')).then(Boolean)")
    return page


def interview(page, age, case_id=None):
    """A whole interview on the first open case (its first button starts it), or on ``case_id``."""
    page.click(f"#cases-list li[data-case-id='{case_id}'] button" if case_id else "#cases-list li:first-child button")
    page.fill("#q-age", str(age))
    page.click("#next")
    page.check("#q-used-0")
    page.click("#next")
    page.click("#next")  # no phone number
    for key, value in (("s1", 3), ("s2", 4), ("s3", 5)):
        page.check(f"#q-{key}-{value - 1}")
    page.click("#next")
    page.click("#review-send")  # the answers listed, then queued
    page.wait_for_selector("#home:not([hidden])")


def queue(page) -> str:
    return page.text_content("#queue-count")


def complete_offline(launch, url, count=20):
    context = launch()
    page = sign_in_and_open(context, url)
    context.set_offline(True)
    for i in range(count):
        interview(page, 30 + i)
        expect(page.locator("#queue-count")).to_have_text(str(i + 1))  # counted once the home list is drawn
    context.close()


def reopen_offline(launch, url):
    """The browser closed and opened again without a network: the queue is still there."""
    context = launch()
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url + "/field/app")
    page.wait_for_selector("#app[data-ready='1']")
    assert queue(page) == "20"
    return context, page


def test_twenty_offline_interviews_survive_a_restart_and_are_stored_once(field_server, profile):
    server, world = field_server
    complete_offline(profile, server.url)
    assert server.submissions() == []
    context, page = reopen_offline(profile, server.url)
    context.set_offline(False)  # back in signal: the collector sends on its own
    expect(page.locator("#queue-count")).to_have_text("0", timeout=60000)
    stored = server.submissions()
    assert len(stored) == 20
    assert sorted(int(s.answers["age"]) for s in stored) == list(range(30, 50))
    assert len({s.instance_uuid for s in stored}) == 20
    for s in stored:
        assert s.paradata["device_id"] and s.paradata["duration_s"] >= 0
        assert set(s.paradata["question_times"]) >= {"age", "used", "s1", "s2", "s3"}
        assert s.paradata["geolocation"]["accuracy_m"] == 15
        assert s.answers["deviceid"] == s.paradata["device_id"]
    assert page.text_content("#last-sync") != page.get_attribute("#msgs", "data-never")


def test_a_server_stopped_in_the_middle_of_a_sync_still_ends_with_twenty(field_server, profile):
    server, world = field_server
    complete_offline(profile, server.url)
    context, page = reopen_offline(profile, server.url)
    server.wsgi.cut_after = 7  # the 8th is stored, its acknowledgement lost, the server down
    context.set_offline(False)
    assert server.stopped.wait(60)
    expect(page.locator("#queue-count")).to_have_text("13", timeout=30000)
    assert len(server.submissions()) == 8  # the 8th is stored but still waits on the phone
    server.start()
    page.click("#send-now")
    expect(page.locator("#queue-count")).to_have_text("0", timeout=60000)
    stored = server.submissions()
    assert len(stored) == 20
    assert len({s.instance_uuid for s in stored}) == 20


def test_the_same_interview_from_two_tabs_and_a_forced_retry_is_stored_once(field_server, profile):
    server, world = field_server
    complete_offline(profile, server.url, count=1)
    context, first = profile(), None
    context.set_offline(True)
    first = context.pages[0] if context.pages else context.new_page()
    first.goto(server.url + "/field/app")
    second = context.new_page()
    second.goto(server.url + "/field/app")
    for tab in (first, second):
        tab.wait_for_selector("#app[data-ready='1']")
        assert queue(tab) == "1"
    record = first.evaluate("ParStore.all('outbox').then(r => r[0])")
    context.set_offline(False)
    for tab in (first, second):
        tab.click("#send-now")
    expect(first.locator("#queue-count")).to_have_text("0", timeout=30000)
    assert len(server.submissions()) == 1
    first.evaluate("r => ParStore.put('outbox', r)", record)  # forced: the record comes back
    first.click("#send-now")
    expect(first.locator("#queue-count")).to_have_text("0", timeout=30000)
    stored = server.submissions()
    assert len(stored) == 1 and stored[0].instance_uuid == record["payload"]["instance_uuid"]


def test_the_sipas_form_renders_its_first_pages_offline(sipas_server, profile):
    server, world = sipas_server
    context = profile()
    page = sign_in_and_open(context, server.url)
    context.set_offline(True)
    page.click("#cases-list li:first-child button")
    expect(page.locator("#page")).to_contain_text("PHIẾU KHẢO SÁT SỰ HÀI LÒNG")  # rendered once the draft is saved
    page.click("#next")
    assert page.locator("#page input[name=service_used]").count() >= 10
    page.click("#next")  # required: refused on the phone, with the form's own message
    assert "Xin Ông/Bà vui lòng trả lời câu hỏi này" in page.text_content("#page .error-message")
    page.check("#page input[name=service_used][value=dat_dai]")
    page.click("#next")
    page.check("#page input[name=service_channel][value=direct]")
    page.click("#next")
    assert "Yếu tố 1" in page.text_content("#page h2")
    assert page.locator("#page fieldset").count() == 4  # the Likert group on one page


def record_visit(page, case_id, outcome, note=""):
    page.click(f"#cases-list li[data-case-id='{case_id}'] button:nth-of-type(2)")
    page.check(f"#visit-{outcome}")
    page.fill("#visit-note", note)
    page.click("#visit-save")
    page.wait_for_selector("#home:not([hidden])")


def case_row(page, case_id):
    return page.locator(f"#cases-list li[data-case-id='{case_id}']")


def test_visits_and_an_interview_recorded_offline_are_stored_once_after_a_restart(field_server, profile):
    server, world = field_server
    closed, refused, done = world["cases1"][:3]
    context = profile()
    page = sign_in_and_open(context, server.url)
    context.set_offline(True)
    record_visit(page, closed, "no_contact", "Nhà đóng cửa")
    row = case_row(page, closed)  # the new status at once, marked as waiting to be sent
    expect(row).to_have_attribute("data-status", "no_contact")
    expect(row.locator(".case-status")).to_have_text("Trạng thái: Không gặp được · chờ gửi")
    expect(row.locator("button")).to_have_count(2)  # no contact: still open for another visit
    record_visit(page, refused, "refused")
    expect(case_row(page, refused)).to_have_attribute("data-status", "refused")
    expect(case_row(page, refused).locator("button")).to_have_count(0)
    interview(page, 41, case_id=done)
    expect(case_row(page, done)).to_have_attribute("data-status", "completed")
    expect(page.locator("#queue-count")).to_have_text("3")
    context.close()
    assert server.visits() == [] and server.submissions() == []

    context = profile()  # the browser opened again, still without a network
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(server.url + "/field/app")
    page.wait_for_selector("#app[data-ready='1']")
    assert queue(page) == "3"
    expect(case_row(page, closed)).to_have_attribute("data-status", "no_contact")
    context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=60000)
    expect(case_row(page, closed).locator(".case-status")).to_have_text("Trạng thái: Không gặp được")

    [submission] = server.submissions()
    assert submission.case_id == done and submission.answers["age"] == "41"
    device = [v for v in server.visits() if v.client_uuid]
    assert sorted((v.case_id, v.outcome, v.note) for v in device) == [
        (closed, CaseStatus.NO_CONTACT, "Nhà đóng cửa"), (refused, CaseStatus.REFUSED, None)]
    assert all(v.lat == PLACE["latitude"] and v.accuracy_m == PLACE["accuracy"] for v in device)
    assert len(server.visits()) == 3  # and the interview's own visit
    statuses = server.statuses()
    assert (statuses[closed], statuses[refused], statuses[done]) == (
        CaseStatus.NO_CONTACT, CaseStatus.REFUSED, CaseStatus.COMPLETED)
    assert {statuses[c] for c in world["cases1"][3:]} == {CaseStatus.PENDING}


def test_an_interview_the_server_refuses_is_fixed_on_the_phone_and_stored_once(field_server, profile):
    """The phone holds an older copy of the form without the age limit: the phone accepts 12,
    the server refuses it (422), the enumerator fixes it from "needs fixing"."""
    server, world = field_server
    context = profile()
    page = sign_in_and_open(context, server.url)
    context.set_offline(True)
    page.evaluate("""() => ParStore.get('bundle').then(b => {
        b.questionnaires[0].definition.questions.forEach(q => { delete q.bind.constraint; });
        return ParStore.set('bundle', b); })""")
    page.reload()
    page.wait_for_selector("#app[data-ready='1']")
    interview(page, 12)
    sent = page.evaluate("ParStore.all('outbox').then(r => r[0])")
    context.set_offline(False)
    needs = page.locator("#refused-list > li")
    expect(needs).to_have_count(1, timeout=30000)
    expect(needs).to_contain_text("Một số câu trả lời không được chấp nhận.")
    expect(needs).to_contain_text("age: Câu trả lời này không hợp lệ.")
    assert server.submissions() == [] and queue(page) == "0"  # refused: listed, not counted as waiting
    page.click("#send-now")  # a refusal is not sent again, not even on "Send now"
    page.wait_for_timeout(500)
    assert server.wsgi.posts == 1

    needs.locator("button:not(.remove-record)").click()
    expect(page.locator("#fix-notice")).to_have_text("Một số câu trả lời không được chấp nhận.")
    expect(page.locator("[data-key=age] .error-message")).to_have_text("Câu trả lời này không hợp lệ.")
    assert page.input_value("#q-age") == "12"
    page.fill("#q-age", "45")
    page.click("#next")
    assert page.is_checked("#q-used-0")  # the other answers are kept
    page.click("#next")
    page.click("#next")
    assert page.is_checked("#q-s1-2")
    page.click("#next")
    page.click("#review-send")
    page.wait_for_selector("#home:not([hidden])")
    expect(page.locator("#queue-count")).to_have_text("0", timeout=30000)
    expect(page.locator("#refused")).to_be_hidden()
    [stored] = server.submissions()
    assert stored.instance_uuid == sent["payload"]["instance_uuid"] and stored.answers["age"] == "45"
    assert stored.answers["start"] == sent["payload"]["answers"]["start"]
    assert stored.paradata["duration_s"] == sent["payload"]["paradata"]["duration_s"]


def test_a_conflict_stays_visible_with_its_message_and_is_not_sent_again(field_server, profile):
    server, world = field_server
    context = profile()
    page = sign_in_and_open(context, server.url)
    context.set_offline(True)
    interview(page, 50)
    page.evaluate("""() => ParStore.all('outbox').then(r => {
        const record = r[0]; record.payload.questionnaire_version_id = 999999;
        return ParStore.put('outbox', record); })""")
    context.set_offline(False)
    page.click("#send-now")
    needs = page.locator("#refused-list > li")
    expect(needs).to_contain_text("Phiếu này không phải phiếu của đối tượng này.", timeout=30000)
    expect(needs.locator("button:not(.remove-record)")).to_have_count(0)  # nothing to fix in the answers
    for _ in range(2):
        page.click("#send-now")
        page.wait_for_timeout(500)
    assert server.wsgi.posts == 1 and server.submissions() == []
    page.reload()
    page.wait_for_selector("#app[data-ready='1']")
    expect(needs).to_have_count(1)
    assert queue(page) == "0" and server.wsgi.posts == 1
