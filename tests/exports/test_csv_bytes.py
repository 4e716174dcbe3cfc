"""The columnar export (:func:`~survey_app.exports.submissions.batches`, cells converted per
distinct value, CSV lines joined by Arrow) writes exactly what the per-row export wrote: the
reference here is that export, kept as it was (one Python row per submission read from its
document, ``_cell`` per answer, ``csv.writer`` with every cell neutralised). Compared byte for byte
on the demo (both questionnaires, codes and labels, vi and en) and on answers written to break it:
commas, quotes and line breaks, formula starts, empty and missing answers, Vietnamese text, and
documents written around the platform (numbers, true/false, lists and objects stored as such).
The XLSX rows and the .sav/.dta frames are compared with the reference's the same way.
"""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import select, text, update

from survey_app.exports import cells, statfiles, writers
from survey_app.exports.design import design_weights, questionnaire_for
from survey_app.exports.submissions import Batch, ExportSpec, mode_of, rows, variables
from survey_app.extensions import db
from survey_app.models import AdminUnit, SampleCase, Submission
from survey_app.queries import campaign_by_code

FORM, STAFF = "sipas_citizen", "cbcc_staff"
MISSING = object()


@pytest.fixture
def ctx(demo_app):
    with demo_app.app_context():
        yield campaign_by_code("HNM-2024")
        db.session.rollback()


def _cell(variable, value, labels: bool):
    """The per-row export's answer cell."""
    if value is None or value == "":
        return None
    if isinstance(value, (list, dict)):
        value = " ".join(map(str, value)) if isinstance(value, list) else str(value)
    if labels and variable.choices:
        return variable.handler.export_label(str(value), variable.choices)
    return value


def reference_rows(spec: ExportSpec) -> list[list]:
    """The per-row export's rows: one query by id, each document's answers cell by cell."""
    columns, weights = variables(spec), design_weights(spec.campaign, spec.form_id)
    query = (select(Submission.instance_uuid, AdminUnit.code, Submission.review_state, SampleCase.stratum,
                    SampleCase.cluster, SampleCase.selection_probability, Submission.answers, Submission.channel)
             .join(AdminUnit, AdminUnit.id == Submission.unit_id)
             .outerjoin(SampleCase, SampleCase.id == Submission.case_id)
             .where(Submission.campaign_id == spec.campaign.id,
                    Submission.questionnaire_id == questionnaire_for(spec.form_id).id)
             .order_by(Submission.id))
    out = []
    for i, (uuid, unit_code, state, stratum, cluster, probability, answers, channel) in enumerate(
            db.session.execute(query)):
        if weights.design == "staff":
            stratum, cluster = unit_code, uuid
        design = {"instance_uuid": uuid, "unit_code": unit_code, "review_state": state.value,
                  "channel": channel.value, "mode": mode_of(channel.value),
                  "stratum": stratum, "psu": cluster or (uuid if stratum else None),
                  "selection_probability": probability,
                  "base_weight": None if weights.base_weight[i] != weights.base_weight[i] else float(
                      weights.base_weight[i]),
                  "weight": None if weights.weight[i] != weights.weight[i] else float(weights.weight[i]),
                  "analysed": int(weights.analysed[i])}
        out.append([design.get(v.name) if v.kind == "design" else _cell(v, answers.get(v.name), spec.labels)
                    for v in columns])
    return out


def python_csv(lines) -> bytes:
    """``lines`` as Python's csv module writes them (QUOTE_MINIMAL, ``\\r\\n``), every cell
    neutralised, after a BOM, in UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for line in lines:
        writer.writerow([cells.neutralised(cell) for cell in line])
    return buffer.getvalue().encode("utf-8")


def reference_csv(spec: ExportSpec) -> bytes:
    return python_csv([[v.name for v in variables(spec)], *reference_rows(spec)])


def reference_frame(spec: ExportSpec, kind: str) -> pd.DataFrame:
    """The per-row export's .sav/.dta frame: every row read, then each column converted whole."""
    columns = variables(ExportSpec(spec.campaign, spec.form_id, spec.locale))
    data = list(zip(*reference_rows(ExportSpec(spec.campaign, spec.form_id, spec.locale)))) or [[] for _ in columns]
    names = [statfiles.safe_name(v.name) for v in columns]
    frame = pd.DataFrame({n: statfiles._convert(v, list(d)) for n, v, d in zip(names, columns, data)})
    return statfiles.missing_declarations(frame, names, columns, kind)[0]


def _exported(spec: ExportSpec, tmp_path) -> bytes:
    written = writers.write_csv(spec, tmp_path / "export.csv").read_bytes()
    assert "".join(writers.csv_chunks(spec)).encode("utf-8") == written
    return written


@pytest.mark.parametrize("form", [FORM, STAFF])
@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("labels", [False, True])
def test_the_demos_csv_is_the_per_row_writers_byte_for_byte(ctx, tmp_path, form, locale, labels):
    spec = ExportSpec(ctx, form, locale, labels)
    expected = reference_csv(spec)
    assert expected.count(b"\r\n") > 20
    assert _exported(spec, tmp_path) == expected


#: Answers written to break the writer, given to consecutive submissions (MISSING: no key).
TEXTS = ["Góp ý, có dấu phẩy", 'Nói "rất tốt"', "dòng 1\ndòng 2", "dòng 1\r\ndòng 2", "cr\rmột mình",
         '=HYPERLINK("http://example.invalid/?x="&A1,"Xem")', "+84 912", "-x", "@SUM(A1)", "\tthụt", "\rđầu",
         "", MISSING, "  khoảng trắng  ", "Ủy ban nhân dân phường Điện Biên", "😀 biểu tượng", '"', ",", "-5",
         "1.50", "true", "[x]", '{"a": 1}', "nan", "007", "1e5", 5, -5, 2.5, 1e-07, 10 ** 20, True, False, None,
         [], ["a", "b"], [1, 2], {"a": 1}, "'đã có dấu nháy"]
CHOICES = ["leadership legal", ["leadership", "legal"], [], ["capacity"], "unknown_code", "", MISSING,
           "leadership,legal", 3, "staffing"]
CODES = [4, "4", -1, "9", "x,y", 9, True, "", MISSING, ["4"], "=4", 4.0]
NUMBERS = [12, "12", "-3", -3, 2.5, True, "", MISSING, "1.50", 0, "abc", 10 ** 20, -0.5]
#: Number literals written into the documents by SQL, as JSON text a Python client never writes.
LITERALS = {"postgresql": "UPDATE submission SET answers = jsonb_set(answers, '{{{key}}}', '{value}'::jsonb) "
                          "WHERE id = :id",
            "sqlite": "UPDATE submission SET answers = json_set(answers, '$.{key}', json('{value}')) WHERE id = :id"}


def _break(ctx, form: str, values: dict[str, list], literals: dict[str, list]) -> None:
    """Give the first submissions of ``form`` these answers (the i-th value to the i-th one)."""
    found = db.session.scalars(select(Submission).where(
        Submission.campaign_id == ctx.id, Submission.questionnaire_id == questionnaire_for(form).id)
        .order_by(Submission.id).limit(60)).all()
    for key, given in values.items():
        for submission, value in zip(found, given):
            answers = dict(submission.answers)
            if value is MISSING:
                answers.pop(key, None)
            else:
                answers[key] = value
            submission.answers = answers
    db.session.flush()
    sql = LITERALS[db.session.connection().dialect.name]
    for key, given in literals.items():
        for submission, value in zip(reversed(found), given):
            db.session.execute(text(sql.format(key=key, value=value)), {"id": submission.id})
    db.session.expire_all()


BROKEN = {FORM: ({"suggestion": TEXTS, "sat_c01": CODES, "service_used_other": list(reversed(TEXTS))},
                 {"sat_c02": ["1.50", "4.0", "-0", "1E2", "4"]}),
          STAFF: ({"suggestion": TEXTS, "obstacles": CHOICES, "years_service": NUMBERS, "rating_overall": CODES},
                  {"years_service": ["1.50", "2.0", "1E3", "-7", "0.0000001", "12"]})}


@pytest.mark.parametrize("form", [FORM, STAFF])
def test_answers_written_to_break_it_are_exported_as_before(ctx, tmp_path, form):
    _break(ctx, form, *BROKEN[form])
    for locale, labels in (("vi", False), ("vi", True), ("en", True)):
        spec = ExportSpec(ctx, form, locale, labels)
        expected = reference_csv(spec)
        assert _exported(spec, tmp_path) == expected, (locale, labels)
        assert [[(type(c), c) for c in r] for r in rows(spec)] == \
               [[(type(c), c) for c in r] for r in reference_rows(spec)], (locale, labels)
    assert b"'=HYPERLINK" in expected and '"dòng 1\r\ndòng 2"'.encode() in expected
    for kind in ("sav", "dta"):
        frame = statfiles.typed_frame(ExportSpec(ctx, form, "vi"), kind)[0]
        pd.testing.assert_frame_equal(frame, reference_frame(ExportSpec(ctx, form, "vi"), kind))


@pytest.mark.parametrize("kind", ["sav", "dta"])
@pytest.mark.parametrize("form", [FORM, STAFF])
def test_the_demos_statistical_frames_are_the_per_row_exports(ctx, kind, form):
    spec = ExportSpec(ctx, form, "en")
    pd.testing.assert_frame_equal(statfiles.typed_frame(spec, kind)[0], reference_frame(spec, kind))


CELLS = ["a", None, "", " x ", "a,b", 'q"q', '""', "l\nm", "r\rs", "r\r\ns", "=1+2", "+1", "-1", "@x", "\tx", "\rx",
         "'x", "Đồng ý", "😀", ",", "\n", "x\x00y", "; ", "trailing,"]


def test_fields_are_pythons_csv_cell_for_cell():
    """Without a database: every kind of column :func:`writers.csv_fields` takes, against
    ``csv.writer``, in one batch and in batches of one row."""
    floats = [0.1, 1.0, 0.0, 1e-05, 1e20, 123456789.123, 2.5, None, -0.0, 1 / 3, 5e-324, 1.7976931348623157e308]
    mixed = np.array([-5, "-5", 2.5, True, None, "=x", 'a"b', 10 ** 20, "", False], dtype=object)
    count = len(CELLS)
    columns = [pa.array(CELLS, pa.string()),
               pa.array(CELLS[::-1], pa.string()).dictionary_encode(),
               pa.array((floats * 3)[:count], pa.float64()),
               pa.array(list(range(-3, count - 3)), pa.int64()),
               np.resize(mixed, count),
               pa.array(["x"] * count, pa.string())]  # one distinct value: written once
    cells = [[None if isinstance(v, float) and v != v else v for v in
              (c.tolist() if isinstance(c, np.ndarray) else c.to_pylist())] for c in columns]
    expected = python_csv(zip(*cells))[len("\ufeff".encode()):]
    lines = writers.csv_lines(Batch(columns, count))
    assert writers._line_bytes(lines, 0, count) == expected
    assert b"".join(writers._line_bytes(lines, i, i + 1) for i in range(count)) == expected
    sliced = writers.csv_lines(Batch([c[3:9] for c in columns], 6))
    assert writers._line_bytes(sliced, 0, 6) == python_csv(list(zip(*cells))[3:9])[3:]


@pytest.mark.parametrize("form", [FORM, STAFF])
def test_a_form_without_submissions_is_its_header(ctx, tmp_path, form):
    other = campaign_by_code("NBH-2025")
    db.session.execute(update(Submission).where(Submission.campaign_id == ctx.id,
                                                Submission.questionnaire_id == questionnaire_for(form).id)
                       .values(campaign_id=other.id))
    spec = ExportSpec(ctx, form, "vi", labels=True)
    assert _exported(spec, tmp_path) == reference_csv(spec) == python_csv([[v.name for v in variables(spec)]])
    assert list(rows(spec)) == []
    for kind in ("sav", "dta"):
        frame = statfiles.typed_frame(ExportSpec(ctx, form, "vi"), kind)[0]
        pd.testing.assert_frame_equal(frame, reference_frame(ExportSpec(ctx, form, "vi"), kind))
        assert len(frame) == 0
