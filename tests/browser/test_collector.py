"""The offline collector in headless Chromium on a phone viewport.

Each test runs its own server on its own fresh database (the tests change data), on a fixed
free port so that the server can be stopped and started again at the same address, and a
persistent browser profile so that the browser can be closed and reopened.
"""
import socket
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from survey_app.extensions import db
from survey_app.models import Submission
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
        self.app, self.cut_after, self.stored, self.on_cut = app, None, 0, None

    def __call__(self, environ, start_response):
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

    def submissions(self) -> list[Submission]:
        with self.app.app_context():
            found = list(db.session.scalars(select(Submission).order_by(Submission.id)))
            db.session.expunge_all()
            return found


def _serve(tmp_path_factory, sipas=False):
    need_chromium()
    app = make_app(database_url("sqlite", tmp_path_factory, "collector"), tmp_path_factory)
    with app.app_context():
        world = build_world(cases_each=20, sipas=sipas)
    return app, world


@pytest.fixture
def sipas_server(tmp_path_factory):
    app, world = _serve(tmp_path_factory, sipas=True)
    server = Server(app)
    server.start()
    yield server, world
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def field_server(tmp_path_factory):
    app, world = _serve(tmp_path_factory)
    server = Server(app)
    server.start()
    yield server, world
    server.stop()
    with app.app_context():
        db.engine.dispose()


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


def interview(page, age):
    page.click("#cases-list li:first-child button")
    page.fill("#q-age", str(age))
    page.click("#next")
    page.check("#q-used-0")
    page.click("#next")
    page.click("#next")  # no phone number
    for key, value in (("s1", 3), ("s2", 4), ("s3", 5)):
        page.check(f"#q-{key}-{value - 1}")
    page.click("#next")
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
