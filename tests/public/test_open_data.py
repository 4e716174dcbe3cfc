"""Open data of the demo's publication (HNM-2024, decision 512/QĐ-UBND): every figure the public
API gives is in the JSON, CSV and XLSX files with the same value; the dictionary names every
column; unpublished campaigns and bad versions are 404, bad formats 400; the public page links
the files and shows the satisfaction per unit and factor with its interval."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from survey_app.results.opendata import TABLES, columns

CODE = "HNM-2024"
BASE = f"/campaigns/{CODE}/results/v1/open-data"


@pytest.fixture(scope="module")
def opened(demo_app):
    client = demo_app.test_client()
    response = client.get(f"{BASE}.json")
    assert response.status_code == 200
    return client, json.loads(response.data)


def _by_key(rows, *keys):
    return {tuple(r[k] for k in keys): r for r in rows}


def _same(stored, text: str, cell) -> bool:
    """A JSON value equals its CSV text exactly and its XLSX cell to Excel's 15 digits."""
    if stored is None or stored == "":
        return text == "" and cell in (None, "")
    if isinstance(stored, bool) or not isinstance(stored, (int, float)):
        return text == str(stored) and cell == stored
    return float(text) == stored and cell == pytest.approx(stored, rel=1e-14, abs=0)


def test_the_json_holds_every_figure_of_the_public_api(opened):
    client, data = opened
    assert data["publication"]["decision_number"] == "512/QĐ-UBND" and data["publication"]["version"] == 1
    api = client.get(f"/api/campaigns/{CODE}/index").get_json()
    index = _by_key(data["tables"]["index"], "unit_code", "field")
    assert len(api["units"]) == 54 and len(index) == len(data["tables"]["index"])
    for unit in api["units"]:
        total = index[(unit["code"], "TOTAL")]
        assert (total["points"], total["se"], [total["ci_low"], total["ci_high"]]) == \
            (unit["total"], unit["se"], unit["ci"])
        assert [total["rank_low"], total["rank_high"]] == unit["rank_interval"]
        assert (total["rank"], total["class"], total["percent"], total["level"]) == \
            (unit["rank"], unit["class"], unit["percent"], unit["level"])
        for field in unit["fields"]:
            row = index[(unit["code"], field["code"])]
            assert (row["points"], row["max_points"]) == (field["points"], field["max_points"])


def test_every_survey_indicator_of_a_unit_equals_the_api(opened):
    client, data = opened
    leaves = _by_key(data["tables"]["sub_criteria"], "unit_code", "code")
    estimates = _by_key(data["tables"]["indicators"], "unit_code", "statistic", "variable")
    checked = 0
    for code in [u["code"] for u in client.get(f"/api/campaigns/{CODE}/index").get_json()["units"]]:
        unit = client.get(f"/api/campaigns/{CODE}/index/{code}").get_json()
        for leaf in unit["sub_criteria"]:
            row = leaves[(code, leaf["code"])]
            assert (row["points"], row["max_points"], row["source"]) == \
                (leaf["points"], leaf["max_points"], leaf["source"])
            found = leaf.get("indicator")
            if found:
                stored = estimates[(code, found["statistic"], found["variable"])]
                assert round(stored["estimate"], 6) == found["estimate"]
                assert round(stored["se"], 6) == found["se"] and stored["n"] == found["n"]
                assert stored["ci_low"] <= stored["estimate"] <= stored["ci_high"]
                checked += 1
    assert checked > 0
    overall = [r for r in data["tables"]["indicators"] if r["variable"] == "overall" and r["unit_code"]]
    assert len({r["unit_code"] for r in overall}) == 54


def test_csv_and_xlsx_hold_the_same_rows_and_the_dictionary_names_every_column(opened):
    client, data = opened
    book = load_workbook(io.BytesIO(client.get(f"{BASE}.xlsx").data), read_only=True)
    described = {(r["table"], r["column"]) for r in data["dictionary"]}
    for table in TABLES:
        text = client.get(f"{BASE}.csv?table={table}").data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == columns(table) and len(rows) - 1 == len(data["tables"][table])
        sheet = [list(r) for r in book[table].iter_rows(values_only=True)]
        assert list(sheet[0]) == rows[0] and len(sheet) == len(rows)
        assert {(table, c) for c in rows[0]} <= described
        for text_row, cells, stored in zip(rows[1:], sheet[1:], data["tables"][table]):
            for name, text_value, cell in zip(rows[0], text_row, cells):
                assert _same(stored[name], text_value, cell), (table, name)
    dictionary = list(csv.reader(io.StringIO(client.get(f"{BASE}.csv?table=dictionary").data.decode("utf-8-sig"))))
    assert dictionary[0] == ["table", "column", "description_vi", "description_en"]
    assert all(vi and en for _, _, vi, en in dictionary[1:]) and len(dictionary) - 1 == len(described)
    assert [list(r) for r in book["dictionary"].iter_rows(values_only=True)] == dictionary


def test_unpublished_campaigns_bad_versions_and_formats_are_refused(demo_app):
    client = demo_app.test_client()
    assert client.get("/campaigns/NBH-2025/results/v1/open-data.json").status_code == 404
    assert client.get("/campaigns/NOPE/results/v1/open-data.json").status_code == 404
    assert client.get(f"/campaigns/{CODE}/results/v9/open-data.xlsx").status_code == 404
    assert client.get(f"/campaigns/{CODE}/results/vx/open-data.json").status_code == 404
    assert client.get(f"{BASE}.pdf").status_code == 400
    assert client.get(f"{BASE}.csv?table=users").status_code == 400


def test_the_public_page_links_the_files_and_shows_satisfaction_with_intervals(opened):
    client, data = opened
    page = client.get(f"/campaigns/{CODE}/results").get_data(as_text=True)
    assert f"{BASE}.xlsx" in page and "512/QĐ-UBND" in page and 'id="satisfaction-' in page
    unit = data["tables"]["index"][0]["unit_code"]
    row = next(r for r in data["tables"]["indicators"]
               if r["unit_code"] == unit and r["statistic"] == "pct_satisfied" and r["variable"] == "overall")
    shown = f"{100 * row['estimate']:.1f}".replace(".", ",")
    low = f"{100 * row['ci_low']:.1f}".replace(".", ",")
    chunk = page.split(f'data-unit="{unit}"')[-1].split("</tr>")[0]
    assert shown + "%" in chunk and f"({low}–" in chunk


def test_the_reports_level_averages_and_response_rates_are_in_the_open_data(demo_app, opened):
    """Every figure of the PDF's level-average and response-rate tables equals the file's."""
    from survey_app.queries import campaign_by_code
    from survey_app.reports.data import build_report
    _, data = opened
    with demo_app.app_context():
        report = build_report(campaign_by_code(CODE), "vi")
        averages = {(level, variable): found for level, by_variable in report.averages.items()
                    for variable, found in by_variable.items() if found}
        sample = {row["unit"].code: row for row in report.sample}
        totals = report.sample_totals
    rows = _by_key(data["tables"]["level_averages"], "level", "variable")
    assert len(averages) == len(rows) == 3 * (1 + 5 + 22)
    for key, found in averages.items():
        row = rows[key]
        assert (row["estimate"], row["se"], row["ci_low"], row["ci_high"], row["n"]) == \
            (found.estimate, found.se, found.ci_low, found.ci_high, found.n), key
    rates = {row["unit_code"]: row for row in data["tables"]["response_rates"]}
    assert len(rates) == len(sample) + 1 == 55
    figures = ("target", "cases", "completed", "refused", "no_contact", "pending", "response_rate")
    for code, row in sample.items():
        assert [rates[code][k] for k in figures] == [row[k] for k in figures] and rates[code]["level"] == row["level"]
    assert [rates["TOTAL"][k] for k in figures] == [totals[k] for k in figures]
    assert 0 < totals["response_rate"] < 100


def test_the_published_page_says_pending_only_when_a_survey_sub_criterion_has_no_result(opened):
    """The demo's run scores every survey sub-criterion (citizens' and staff questionnaires): the
    page must not tell readers that some are pending; a unit without its results would be."""
    client, _ = opened
    page = client.get(f"/campaigns/{CODE}/results").get_data(as_text=True)
    assert "Kết quả điều tra: lần phân tích số" in page
    assert "được ghi là đang chờ" not in page
