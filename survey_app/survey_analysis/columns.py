"""A questionnaire's submissions read as columns straight from the database: one streamed query,
no ORM object per submission.

PostgreSQL extracts a column per answer key (JSONB ``->>``) and sends the rows as CSV (``COPY
(SELECT …) TO STDOUT``), which Arrow's CSV reader turns into columns. SQLite, in the process, is
read in batches of rows whose answer documents are decoded by one ``json.loads`` per batch: its
JSON1 ``json_extract`` parses the whole document again for every key asked, five times slower
for a 75-question form. Every answer is then text, typed once per column (:func:`typed_answers`).
The answer keys are those of the questionnaire's versions; a key no definition names (an older
form's, a calculation written by a client) comes back in one more column, the document without
the known keys (``answers - keys`` on PostgreSQL), which is ``{}`` in every ordinary row and
parsed only where it is not.
"""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Text, cast, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from survey_app.models import AdminUnit, Questionnaire, SampleCase, Submission
from survey_app.questionnaire.answers import answer_keys, repeat_of

#: Text of a whole number as an XForm instance writes it (no sign ``+``, no leading zero):
#: such a column reads back as numbers without changing a single value's text.
WHOLE_NUMBER = r"^-?(0|[1-9][0-9]{0,17})$"
BATCH = 10_000


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


def submission_columns(campaign_id: int, questionnaire_id: int, fixed: dict, keys: list[str] = (),
                       known: list[str] | None = None, dialect: str = "sqlite"):
    """The query: ``fixed`` columns (label → expression), the document without the ``known``
    keys (``rest``, left out for ``None``), then one text column per answer key (``a0``, ``a1``,
    …), by id."""
    answers = Submission.__table__.c.answers
    if known is None:
        rest, extract = None, []
    elif dialect == "postgresql":
        rest = answers.op("-")(postgresql.array([literal(k) for k in known], type_=Text)) if known else answers
        extract = [answers.op("->>")(literal(k)) for k in keys]
    else:
        rest, extract = None, [answers]  # the document itself, parsed a batch at a time (_read_rows)
    columns = [e.label(name) for name, e in fixed.items()] + ([] if rest is None else [cast(rest, Text).label("rest")])
    columns += [cast(e, Text).label(f"{'a' if dialect == 'postgresql' else 'doc'}{i}") for i, e in enumerate(extract)]
    return (select(*columns).select_from(Submission)
            .join(AdminUnit, AdminUnit.id == Submission.unit_id)
            .outerjoin(SampleCase, SampleCase.id == Submission.case_id)
            .where(Submission.campaign_id == campaign_id, Submission.questionnaire_id == questionnaire_id)
            .order_by(Submission.id))


def read_table(connection: Connection, query, keys=(), known=()) -> pa.Table:
    """Every column of ``query`` as text (nulls kept), read in one stream; the answers in
    columns ``a0``, ``a1``, … (one per key of ``keys``) and ``rest`` (the keys not ``known``)."""
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    names = [c.name for c in query.selected_columns]
    if connection.dialect.name == "postgresql":
        return _read_copy(connection, sql, names)
    return _read_rows(connection, sql, names, list(keys), set(known))


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


def _read_rows(connection: Connection, sql: str, names: list[str], keys: list[str], known: set[str]) -> pa.Table:
    """SQLite: rows in batches, the answer documents of a batch decoded by one ``json.loads``
    (SQLite's ``json_extract`` parses the document again for every key it is asked)."""
    plain = [n for n in names if n != "doc0"]
    chunks: dict[str, list] = {n: [] for n in plain + ([f"a{i}" for i in range(len(keys))] + ["rest"]
                                                        if "doc0" in names else [])}
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(BATCH):
            by_name = dict(zip(names, zip(*batch)))
            for name in plain:
                chunks[name].append(_strings(by_name[name]))
            if "doc0" in by_name:
                documents = json.loads("[" + ",".join(by_name["doc0"]) + "]")
                for i, key in enumerate(keys):
                    chunks[f"a{i}"].append(_strings([d.get(key) for d in documents]))
                chunks["rest"].append(pa.array([json.dumps({k: d[k] for k in d if k not in known}) if d.keys() - known
                                                 else "{}" for d in documents], pa.string()))
    finally:
        cursor.close()
    return pa.table({n: pa.chunked_array(c, pa.string()) for n, c in chunks.items()})


def _strings(values) -> pa.Array:
    """Values as text, as PostgreSQL's ``->>`` gives them (a list or an object as JSON)."""
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([v if v is None or type(v) is str else
                         json.dumps(v) if isinstance(v, (bool, list, dict)) else str(v) for v in values], pa.string())


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
