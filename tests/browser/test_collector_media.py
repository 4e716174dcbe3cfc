"""The offline collector answers repeat groups and takes a photo without signal (Chromium, phone
viewport): the photo waits in IndexedDB across a browser restart, is sent before the interview
that names it, and a crash between the two only sends both again."""
import hashlib
import struct
import zlib

import pytest
from playwright.sync_api import expect

from survey_app import filestore

from tests.browser.test_collector import profile, served, sign_in_and_open  # noqa: F401 (profile: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def png(width=3, height=2) -> bytes:
    """A real PNG image (red pixels), made here."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes([200, 30, 30] * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def media_server(backend, tmp_path_factory):
    yield from served(backend, tmp_path_factory, cases_each=2, media=True)


def member(page, number, name, age):
    page.click(".add-instance")
    page.fill(f"#q-member-{number}-m_name", name)
    page.fill(f"#q-member-{number}-m_age", str(age))
    page.locator(f"#q-member-{number}-m_age").blur()


def household_offline(page, photo: bytes):
    page.click("#cases-list li:first-child button")
    page.fill("#q-visits", "2")
    page.click("#next")
    # a repeat sized by the answer: two visits, nothing to add or remove
    assert page.locator("#page .instance").count() == 2
    assert page.locator("#page .add-instance, #page .remove-instance").count() == 0
    page.fill("#q-visit-1-wait", "10")
    page.fill("#q-visit-2-wait", "25")
    page.click("#next")
    # a repeat the enumerator sizes; relevance per instance through a calculation
    member(page, 1, "Nguyễn Văn An", 44)
    expect(page.locator("[data-key='member[1]/m_work']")).to_be_visible()
    page.check("#q-member-1-m_work-0")
    member(page, 2, "Bé Na", 9)
    expect(page.locator("[data-key='member[2]/m_work']")).to_be_hidden()
    member(page, 3, "Trần Thị Cúc", 30)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("[data-instance='2'] .remove-instance")
    assert page.locator("#page .instance").count() == 3  # not confirmed: kept
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-instance='2'] .remove-instance")
    assert page.locator("#page .instance").count() == 2
    assert page.input_value("#q-member-2-m_name") == "Trần Thị Cúc"
    page.click("#next")  # the adult's work question, now in instance 2, is required
    assert page.locator("[data-key='member[2]/m_work'].field-error").count() == 1
    page.check("#q-member-2-m_work-1")
    page.click("#next")
    page.click("#next")  # the closing note
    # the photo: a file that is not one is refused on the phone, a real one kept
    page.set_input_files("#q-photo", files=[{"name": "giay-hen.png", "mimeType": "image/png",
                                             "buffer": b"not a picture"}])
    expect(page.locator("[data-key='photo'] .error-message")).not_to_be_empty()
    page.set_input_files("#q-photo", files=[{"name": "giay-hen.png", "mimeType": "image/png", "buffer": photo}])
    expect(page.locator("[data-key='photo'] .file-info")).to_contain_text("giay-hen.png")
    expect(page.locator("[data-key='photo'] .remove-file")).to_be_visible()
    page.click("#next")
    page.click("#review-send")
    page.wait_for_selector("#home:not([hidden])")


def kept_photo(page) -> dict | None:
    return page.evaluate("""() => ParStore.all('outbox').then(r => ParMedia.describe(r[0].payload.answers.photo))
                            .then(f => f && { name: f.name, size: f.size, type: f.type })""")


def test_a_household_with_repeats_and_a_photo_is_answered_offline_and_stored_once(media_server, profile):  # noqa: F811
    server, world = media_server
    photo = png()
    context = profile()
    page = sign_in_and_open(context, server.url)
    context.set_offline(True)
    household_offline(page, photo)
    expect(page.locator("#queue-count")).to_have_text("1")
    context.close()
    assert server.submissions() == []

    context = profile()  # the browser opened again, still without signal
    context.set_offline(True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(server.url + "/field/app")
    page.wait_for_selector("#app[data-ready='1']")
    assert page.text_content("#queue-count") == "1"
    assert kept_photo(page) == {"name": "giay-hen.png", "size": len(photo), "type": "image/png"}
    local_id = page.evaluate("ParStore.all('outbox').then(r => r[0].payload.answers.photo)")

    server.wsgi.cut_after = 0  # the photo and the interview arrive, the acknowledgement is lost
    context.set_offline(False)
    assert server.stopped.wait(60)
    expect(page.locator("#queue-count")).to_have_text("1", timeout=30000)
    server.start()
    page.click("#send-now")  # both sent again: the same photo name, the same interview
    expect(page.locator("#queue-count")).to_have_text("0", timeout=60000)

    [stored] = server.submissions()
    answers = stored.answers
    assert [v["wait"] for v in answers["visit"]] == ["10", "25"]
    assert [(m["m_name"], m["m_age"], m.get("m_work")) for m in answers["member"]] == [
        ("Nguyễn Văn An", "44", "1"), ("Trần Thị Cúc", "30", "0")]
    assert (answers["members"], answers["adults"]) == ("2", "2")
    assert answers["photo"] == hashlib.sha256(photo).hexdigest() + ".png"
    with server.app.app_context():
        assert filestore.get(answers["photo"][:64]) == photo
        assert list(filestore.keys()) == [answers["photo"][:64]]  # stored once, whatever the retries
    assert page.evaluate("id => ParMedia.describe(id)", local_id) is None  # forgotten once acknowledged
