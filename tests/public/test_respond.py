"""The citizen's questionnaire without JavaScript, through the real forms with CSRF on."""
import re

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Invitation, ResponseDraft, Submission
from tests.public.conftest import CONFORMANCE, build_world
from tests.public.walker import tok, walk


def _submissions(app):
    with app.app_context():
        return list(db.session.scalars(select(Submission)))


def _start(client, code):
    page = client.get(f"/q/{code}").get_data(as_text=True)
    return client.post(f"/q/{code}/start", data={"csrf_token": tok(page)}).headers["Location"]


def _answers_for(page: str) -> dict:
    """The fourth option of every Likert item, else the first option, and the page's token."""
    data = {"csrf_token": tok(page)}
    for name in set(re.findall(r'name="([a-z_0-9]+)" value="4"', page)):
        data[name] = "4"
    for name, value in re.findall(r'id="([a-z_0-9]+)-1" name="\1" value="([^"]*)"', page):
        data.setdefault(name, value)
    return data


def _advance_to(client, code, marker, extra=None, limit=60):
    """Answer page after page until a page holds ``marker`` (or the check page); return its url and html."""
    url = _start(client, code)
    page = client.get(url).get_data(as_text=True)
    for _ in range(limit):
        if marker in page or "/check" in url:
            break
        url = client.post(url, data=dict(_answers_for(page), **(extra or {}))).headers["Location"]
        page = client.get(url).get_data(as_text=True)
    return url, page


def test_sipas_answered_end_to_end_and_stored_once(app, client, sipas_codes):
    receipts = walk(client, sipas_codes[0], free_text="Cán bộ nhiệt tình <script>alert(1)</script>")
    assert len(receipts) == 1 and receipts[0].startswith("PAR-")
    stored = _submissions(app)
    assert len(stored) == 1
    answers = stored[0].answers
    assert all(answers[f"sat_c{i:02d}"] == "4" for i in range(1, 23))
    assert answers["unit_code"] == "13285" and answers["start"] and answers["end"]
    assert stored[0].receipt == receipts[0] and stored[0].channel.value == "invitation"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResponseDraft)) == 0
        assert db.session.scalar(select(Invitation).where(Invitation.code == sipas_codes[0])).used_at


def test_a_used_code_cannot_answer_again(app, client, sipas_codes):
    walk(client, sipas_codes[0])
    other_browser = app.test_client()
    page = other_browser.get(f"/q/{sipas_codes[0]}").get_data(as_text=True)
    assert "Phiếu mời này đã được trả lời" in page
    assert other_browser.get(f"/q/{sipas_codes[0]}/page/2").status_code == 302
    assert len(_submissions(app)) == 1


def test_code_entry_accepts_printed_form_and_refuses_unknown(client, sipas_codes):
    code = sipas_codes[1]
    printed = f"{code[:4].lower()}-{code[4:]}"
    token = tok(client.get("/code").get_data(as_text=True))
    response = client.post("/code", data={"code": printed, "csrf_token": token})
    assert response.headers["Location"] == f"/q/{code}"
    response = client.post("/code", data={"code": "NOPE-0000", "csrf_token": token})
    assert response.status_code == 422
    assert "Không tìm thấy mã này" in response.get_data(as_text=True)


def test_missing_answer_shows_error_summary_in_vietnamese(client, sipas_codes):
    url, page = _advance_to(client, sipas_codes[0], 'name="service_used"')  # past the introduction
    response = client.post(url, data={"csrf_token": tok(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and 'href="#service_used"' in html
    assert "Xin Ông/Bà vui lòng trả lời câu hỏi này" in html


def test_expired_csrf_token_keeps_the_answers(client, sipas_codes):
    url, page = _advance_to(client, sipas_codes[0], 'name="service_used"')
    response = client.post(url, data={"service_used": "xay_dung", "csrf_token": "expired"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'value="xay_dung" checked', html)
    assert "Câu trả lời của Ông/Bà vẫn được giữ" in html
    response = client.post(url, data={"service_used": "xay_dung", "csrf_token": tok(html)})
    assert response.status_code == 302


def test_relevance_skips_the_other_question_and_back_returns(client, sipas_codes):
    url, page = _advance_to(client, sipas_codes[0], 'name="service_used"')
    service_url = url
    following = client.post(url, data={"service_used": "y_te", "csrf_token": tok(page)}).headers["Location"]
    page = client.get(following).get_data(as_text=True)
    assert 'name="service_used_other"' not in page and 'name="service_channel"' in page
    assert f'href="{service_url}"' in page  # the back link
    back = client.get(service_url).get_data(as_text=True)
    assert re.search(r'value="y_te" checked', back)


def test_resume_with_the_same_code(client, sipas_codes):
    url, page = _advance_to(client, sipas_codes[0], 'name="service_used"')
    client.post(url, data={"service_used": "y_te", "csrf_token": tok(page)})
    landing = client.get(f"/q/{sipas_codes[0]}").get_data(as_text=True)
    assert "Tiếp tục từ chỗ đã dừng" in landing
    resumed = client.post(f"/q/{sipas_codes[0]}/start", data={"csrf_token": tok(landing)})
    assert 'name="service_channel"' in client.get(resumed.headers["Location"]).get_data(as_text=True)


def test_english_labels_on_request(client, sipas_codes):
    _start(client, sipas_codes[0])
    page = client.get(f"/q/{sipas_codes[0]}/page/1?lang=en").get_data(as_text=True)
    assert "SURVEY OF CITIZENS" in page and "Page 1 of" in page


def test_constraint_message_from_the_form(client, sipas_codes):
    url, page = _advance_to(client, sipas_codes[0], 'name="suggestion"')
    response = client.post(url, data={"suggestion": "x" * 1001, "csrf_token": tok(page)})
    assert response.status_code == 422
    assert "Góp ý tối đa 1.000 ký tự." in response.get_data(as_text=True)


def test_check_page_escapes_user_text(client, sipas_codes):
    draft_text = "<script>alert('x')</script>"
    url, page = _advance_to(client, sipas_codes[0], "/never-on-a-page/", extra={"suggestion": draft_text})
    assert "/check" in url
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert draft_text not in page


def test_every_conformance_form_can_be_answered(app, client):
    forms = sorted((CONFORMANCE / "accept").iterdir())
    with app.app_context():
        codes = build_world(forms, codes_per_form=1)
    for form in forms:
        assert walk(client, codes[form.name][0]), form.name
    assert len(_submissions(app)) == len(forms)


def test_repeat_instances_are_added_and_stored(app, client):
    tutorial = CONFORMANCE / "accept" / "tutorial.xls"
    with app.app_context():
        code = build_world([tutorial], codes_per_form=1)[tutorial.name][0]
    walk(client, code)
    (stored,) = _submissions(app)
    members = [v for v in stored.answers.values() if isinstance(v, list)]
    assert members and len(members[0]) == 2  # the walker adds two, then says no


SMALL_FORM = """| survey |  |  |  |  |  |
|  | type | name | label | default | required |
|  | text | village | Thôn | Thôn Đông | yes |
|  | geopoint | location | Vị trí |  |  |
|  | integer | members | Số người |  | yes |
| settings |  |  |
|  | form_id | version |
|  | small_defaults | 1 |
"""


def test_fixed_defaults_are_filled_and_geopoint_checked(app, client, tmp_path):
    form = tmp_path / "small_defaults.md"
    form.write_text(SMALL_FORM, encoding="utf-8")
    with app.app_context():
        code = build_world([form], codes_per_form=1)[form.name][0]
    url = _start(client, code)
    page = client.get(url).get_data(as_text=True)
    assert 'value="Thôn Đông"' in page
    url = client.post(url, data={"village": "Thôn Đông", "csrf_token": tok(page)}).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"location": "200 105", "csrf_token": tok(page)})
    assert response.status_code == 422
    assert "Nhập vị trí gồm vĩ độ và kinh độ." in response.get_data(as_text=True)
    response = client.post(url, data={"location": "21.0285 105.8542 10 5", "csrf_token": tok(page)})
    assert response.status_code == 302
