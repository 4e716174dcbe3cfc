"""What a citizen reads: thanks only after sending, errors that name the statement, the
"Không biết" hint only where that option exists, "Ông/Bà" throughout, a calm Back after
sending with the receipt again, and headings that tell satisfaction rows from importance rows."""
import re
from html import unescape

from survey_app.questionnaire.importer import import_form
from tests.public.conftest import ROOT, SIPAS
from tests.public.test_respond import _answers_for, _start
from tests.public.walker import tok, walk

DONT_KNOW = "Không biết"


def _pages_to_check(client, code) -> list[str]:
    """Every page from the landing page to the check page, answered as a respondent would."""
    pages = [client.get(f"/q/{code}").get_data(as_text=True)]
    url = _start(client, code)
    for _ in range(60):
        pages.append(client.get(url).get_data(as_text=True))
        if "/check" in url:
            return pages
        url = client.post(url, data=_answers_for(pages[-1])).headers["Location"]
    raise AssertionError("the check page was not reached")


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_thanks_only_after_sending_and_never_bạn(client, sipas_codes):
    pages = _pages_to_check(client, sipas_codes[0])
    for html in pages:
        assert "cảm ơn" not in _text(html).lower()
        assert not re.search(r"\bbạn\b", _text(html), re.IGNORECASE)
    check = pages[-1]
    done = client.get(client.post(f"/q/{sipas_codes[0]}/check",
                                  data={"csrf_token": tok(check)}).headers["Location"])
    assert "Cảm ơn" in done.get_data(as_text=True)
    assert not re.search(r"\bbạn\b", _text(done.get_data(as_text=True)), re.IGNORECASE)


def test_a_likert_error_summary_names_each_statement(client, sipas_codes):
    url = _start(client, sipas_codes[0])
    page = client.get(url).get_data(as_text=True)
    while 'class="field likert"' not in page:
        url = client.post(url, data=_answers_for(page)).headers["Location"]
        page = client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"csrf_token": tok(page)})
    html = refused.get_data(as_text=True)
    summary = html.split('id="error-summary"')[1].split("</ul>")[0]
    items = [unescape(re.sub(r"<[^>]+>", "", i)).strip() for i in re.findall(r"<li>(.*?)</li>", summary)]
    statements = [_text(m).strip() for m in re.findall(r'<legend>(.*?)</legend>', html)]
    assert refused.status_code == 422 and len(items) == len(statements) >= 3
    assert len(set(items)) == len(items)
    assert all(item.startswith(statement + ":") for item, statement in zip(items, statements)), (items, statements)


def test_the_dont_know_hint_only_where_the_option_is(app):
    with app.app_context():
        for name in ("sipas_citizen.md", "cbcc_staff.md"):
            path = ROOT / "questionnaires" / name
            definition = import_form(path.name, path.read_bytes()).definition
            hinted = 0
            for question in definition["questions"]:
                texts = " ".join([*question["bind"]["required_message"].values(),
                                  *question["hints"].values()])
                if DONT_KNOW in texts:
                    hinted += 1
                    labels = [c["labels"].get("Tiếng Việt (vi)", "") for c in question["choices"] or []]
                    assert any(DONT_KNOW in label for label in labels), (name, question["name"])
            assert hinted or name != SIPAS.name, name  # the SIPAS form does hint at it


def test_an_empty_code_box_asks_for_the_code(client):
    token = tok(client.get("/code").get_data(as_text=True))
    for typed in ("", "  - "):
        response = client.post("/code", data={"code": typed, "csrf_token": token})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Xin Ông/Bà nhập mã mời in trên thư mời." in html and "Không tìm thấy" not in html


def test_back_after_sending_shows_the_receipt_again_without_alarm(app, client, sipas_codes):
    code = sipas_codes[0]
    (receipt,) = walk(client, code)
    for address in (f"/q/{code}/check", f"/q/{code}/page/3", f"/q/{code}"):
        back = client.get(address, follow_redirects=True)
        html = back.get_data(as_text=True)
        assert back.status_code == 200 and receipt in html, address
        assert "người khác" not in html
    elsewhere = app.test_client().get(f"/q/{code}")
    html = elsewhere.get_data(as_text=True)
    assert elsewhere.status_code == 410 and receipt not in html
    assert "người khác" not in html and "Ông/Bà chưa gửi phiếu nào bằng mã này" in html


def test_check_page_heads_satisfaction_and_importance_rows_apart(client, sipas_codes):
    check = _pages_to_check(client, sipas_codes[0])[-1]
    sections = re.split(r'<h2 class="summary-heading">', check)[1:]
    headings = [_text(s.split("</h2>")[0]).strip() for s in sections]
    assert len(headings) == len(set(headings)) >= 10
    seat = "Chỗ ngồi chờ tại Bộ phận Tiếp nhận và Trả kết quả"
    holding = [h for h, s in zip(headings, sections) if f"<dt>{seat}</dt>" in s]
    assert len(holding) == 2 and "hài lòng" in holding[0].lower() and "quan trọng" in holding[1].lower()


#: Where a citizen's texts come from: the public pages and their templates, the error pages,
#: the code-guessing limit, the questionnaire engine's messages and the invitation letter.
CITIZEN_SOURCES = ("survey_app/public/**/*.py", "survey_app/templates/public/**/*.html",
                   "survey_app/templates/base.html", "survey_app/templates/error.html",
                   "survey_app/errors.py", "survey_app/invitations/guessing.py",
                   "survey_app/questionnaire/**/*.py", "reports/templates/letters.html")
BẠN = re.compile(r"\bbạn\b", re.IGNORECASE)


def _citizen_msgids() -> set[str]:
    from babel.messages.extract import extract_from_file
    found = set()
    for pattern in CITIZEN_SOURCES:
        for path in ROOT.glob(pattern):
            method, options = ("jinja2", {"extensions": "jinja2.ext.i18n"}) if path.suffix == ".html" \
                else ("python", {})
            for _line, message, _comments, _context in extract_from_file(method, str(path), options=options):
                found.add(message if isinstance(message, str) else message[0])
    return found


def test_no_citizen_facing_message_says_bạn():
    """Every Vietnamese text a citizen may read addresses them as "Ông/Bà" (the error pages and
    the code-guessing limit included); staff pages may keep "bạn"."""
    from babel.messages.pofile import read_po
    with open(ROOT / "survey_app/translations/vi/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle, locale="vi")
    msgids = _citizen_msgids()
    assert {"Something went wrong on our side. Your data was not changed.",
            "Too many codes that do not exist were tried from your connection. Please wait an hour, "
            "or call the helpline on your invitation letter."} <= msgids
    translated = {m: catalog.get(m) for m in msgids if catalog.get(m) is not None}
    assert len(translated) > 150
    said = {m: e.string for m, e in translated.items()
            if BẠN.search(e.string if isinstance(e.string, str) else " ".join(e.string))}
    assert said == {}


def test_no_obsolete_translation_is_kept():
    for language in ("vi", "en"):
        text = (ROOT / f"survey_app/translations/{language}/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
        assert not re.search(r"^#~", text, re.MULTILINE), language


def test_error_and_unknown_code_pages_never_say_bạn(app, client):
    from survey_app import errors
    pages = [client.get("/no-such-page"), client.get("/q/HNMZZZZ0001")]
    assert [p.status_code for p in pages] == [404, 404]
    with app.test_request_context("/"):
        failed, status = errors._respond(500, errors._messages()[500])
    assert status == 500 and "Dữ liệu của Ông/Bà không bị thay đổi" in failed
    for html in [failed, *(p.get_data(as_text=True) for p in pages)]:
        assert not BẠN.search(_text(html))
