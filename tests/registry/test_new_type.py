"""The registry is the one place of a question type: this module defines a new type,
``percentage`` (a whole number from 0 to 100, which pyxform knows and the platform did not) with
its own macro, and answers it end to end through the citizen's pages, the collector's JSON and
the exports (CSV, XLSX, SPSS), touching no other module."""
import csv
import json
import re

import pytest
from sqlalchemy import select

from openpyxl import load_workbook

from survey_app.exports.statfiles import write_statfile
from survey_app.exports.submissions import ExportSpec
from survey_app.exports.writers import write_csv, write_xlsx
from survey_app.extensions import db
from survey_app.models import Campaign, CampaignQuestionnaire, Submission
from survey_app.questionnaire.importer import import_form
from survey_app.questionnaire.types import REGISTRY, QuestionType, register
from tests.field.world import bearer, build_world as field_world, interview
from tests.public.conftest import build_world as citizen_world
from tests.public.walker import tok

FORM = """| survey |
| | type | name | label | required |
| | percentage | share | Tỷ lệ hồ sơ đúng hẹn (%) | yes |
| | text | remark | Ghi chú | |
| settings |
| | form_id | version |
| | percent_form | 1 |
"""
REFUSED = "Nhập một số nguyên từ 0 đến 100."


class Percentage(QuestionType):
    """A share in per cent: a whole number from 0 to 100, typed on a numeric keypad."""
    names = ("percentage",)
    inputmode = "numeric"
    export_kind = "numeric"
    browser_pattern = r"^(100|[1-9]?\d)$"
    macro = "percentage"
    #: Its own macro: the shared text input, followed by the per cent sign.
    macro_source = """
{%- import "public/respond/_types.html" as shared -%}
{% macro percentage(q, key, value, error, label, hint, choices, kind) -%}
  <div class="percentage">{{ shared.text_input(q, key, value, error, label, hint, choices, kind) }}<span class="unit">%</span></div>
{%- endmacro %}"""

    def format_message(self):
        return REFUSED

    def check(self, question, value, allowed_choices):
        return None if re.match(self.browser_pattern, value) else REFUSED

    def display(self, question, value, choice_labels):
        return f"{value} %"


@pytest.fixture
def percentage():
    """The type registered for one test, and forgotten after it."""
    register(Percentage)
    yield REGISTRY["percentage"]
    del REGISTRY["percentage"]


def test_without_its_class_the_type_is_refused_at_import(app, tmp_path):
    with app.app_context(), pytest.raises(Exception, match="percentage"):
        import_form("percent.md", FORM.encode())


def test_answered_on_the_citizens_pages_and_exported(app, client, percentage, tmp_path):
    form = tmp_path / "percent.md"
    form.write_text(FORM, encoding="utf-8")
    with app.app_context():
        code = citizen_world([form], codes_per_form=1)[form.name][0]
    landing = client.get(f"/q/{code}").get_data(as_text=True)
    url = client.post(f"/q/{code}/start", data={"csrf_token": tok(landing)}).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<div class="percentage">\s*<label for="share">.*'
                     r'<input type="text" id="share" name="share" value="" inputmode="numeric"'
                     r'.*<span class="unit">%</span></div>', page, re.S)  # its own macro
    described = json.loads(re.search(r'id="page-data">(.*?)</script>', page, re.S).group(1))["types"]
    assert described["percentage"]["pattern"] == Percentage.browser_pattern  # what the page's script reads
    assert described["percentage"]["message"] == REFUSED
    refused = client.post(url, data={"share": "140", "csrf_token": tok(page)})
    assert refused.status_code == 422 and REFUSED in refused.get_data(as_text=True)
    url = client.post(url, data={"share": "85", "csrf_token": tok(page)}).headers["Location"]
    remark = client.get(url).get_data(as_text=True)
    assert 'id="remark"' in remark and '<span class="unit">' not in remark  # a text keeps the shared macro
    while "/check" not in url:
        page = client.get(url).get_data(as_text=True)
        url = client.post(url, data={"csrf_token": tok(page)}).headers["Location"]
    check = client.get(url).get_data(as_text=True)
    assert "<dd>85 %</dd>" in check
    done = client.post(url, data={"csrf_token": tok(check)})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Submission)).answers["share"] == "85"
        campaign = db.session.scalar(select(Campaign))
        target = write_statfile(ExportSpec(campaign, "percent_form"), tmp_path / "out.sav", "sav")
        sheets = [write_csv(ExportSpec(campaign, "percent_form", labels=labels), tmp_path / f"out{labels}.csv")
                  for labels in (False, True)]
        workbook = load_workbook(write_xlsx(ExportSpec(campaign, "percent_form"), tmp_path / "out.xlsx"))
    for sheet in sheets:
        (row,) = csv.DictReader(sheet.read_text(encoding="utf-8-sig").splitlines())
        assert (row["share"], row["remark"]) == ("85", "")
    data = list(workbook["data"].values)
    assert data[1][data[0].index("share")] == "85"
    (described,) = [r for r in workbook["codebook"].values if r[0] == "share"]
    assert described[1:3] == ("Tỷ lệ hồ sơ đúng hẹn (%)", "percentage")
    import pyreadstat
    frame, meta = pyreadstat.read_sav(str(target))
    assert frame["share"].tolist() == [85.0] and meta.readstat_variable_types["share"] == "double"
    assert meta.readstat_variable_types["remark"] == "string"


def test_answered_through_the_collectors_json(app, client, percentage):
    with app.app_context():
        world = field_world()
        version = import_form("percent.md", FORM.encode(), publish=True)
        link = db.session.scalar(select(CampaignQuestionnaire))
        link.questionnaire_version = version
        db.session.commit()
        world["version_id"] = version.id
    bundle = client.get("/api/field/bundle", headers=bearer(world["token1"])).get_json()
    (sent,) = [q for q in bundle["questionnaires"] if q["id"] == version.id]
    assert sent["definition"]["types"]["percentage"]["pattern"] == Percentage.browser_pattern
    assert sent["definition"]["types"]["percentage"]["inputmode"] == "numeric"
    payload = interview(world)
    payload["answers"] = {"share": "140"}
    refused = client.post("/api/field/submissions", json=payload, headers=bearer(world["token1"]))
    assert refused.status_code == 422 and REFUSED in str(refused.get_json())
    payload["answers"] = {"share": "42", "remark": "đủ"}
    stored = client.post("/api/field/submissions", json=payload, headers=bearer(world["token1"]))
    assert stored.status_code == 201, stored.get_json()
    with app.app_context():
        assert db.session.scalar(select(Submission)).answers["share"] == "42"
