"""The analysts' report page (the report's sections in HTML), the PDF job and its download."""
from __future__ import annotations

import re

import pytest


REPORT = "/analyst/campaigns/HNM-2024/report"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def analyst(demo_client, demo_auth):
    demo_auth.login("analyst")
    return demo_client


def test_page_shows_the_sections_and_escapes_free_text(analyst, hostile_unit):
    page = analyst.get(REPORT)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for heading in ("Phương pháp", "Mức độ hài lòng theo yếu tố", "Chỉ số CCHC", "Hồ sơ đơn vị",
                    "Phụ lục: định nghĩa"):
        assert f">{heading}</h2>" in html or f">{heading}</h3>" in html, heading
    assert "&lt;script&gt;alert(&#39;góp ý&#39;)&lt;/script&gt;&lt;b&gt;" in html
    assert "<script>alert" not in html and "<b>Cán bộ" not in html
    assert html.count('src="data:image/png;base64,') == 4  # factors, ranking, rank intervals, index ranking
    assert html.count('<table class="heat') == 6  # a heat map per level, of satisfaction and of fields


@pytest.mark.parametrize("user, status", [("enumerator", 403), ("unit_editor", 403), (None, 302)])
def test_page_is_for_analysts(demo_client, demo_auth, user, status):
    if user:
        demo_auth.login(user)
    assert demo_client.get(REPORT).status_code == status
    assert demo_client.post(REPORT + "/pdf", data={}).status_code in (status, 400)


def test_pdf_job_runs_and_downloads(analyst, hostile_unit):
    token = TOKEN.search(analyst.get("/analyst/").get_data(as_text=True)).group(1)
    started = analyst.post(REPORT + "/pdf", data={"csrf_token": token, "lang": "vi", "unit": hostile_unit})
    assert started.status_code == 303
    job = analyst.get(started.headers["Location"])
    assert "Đã xong." in job.get_data(as_text=True) and "Refresh" not in job.headers
    download = analyst.get(started.headers["Location"] + "/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")


@pytest.mark.parametrize("data, status", [
    ({"lang": "fr", "unit": ""}, 400),
    ({"lang": "vi", "unit": "no-such-unit"}, 400),
])
def test_pdf_form_refuses_bad_choices_in_vietnamese(analyst, data, status):
    token = TOKEN.search(analyst.get("/analyst/").get_data(as_text=True)).group(1)
    answer = analyst.post(REPORT + "/pdf", data={"csrf_token": token, **data})
    assert answer.status_code == status
    assert "Chọn một trong các phương án." in answer.get_data(as_text=True)


def test_pdf_form_without_csrf_is_refused(analyst):
    answer = analyst.post(REPORT + "/pdf", data={"lang": "vi", "unit": ""})
    assert answer.status_code == 400


@pytest.mark.parametrize("job_id", ["0" * 32, "not-a-job", "../../etc/passwd"])
def test_unknown_jobs_are_not_found(analyst, job_id):
    assert analyst.get(f"/analyst/jobs/{job_id}").status_code == 404
    assert analyst.get(f"/analyst/jobs/{job_id}/download").status_code == 404
