"""A questionnaire's submissions read as columns straight from the database: one streamed query
with a column per answer key (PostgreSQL's JSONB ``->>``; SQLite's JSON1 ``json_extract``), no
ORM object per submission and no answer document parsed in Python.

PostgreSQL sends the query's rows as CSV (``COPY (SELECT …) TO STDOUT``) and Arrow's CSV reader
turns them into columns; SQLite, in the process, is read in batches of rows. Every answer arrives
as text and is typed once per column (:func:`typed_answers`). The answer keys are those of the
questionnaire's versions; a key a definition does not name (an older form's, a calculation
written by a client) comes back in one more column, the document without the known keys
(``answers - keys`` / ``json_remove``), which is ``{}`` in every ordinary row and parsed only
where it is not.
"""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Text, cast, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from survey_app.models import AdminUnit, Questionnaire, SampleCase, Submission
from survey_app.questionnaire.answers import answer_keys, repeat_of

#: Text of a whole number as an XForm instance writes it (no sign ``+``, no leading zero):
#: such a column reads back as numbers without changing a single value's text.
WHOLE_NUMBER = r"^-?(0|[1-9][0-9]{0,17})$"
BATCH = 20_000


def questionnaire_keys(questionnaire: Questionnaire) -> tuple[list[str], list[str]]:
    """(the top-level answer keys of every version in order, the repeats' names): a repeat
    holds a list, never an analysis column."""
    keys: dict[str, None] = {}
    repeats: dict[str, None] = {}
    for version in questionnaire.versions:
        questions = (version.definition or {}).get("questions", [])
        by_path, names = {q["path"]: q for q in questions}, answer_keys(questions)
        for q in questions:
            if q["type"] == "repeat" and repeat_of(q, by_path) is None:
                repeats[q["name"]] = None
            elif repeat_of(q, by_path) is None and q["type"] not in ("group", "note"):
                keys[names[q["path"]]] = None
    return list(keys), [r for r in repeats if r not in keys]


def submission_columns(campaign_id: int, questionnaire_id: int, fixed: dict, keys: list[str],
                       known: list[str], dialect: str):
    """The query: ``fixed`` columns (label → expression), the document without the ``known``
    keys (``rest``), then one text column per answer key (``a0``, ``a1``, …), by id."""
    answers = Submission.__table__.c.answers
    if dialect == "postgresql":
        rest = answers.op("-")(postgresql.array([literal(k) for k in known], type_=Text))
        extract = [answers.op("->>")(literal(k)) for k in keys]
    else:
        rest = func.json_remove(answers, *[_path(k) for k in known]) if known else answers
        extract = [cast(func.json_extract(answers, _path(k)), Text) for k in keys]
    columns = [e.label(name) for name, e in fixed.items()] + [cast(rest, Text).label("rest")]
    columns += [e.label(f"a{i}") for i, e in enumerate(extract)]
    return (select(*columns).select_from(Submission)
            .join(AdminUnit, AdminUnit.id == Submission.unit_id)
            .outerjoin(SampleCase, SampleCase.id == Submission.case_id)
            .where(Submission.campaign_id == campaign_id, Submission.questionnaire_id == questionnaire_id)
            .order_by(Submission.id))


def _path(key: str) -> str:
    return '$."' + key.replace('"', '\\"') + '"'


def read_table(connection: Connection, query) -> pa.Table:
    """Every column of ``query`` as text (nulls kept), read in one stream."""
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    names = [c.name for c in query.selected_columns]
    if connection.dialect.name == "postgresql":
        return _read_copy(connection, sql, names)
    return _read_rows(connection, sql, names)


def _read_copy(connection: Connection, sql: str, names: list[str]) -> pa.Table:
    buffer = io.BytesIO()
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for chunk in copy:
                buffer.write(chunk)
    if not buffer.tell():
        return pa.table({n: pa.array([], pa.string()) for n in names})
    options = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                   strings_can_be_null=True, quoted_strings_can_be_null=False)
    return pacsv.read_csv(pa.BufferReader(buffer.getbuffer()),
                          read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
                          convert_options=options)


def _read_rows(connection: Connection, sql: str, names: list[str]) -> pa.Table:
    columns: list[list] = [[] for _ in names]
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(BATCH):
            for values, column in zip(zip(*batch), columns):
                column.extend(values)
    finally:
        cursor.close()
    return pa.table({n: pa.array([None if v is None else str(v) for v in c] if c and not _all_text(c) else c,
                                 pa.string()) for n, c in zip(names, columns)})


def _all_text(values: list) -> bool:
    return all(v is None or type(v) is str for v in values)


def extra_answers(rest: pa.ChunkedArray) -> dict[str, np.ndarray]:
    """Scalar answers under keys no definition names, as the JSON documents hold them (a number
    stays a number), NaN where missing: read from the ``rest`` documents that are not ``{}``."""
    odd = np.flatnonzero(pc.not_equal(pc.fill_null(rest, "{}"), "{}").to_numpy(zero_copy_only=False))
    found: dict[str, list] = {}
    for position, text in zip(odd, rest.take(pa.array(odd, pa.int64())).to_pylist()):
        for key, value in json.loads(text).items():
            if isinstance(value, (str, int, float)):
                found.setdefault(key, [np.nan] * len(rest))[position] = value
    return {key: pd.Series(values).to_numpy() for key, values in found.items()}


def typed_answers(column: pa.ChunkedArray | np.ndarray) -> tuple[np.ndarray | None, bool]:
    """One answer column as the analysis reads it: whole numbers as the smallest integer dtype
    (float with NaN where some answers are missing, as ``pd.to_numeric`` gives), other text as
    strings (NaN where missing); (None, False) when no row answers. The flag says the column
    was read as numbers. A column of :func:`extra_answers` is kept as it is."""
    if isinstance(column, np.ndarray):
        return (column if pd.notna(column).any() else None), False
    present = pc.is_valid(column)
    count = pc.sum(present).as_py() or 0
    if not count:
        return None, False
    if pc.all(pc.match_substring_regex(pc.drop_null(column), WHOLE_NUMBER)).as_py():
        numbers = pc.cast(column, pa.int64())
        if count < len(column):
            return numbers.to_numpy(zero_copy_only=False).astype(float), True
        low, high = pc.min_max(numbers).values()
        return numbers.to_numpy(zero_copy_only=False).astype(_smallest(low.as_py(), high.as_py())), True
    values = column.to_pandas().to_numpy(dtype=object)
    if count < len(column):
        values[~present.to_numpy(zero_copy_only=False)] = np.nan
    return values, False


def _smallest(low: int, high: int) -> np.dtype:
    for dtype in (np.int8, np.int16, np.int32, np.int64):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


def text_column(column) -> np.ndarray:
    """A text column as an object array of strings, None where missing."""
    return column.to_pandas().to_numpy(dtype=object)


def as_frame(table: pa.Table, names: list[str]) -> pd.DataFrame:
    """The named columns of ``table`` as a pandas frame of strings (None where missing)."""
    return pd.DataFrame({n: text_column(table.column(n)) for n in names})
