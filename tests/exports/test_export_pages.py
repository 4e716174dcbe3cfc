"""Export routes: the CSV streams, the other formats run as jobs with a download."""
from __future__ import annotations

import re

import pyreadstat
import pytest

REPORT = "/analyst/campaigns/HNM-2024/report"
EXPORTS = "/analyst/campaigns/HNM-2024/exports"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def analyst(demo_client, demo_auth):
    demo_auth.login("analyst")
    return demo_client


def test_csv_is_streamed_with_labels(analyst):
    answer = analyst.get("/analyst/campaigns/HNM-2024/export.csv?labels=labels&lang=en")
    assert answer.status_code == 200 and answer.is_streamed
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeffinstance_uuid,unit_code,")
    assert "Very satisfied" in text and "Rất hài lòng" not in text


@pytest.mark.parametrize("query", ["labels=words", "lang=fr"])
def test_csv_refuses_bad_options(analyst, query):
    answer = analyst.get(f"/analyst/campaigns/HNM-2024/export.csv?{query}")
    assert answer.status_code == 400 and "Chọn một trong các phương án." in answer.get_data(as_text=True)


def test_csv_of_unknown_campaign_is_not_found(analyst):
    assert analyst.get("/analyst/campaigns/NOPE/export.csv").status_code == 404


def test_stata_job_downloads_a_labelled_file(analyst, tmp_path):
    token = TOKEN.search(analyst.get("/analyst/").get_data(as_text=True)).group(1)
    started = analyst.post(EXPORTS, data={"csrf_token": token, "format": "dta", "labels": "codes", "lang": "en"})
    assert started.status_code == 303
    download = analyst.get(started.headers["Location"] + "/download")
    assert download.status_code == 200
    (tmp_path / "x.dta").write_bytes(download.data)
    data, meta = pyreadstat.read_dta(str(tmp_path / "x.dta"))
    assert meta.variable_value_labels["sat_c01"][5] == "Very satisfied" and len(data) > 1000


@pytest.mark.parametrize("data", [{"format": "pdf", "labels": "codes", "lang": "vi"},
                                  {"format": "xlsx", "labels": "both", "lang": "vi"}])
def test_export_form_refuses_bad_choices(analyst, data):
    token = TOKEN.search(analyst.get("/analyst/").get_data(as_text=True)).group(1)
    answer = analyst.post(EXPORTS, data={"csrf_token": token, **data})
    assert answer.status_code == 400 and "Chọn một trong các phương án." in answer.get_data(as_text=True)


def test_exports_are_for_analysts(demo_client, demo_auth):
    demo_auth.login("supervisor")
    assert demo_client.get("/analyst/campaigns/HNM-2024/export.csv").status_code == 403
    assert demo_client.post(EXPORTS, data={}).status_code in (400, 403)


def test_every_questionnaire_of_the_campaign_can_be_exported(analyst, tmp_path):
    page = analyst.get(REPORT).get_data(as_text=True)
    assert 'value="cbcc_staff"' in page and 'value="sipas_citizen"' in page
    token = TOKEN.search(page).group(1)
    started = analyst.post(EXPORTS, data={"csrf_token": token, "form": "cbcc_staff", "format": "sav",
                                          "labels": "codes", "lang": "vi"})
    assert started.status_code == 303
    download = analyst.get(started.headers["Location"] + "/download")
    (tmp_path / "staff.sav").write_bytes(download.data)
    data, meta = pyreadstat.read_sav(str(tmp_path / "staff.sav"))
    assert "rating_overall" in data.columns and "sat_c01" not in data.columns
    csv_text = analyst.get("/analyst/campaigns/HNM-2024/export.csv?form=cbcc_staff").get_data(as_text=True)
    assert "rating_overall" in csv_text.splitlines()[0]


def test_an_unknown_questionnaire_is_refused(analyst):
    token = TOKEN.search(analyst.get("/analyst/").get_data(as_text=True)).group(1)
    answer = analyst.post(EXPORTS, data={"csrf_token": token, "form": "nope", "format": "sav", "labels": "codes",
                                         "lang": "vi"})
    assert answer.status_code == 400 and "Phiếu khảo sát: Chọn một trong các phương án." in answer.get_data(as_text=True)
    assert analyst.get("/analyst/campaigns/HNM-2024/export.csv?form=nope").status_code == 400
