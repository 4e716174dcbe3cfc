"""The data package reproduces the publication outside the platform: the generated ``analysis.R``,
run by R's survey package on the exported files, gives the published % satisfied (and mean scores)
per unit, factor and criterion with their SEs and intervals; ``analysis.do`` uses Stata's survey
commands on the exported variables; the design sheet holds the targets the weights were raked to.

Under ``CI=true`` a missing ``Rscript`` fails (Debian package ``r-cran-survey``); elsewhere the R
test is skipped.
"""
from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from survey_app.exports import writers
from survey_app.exports.package import write_package
from survey_app.exports.submissions import ExportSpec
from survey_app.queries import campaign_by_code
from survey_app.results.official import current_publication
from tests.programs import need_program

FORM = "sipas_citizen"
FACTORS = ["F1", "F2", "F3", "F4", "F5", "overall"]


def need_rscript() -> str:
    return need_program("Rscript", "to run the generated analysis.R (apt-get install r-cran-survey)")


@pytest.fixture(scope="module")
def package(demo_app, tmp_path_factory):
    """The demo's data package, unpacked: ``(folder, published estimates as a frame)``."""
    folder = tmp_path_factory.mktemp("package")
    with demo_app.app_context():
        campaign = campaign_by_code("HNM-2024")
        write_package(ExportSpec(campaign, FORM, "vi"), folder / "package.zip")
        run = current_publication(campaign).run
        published = pd.DataFrame([{"unit_code": e.unit_code, "statistic": e.statistic, "variable": e.variable,
                                   "estimate": e.estimate, "se": e.se, "ci_low": e.ci_low,
                                   "ci_high": e.ci_high, "df": e.df, "n": e.n} for e in run.estimates])
    with zipfile.ZipFile(folder / "package.zip") as archive:
        archive.extractall(folder)
    return folder, published


def test_the_package_holds_data_codebook_design_and_both_scripts(package):
    folder, _ = package
    for name in ("data.csv", "data.sav", "data.dta", "codebook.csv", "design.csv", "analysis.R", "analysis.do",
                 "README.txt"):
        assert (folder / name).stat().st_size > 0, name


def test_r_script_recomputes_the_published_satisfaction(package):
    rscript = need_rscript()
    folder, published = package
    run = subprocess.run([rscript, "analysis.R"], cwd=folder, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "figures written to figures_r.csv" in run.stdout
    ours = pd.read_csv(folder / "figures_r.csv", dtype={"unit_code": str})
    shares = published[published["statistic"].isin(["pct_satisfied", "mean_score"])
                       & ~published["variable"].str.startswith(("f8_", "rating_"))]
    both = shares.merge(ours, on=["unit_code", "statistic", "variable"], how="left", suffixes=("", "_r"))
    assert len(shares) == 54 * 2 * (22 + 6 + 1) and both["estimate_r"].notna().all()
    factors = both[both["variable"].isin(FACTORS) & (both["statistic"] == "pct_satisfied")]
    assert len(factors) == 54 * 6
    for column in ("estimate", "se", "ci_low", "ci_high"):
        assert (both[column] - both[f"{column}_r"]).abs().max() < 1e-6, column
    assert (both["df"] == both["df_r"]).all() and (both["n"] == both["n_r"]).all()


def _stata_reads(script: str) -> set[str]:
    """The variables of the export the .do file reads: design, raking cells' answers, items."""
    patterns = (r"^svyset (\w+)", r"pweight = (\w+)", r"strata\((\w+)\)", r"inrange\((\w+),",
                r"& (\w+) == \d", r"keep if (\w+) ==", r"levelsof (\w+)")
    return {name for pattern in patterns for name in re.findall(pattern, script, re.M)}


def test_stata_script_uses_svy_commands_on_the_exported_variables(package):
    folder, _ = package
    script = (folder / "analysis.do").read_text(encoding="utf-8")
    data, _ = pyreadstat.read_dta(str(folder / "data.dta"), metadataonly=True)
    for command in ("svyset psu [pweight = base_weight], strata(stratum)", "rake(ibn.rake_sex ibn.rake_age",
                    "svy, subpop(if unit_code ==", ": ratio", ": proportion", "lincom", 'use "data.dta"',
                    "keep if analysed == 1"):
        assert command in script, command
    reads = _stata_reads(script)
    assert {"psu", "base_weight", "stratum", "unit_code", "analysed", "sex", "age_group", "sat_c01", "sat_c22",
            "sat_overall"} <= reads
    assert reads <= set(data.columns)


def test_stata_totals_are_the_design_sheets_targets(package):
    folder, _ = package
    script = (folder / "analysis.do").read_text(encoding="utf-8")
    totals = [float(x) for x in re.search(r"matrix totals = \((.*)\)", script).group(1).split(",")]
    design = pd.read_csv(folder / "design.csv", encoding="utf-8-sig", dtype=str)
    assert sorted(totals) == sorted(design["population"].astype(float))


def test_design_sheet_holds_the_targets_the_weights_are_raked_to(package):
    """Per unit and sex (and age group), the exported weights add up to the sheet's population."""
    folder, _ = package
    design = pd.read_csv(folder / "design.csv", encoding="utf-8-sig", dtype=str)
    data = pd.read_csv(folder / "data.csv", encoding="utf-8-sig", dtype=str)
    kept = data[data["analysed"] == "1"].assign(weight=lambda f: f["weight"].astype(float))
    assert design["unit_code"].nunique() == 54 and design["unit_name"].str.len().min() > 0
    assert set(design["level"]) == {"commune", "district", "department"}
    for row in design.itertuples():
        inside = kept[kept["unit_code"] == row.unit_code]
        if row.code != "*":
            inside = inside[inside[row.variable] == row.code]
        assert inside["weight"].sum() == pytest.approx(float(row.population), rel=1e-8), row
    ages = design[design["variable"] == "age_group"]
    assert dict(zip(ages["code"], ages["file_code"])) == {"18_29": "1", "30_44": "2", "45_59": "3", "60_plus": "4"}


def test_xlsx_export_has_the_design_sheet(demo_app, tmp_path, package):
    folder, _ = package
    with demo_app.app_context():
        writers.write_xlsx(ExportSpec(campaign_by_code("HNM-2024"), FORM, "vi"), tmp_path / "data.xlsx")
    book = openpyxl.load_workbook(tmp_path / "data.xlsx", read_only=True)
    sheet = [[("" if c is None else str(c)) for c in row] for row in book["design"].iter_rows(values_only=True)]
    text = (folder / "design.csv").read_text(encoding="utf-8-sig")
    expected = [row for row in csv.reader(io.StringIO(text))]
    assert [r[:6] for r in sheet] == [r[:6] for r in expected]
    assert [float(r[8]) for r in sheet[1:]] == [float(r[8]) for r in expected[1:]]


def test_the_export_page_offers_the_package_as_a_job(demo_client, demo_auth):
    demo_auth.login("analyst")
    page = demo_client.get("/analyst/campaigns/HNM-2024/report").get_data(as_text=True)
    assert 'value="package"' in page and 'value="design"' in page
    assert "Gói dữ liệu kèm tệp lệnh R và Stata tính lại kết quả (.zip)" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    started = demo_client.post("/analyst/campaigns/HNM-2024/exports", data={
        "csrf_token": token, "format": "package", "labels": "labels", "lang": "vi", "form": FORM})
    assert started.status_code == 303
    job = demo_client.get(started.headers["Location"])
    assert job.status_code == 200 and "100" in job.get_data(as_text=True)
    download = demo_client.get(started.headers["Location"] + "/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert {"analysis.R", "analysis.do", "design.csv", "data.csv"} <= set(archive.namelist())
    data = archive.read("data.csv").decode("utf-8-sig")
    assert data.startswith("instance_uuid,unit_code,") and "Rất hài lòng" not in data  # codes, for the scripts
