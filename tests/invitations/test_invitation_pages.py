"""The invitations page: who may open it, making a batch, the CSV, the letters job, the open link."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Campaign, Invitation
from tests.invitations.conftest import PASSWORD

PAGE = "/analyst/campaigns/HNM-2030/invitations"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(client) -> str:
    return TOKEN.search(client.get(PAGE).get_data(as_text=True)).group(1)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Invitation))


@pytest.fixture
def analyst(client, auth, world):
    auth.login("analyst", PASSWORD)
    return client


@pytest.mark.parametrize("user, status", [("admin", 200), ("analyst", 200), ("supervisor", 403),
                                          ("enumerator", 403), ("unit_editor", 403), (None, 302)])
def test_page_is_for_those_who_run_the_survey(app, client, auth, world, user, status):
    if user:
        auth.login(user, PASSWORD)
    assert client.get(PAGE).status_code == status
    assert client.get(PAGE.replace("invitations", "invitations.csv")).status_code == status
    data = {"csrf_token": TOKEN.search(client.get("/login" if user is None else "/").get_data(as_text=True)).group(1)}
    allowed = {"": 422, "/letters": 400, "/settings": 303}  # empty forms: refused, refused, saved as is
    for action, answer in allowed.items():
        assert client.post(PAGE + action, data=data).status_code == (answer if status == 200 else status)
    assert _count(app) == 0


def test_a_batch_is_made_and_counted(app, analyst):
    response = analyst.post(PAGE, data={"csrf_token": _token(analyst), "batch-unit": "13285",
                                        "batch-count": "25", "batch-expires": ""})
    assert response.status_code == 303
    html = analyst.get(PAGE).get_data(as_text=True)
    assert "Đã tạo 25 mã mới cho Phường Quang Trung." in html
    assert re.search(r"13285 · Phường Quang Trung</td>\s*<td class=\"num\">25</td><td class=\"num\">0</td>", html)
    assert _count(app) == 25


@pytest.mark.parametrize("data, message", [
    ({"batch-unit": "13285", "batch-count": ""}, "Hãy nhập số mã cần tạo."),
    ({"batch-unit": "13285", "batch-count": "0"}, "Hãy nhập một số nguyên từ 1 đến 20000."),
    ({"batch-unit": "13285", "batch-count": "20001"}, "Hãy nhập một số nguyên từ 1 đến 20000."),
    ({"batch-unit": "13285", "batch-count": "abc"}, "Nhập một số nguyên."),
    ({"batch-unit": "13285", "batch-count": "5", "batch-expires": "31/02/2030"}, "Hãy ghi ngày theo dạng"),
    ({"batch-unit": "13285", "batch-count": "5", "batch-expires": "2001-01-01"}, "Ngày hết hạn đã qua."),
    ({"batch-unit": "13600", "batch-count": "5"}, "không thuộc tỉnh của đợt khảo sát"),
    ({"batch-unit": "99999", "batch-count": "5"}, "Hãy chọn một đơn vị của đợt khảo sát."),
])
def test_a_refused_batch_says_why_in_vietnamese_and_stores_nothing(app, analyst, data, message):
    response = analyst.post(PAGE, data=dict(data, csrf_token=_token(analyst)))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_a_batch_without_csrf_token_is_refused(app, analyst):
    response = analyst.post(PAGE, data={"batch-unit": "13285", "batch-count": "5"})
    assert response.status_code == 400 and _count(app) == 0


def test_the_csv_downloads_with_links_to_this_site(app, analyst):
    analyst.post(PAGE, data={"csrf_token": _token(analyst), "batch-unit": "13285", "batch-count": "3"})
    response = analyst.get(PAGE.replace("invitations", "invitations.csv") + "?unit=13285")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="HNM-2030-13285-codes.csv"' in response.headers["Content-Disposition"]
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[1].split(",")[4].startswith("http://localhost/q/HNM")
    assert analyst.get(PAGE.replace("invitations", "invitations.csv") + "?unit=13288").status_code == 400


def test_letters_are_printed_by_a_job_with_its_state_shown(app, analyst):
    analyst.post(PAGE, data={"csrf_token": _token(analyst), "batch-unit": "13285", "batch-count": "2"})
    response = analyst.post(PAGE + "/letters", data={"csrf_token": _token(analyst), "letters-unit": "13285",
                                                     "letters-lang": "vi"})
    assert response.status_code == 303 and "/analyst/jobs/" in response.headers["Location"]
    job = analyst.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thư mời (PDF) · HNM-2030 · 13285" in job and "Quay lại trang mã mời" in job
    download = re.search(r'href="(/analyst/jobs/[0-9a-f]+/download)"', job)
    assert download, job
    pdf = analyst.get(download.group(1))
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")
    assert "HNM-2030-letters.pdf" in pdf.headers["Content-Disposition"]


def test_letters_without_unused_codes_fail_visibly(analyst):
    response = analyst.post(PAGE + "/letters", data={"csrf_token": _token(analyst), "letters-unit": "",
                                                     "letters-lang": "vi"})
    job = analyst.get(response.headers["Location"]).get_data(as_text=True)
    assert "no unused invitation in this campaign" in job


def test_open_link_and_hotline_are_set_and_shown(app, analyst):
    response = analyst.post(PAGE + "/settings", data={"csrf_token": _token(analyst), "settings-open_link": "y",
                                                      "settings-helpline": "0226 3852 111"})
    assert response.status_code == 303
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        assert campaign.open_link and campaign.helpline == "0226 3852 111"
    assert "/open/HNM-2030/13285" in analyst.get(PAGE).get_data(as_text=True)
    bad = analyst.post(PAGE + "/settings", data={"csrf_token": _token(analyst), "settings-helpline": "call <me>"})
    assert bad.status_code == 422 and "Chỉ dùng chữ số" in bad.get_data(as_text=True)
