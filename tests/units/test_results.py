"""One read model of results: a unit with bonus and penalty points shows the same field totals
and total on its own page, the appraiser's page, the index JSON, the report's PDF and the results
workbook; and unit editors open their own unit's results only."""
import io
import re
from decimal import Decimal

import builders
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from survey_app.exports.results import write_results_xlsx
from survey_app.extensions import db
from survey_app.models import Campaign, Role, ScoringMethod
from survey_app.queries import campaign_by_code
from survey_app.reports.render import pdf_bytes

FACTORS = {f"F{i}": (0.80, 0.04) for i in range(1, 6)}
FIELD_ROW = re.compile(r'<tr data-field="([^"]+)">(.*?)</tr>', re.S)
NUM = re.compile(r'<td class="num">([^<]*)</td>')
WEIGHTING = {"method": "rake", "margins": ["unit × sex"], "design": "strata = units", "collapsed": [],
             "summary": {"min": 1.0, "max": 2.0, "ratio_max_min": 2.0, "cv": 0.2,
                         "kish_weighting_effect": 1.04, "effective_sample_size": 96}}
LOWERED = "1.1.1"  # appraised 0,5 below its maximum


def self_points(node):
    """Full marks; the bonus 1.5.2 claimed (0,5) and the penalty 1.2.2 admitted (0,5)."""
    if node.method is ScoringMethod.SELF_ASSESSED:
        return node.max_points
    return Decimal("0.5") if node.code in ("1.5.2", "1.2.2") else 0


def appraised_points(node):
    """The council lowers 1.1.1 by 0,5 and the penalty to 0,25; the bonus is recognised."""
    if node.code == LOWERED:
        return node.max_points - Decimal("0.5")
    if node.code == "1.2.2":
        return Decimal("0.25")
    return self_points(node)


@pytest.fixture
def scored(world):
    """T-2024 with D1 self-assessed and appraised (bonus and penalty in field 1) and a survey run."""
    with world.app_context():
        campaign = db.session.query(Campaign).one()
        d1 = next(cu.unit for cu in campaign.units if cu.unit.code == "D1")
        builders.assess(campaign, d1, self_points, appraised=appraised_points)
        run = builders.analysis_run(campaign, {"D1": FACTORS, "D2": dict(FACTORS, F1=(0.95, 0.01))})
        run.weighting = WEIGHTING
        builders.user("analyst1", Role.ANALYST, None)
        db.session.commit()
    return world


@pytest.fixture
def closed(scored):
    """``scored`` with appraisal closed: the campaign in fieldwork and analysis, publishable."""
    from survey_app.models import CampaignStatus
    with scored.app_context():
        campaign_by_code("T-2024").status = CampaignStatus.ANALYSIS
        db.session.commit()
    return scored


def page_fields(html: str) -> dict[str, list[str]]:
    """``{field code or "total": [max, self-assessed, appraised, index points]}`` of a units page."""
    return {code: NUM.findall(row) for code, row in FIELD_ROW.findall(html)}


def shown(value) -> str:
    return "—" if value is None else f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def test_every_reader_gives_the_same_field_totals_with_the_penalty_subtracted(scored, visitor, tmp_path):
    editor_page = visitor("editor").get("/units/T-2024/D1").get_data(as_text=True)
    appraiser_page = visitor("council").get("/units/T-2024/D1").get_data(as_text=True)
    fields = page_fields(editor_page)
    assert fields == page_fields(appraiser_page)
    # field 1 (maximum 10): self 10 + 0,5 bonus − 0,5 penalty; appraised 10 − 0,5 + 0,5 − 0,25
    assert fields["1"] == ["10,00", "10,00", "9,75", "9,75"]

    api = visitor("analyst1").get("/api/campaigns/T-2024/index/D1").get_json()
    assert {f["code"]: shown(f["points"]) for f in api["fields"]} == {
        code: row[3] for code, row in fields.items() if code != "total"}
    assert shown(api["total"]) == fields["total"][3]
    assert api["total"] == pytest.approx(sum(f["points"] for f in api["fields"]))
    assert (api["bonus"], api["penalty"]) == (0.5, 0.25)

    with scored.app_context():
        campaign = campaign_by_code("T-2024")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes(campaign, "vi", "D1"))).pages)
        write_results_xlsx(campaign, tmp_path / "results.xlsx")
    text = re.sub(r"\s+", " ", text)
    for code, row in fields.items():
        if code != "total":
            assert " ".join(row) in text, (code, row)
    assert f"Chỉ số CCHC: {fields['total'][3]} / 100" in text

    book = load_workbook(tmp_path / "results.xlsx", read_only=True)
    sheet = list(book["fields"].iter_rows(values_only=True))
    head = sheet[0]
    mine = [dict(zip(head, r)) for r in sheet[1:] if r[head.index("unit_code")] == "D1"]
    assert {r["field"]: shown(r["points"]) for r in mine} == {
        code: row[3] for code, row in fields.items() if code != "total"}
    assert {r["field"]: shown(r["appraised"]) for r in mine}["1"] == "9,75"
    index = list(book["index"].iter_rows(values_only=True))
    total = next(dict(zip(index[0], r)) for r in index[1:] if r[index[0].index("unit_code")] == "D1")
    assert shown(total["points"]) == fields["total"][3]


def test_a_unit_editor_sees_only_their_own_results_once_open(scored, visitor):
    editor = visitor("editor")
    assert editor.get("/units/T-2024/D1/results").status_code == 404  # not published, not opened
    assert "unit-results" not in editor.get("/units/T-2024/D1").get_data(as_text=True)
    with scored.app_context():
        campaign_by_code("T-2024").units_see_results = True
        db.session.commit()
    page = editor.get("/units/T-2024/D1/results")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="losses"' in html and "Kế hoạch cải thiện" in html
    assert LOWERED in html and "Dự thảo" in html
    planned = editor.get("/units/T-2024/D1/results?target_kind=grade&target=A")
    assert planned.status_code == 200 and 'id="plan-result"' in planned.get_data(as_text=True)
    assert editor.get("/units/T-2024/D1/results?target_kind=rank&target=99").status_code == 400
    assert editor.get("/units/T-2024/D2/results").status_code == 403  # another unit's
    assert editor.get("/units/T-2024/NOPE/results").status_code == 404
    assert visitor("council").get("/units/T-2024/D1/results").status_code == 403  # editors only
    assert visitor("analyst1").get("/units/T-2024/D1/results").status_code == 403


def publish(app, *extra):
    return app.test_cli_runner().invoke(args=[
        "campaign", "publish", "T-2024", "--decision", "12/QĐ-UBND", "--date", "2025-03-28",
        "--signer", "Chủ tịch UBND tỉnh", *extra])


def totals(document) -> dict[str, float]:
    return {u["code"]: u["total"] for u in document["units"]}


def later_analysis(app):
    """Run 2: D2 less satisfied on F1 (the draft moves, the publication must not)."""
    with app.app_context():
        run = builders.analysis_run(campaign_by_code("T-2024"), {"D1": FACTORS, "D2": FACTORS})
        run.number, run.weighting = 2, WEIGHTING
        db.session.commit()


def test_a_publication_stays_frozen_until_republished_with_a_reason(closed, visitor):
    scored = closed
    import hashlib
    from survey_app import filestore
    from survey_app.models import CampaignStatus
    from survey_app.results.official import current_publication

    result = publish(scored)
    assert result.exit_code == 0, result.output
    assert "version 1, decision 12/QĐ-UBND of 2025-03-28 (analysis run 1)" in result.output
    with scored.app_context():
        found = current_publication(campaign_by_code("T-2024"))
        assert hashlib.sha256(filestore.get(found.report_sha256)).hexdigest() == found.report_sha256
        assert found.campaign.status is CampaignStatus.PUBLISHED
        assert found.appraisal["units"]["D1"]["scores"]["1.2.2"] == [0.5, 0.25]
    public = scored.test_client()
    first = public.get("/api/campaigns/T-2024/index").get_json()
    assert first["publication"]["version"] == 1 and first["analysis_run"]["number"] == 1
    page = public.get("/campaigns/T-2024/results").get_data(as_text=True)
    assert "12/QĐ-UBND" in page and 'id="changes"' not in page

    later_analysis(scored)
    assert totals(public.get("/api/campaigns/T-2024/index").get_json()) == totals(first)
    assert public.get("/campaigns/T-2024/results").get_data(as_text=True) == page
    unit = public.get("/api/campaigns/T-2024/index/D2").get_json()
    assert unit["total"] == totals(first)["D2"]
    draft = visitor("analyst1").get("/analyst/campaigns/T-2024/index").get_data(as_text=True)
    assert "Đã công bố: phiên bản 1" in draft
    editor = visitor("editor").get("/units/T-2024/D1/results").get_data(as_text=True)
    assert "Đã công bố: phiên bản 1" in editor  # published: units see their own results

    refused = publish(scored)
    assert refused.exit_code != 0 and "phải có lý do" in refused.output
    again = publish(scored, "--reason", "Phân tích lại sau khi loại phiếu trùng")
    assert again.exit_code == 0, again.output
    second = public.get("/api/campaigns/T-2024/index").get_json()
    assert second["publication"]["version"] == 2 and second["analysis_run"]["number"] == 2
    assert second["units"] != first["units"] and totals(second)["D2"] < totals(first)["D2"]
    moved = {(c["unit"], c["figure"]) for c in second["publication"]["changes"]}
    assert ("D2", "total") in moved and ("D2", "field 8") in moved and ("D1", "total") not in moved
    page = public.get("/campaigns/T-2024/results").get_data(as_text=True)
    assert 'id="changes"' in page and "Thay đổi so với phiên bản 1" in page
    assert "Phân tích lại sau khi loại phiếu trùng" in page

    printed = scored.test_cli_runner().invoke(args=["index", "compute", "T-2024", "--published", "--json"])
    assert printed.exit_code == 0, printed.output
    import json
    stored = json.loads(printed.output)
    assert stored["publication"]["version"] == 2 and stored["publication"]["decision_number"] == "12/QĐ-UBND"
    assert totals(stored) == totals(second)


def test_the_publication_page_confirms_refuses_bad_input_and_publishes(closed, visitor):
    scored = closed
    from survey_app.results.official import current_publication

    analyst = visitor("analyst1")
    page = analyst.get("/analyst/campaigns/T-2024/publish").get_data(as_text=True)
    assert 'id="what-is-frozen"' in page and "lần phân tích 1" in page
    bad = analyst.post("/analyst/campaigns/T-2024/publish", {"decision_number": "mười hai", "decision_date": "31/02/2025",
                                                             "signer": "A"})
    assert bad.status_code == 400 and "dd/mm/yyyy" in bad.get_data(as_text=True)
    bad = analyst.post("/analyst/campaigns/T-2024/publish", {"decision_number": "mười hai",
                                                             "decision_date": "28/03/2025", "signer": "A"})
    assert bad.status_code == 400 and "123/QĐ-UBND" in bad.get_data(as_text=True)
    with scored.app_context():
        assert current_publication(campaign_by_code("T-2024")) is None
    done = analyst.post("/analyst/campaigns/T-2024/publish", {"decision_number": "7/QĐ-UBND",
                                                              "decision_date": "28/03/2025", "signer": "A"})
    assert done.status_code == 303
    with scored.app_context():
        found = current_publication(campaign_by_code("T-2024"))
        assert (found.version, found.decision_number, found.created_by.username) == (1, "7/QĐ-UBND", "analyst1")
    assert visitor("editor").get("/analyst/campaigns/T-2024/publish").status_code == 403


@pytest.mark.parametrize("status", ["draft", "self_assessment", "appraisal"])
def test_results_are_not_published_before_appraisal_is_closed(scored, visitor, status):
    from survey_app.models import CampaignStatus
    from survey_app.results.official import current_publication

    with scored.app_context():
        campaign_by_code("T-2024").status = CampaignStatus(status)
        db.session.commit()
    refused = publish(scored)
    assert refused.exit_code != 0 and "Chưa kết thúc thẩm định" in refused.output
    page = visitor("analyst1").post("/analyst/campaigns/T-2024/publish", {
        "decision_number": "7/QĐ-UBND", "decision_date": "28/03/2025", "signer": "A"})
    assert page.status_code == 400 and "Chưa kết thúc thẩm định" in page.get_data(as_text=True)
    with scored.app_context():
        campaign = campaign_by_code("T-2024")
        assert current_publication(campaign) is None and campaign.status is CampaignStatus(status)
