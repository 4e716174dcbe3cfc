"""A questionnaire's submissions read as columns straight from the database: one streamed query,
no ORM object per submission.

PostgreSQL turns each document into a record of the answer keys (``jsonb_to_record``: the
document is read once, where a ``->>`` per key would fetch it once per key, over a second per
key for a million rows) and
sends the rows as CSV (``COPY (SELECT …) TO STDOUT``), which Arrow's CSV reader turns into
columns as it streams. SQLite, in the process, is read in batches of rows whose answer documents
are decoded a batch at a time by Arrow's JSON reader: JSON1's ``json_extract`` parses the whole
document again for every key asked, several times slower for a 75-question form. Every answer is
then text, typed once per column (:func:`typed_answers`).

The columns are the answer keys of the questionnaire's versions (:func:`questionnaire_keys`): the
form engine's clean-up stores no other key (intake, the web form, corrections), so only a
document written around the platform could hold one, and it is not read. (Finding such keys costs
as much as reading every answer: ``answers - keys`` walks each document once per known key.)
"""
from __future__ import annotations

import io
import json
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
from sqlalchemy import Text, cast, column, func, literal, select, true
from sqlalchemy.engine import Connection

from survey_app.models import AdminUnit, Questionnaire, SampleCase, Submission
from survey_app.questionnaire.answers import answer_keys, repeat_of

#: Text of a whole number as an XForm instance writes it (no sign ``+``, no leading zero):
#: such a column reads back as numbers without changing a single value's text.
WHOLE_NUMBER = r"^-?(0|[1-9][0-9]{0,17})$"
BATCH = 10_000
#: PostgreSQL truncates longer names: such a key is read with its own ``->>``.
IDENTIFIER_BYTES = 63


def questionnaire_keys(questionnaire: Questionnaire) -> list[str]:
    """The top-level answer keys of every version, in order: a repeat (which holds a list of
    instances), a group and a note are never an analysis column."""
    keys: dict[str, None] = {}
    for version in questionnaire.versions:
        questions = (version.definition or {}).get("questions", [])
        by_path, names = {q["path"]: q for q in questions}, answer_keys(questions)
        for q in questions:
            if repeat_of(q, by_path) is None and q["type"] not in ("repeat", "group", "note"):
                keys[names[q["path"]]] = None
    return list(keys)


def submission_columns(campaign_id: int, questionnaire_id: int, fixed: dict, keys: list[str] | None = None,
                       dialect: str = "sqlite", answers_fixed=()):
    """The query: ``fixed`` columns (label → expression), the answers named in ``answers_fixed``
    (labelled by their key), then the answers of ``keys`` (none for ``None``): one text column per
    key on PostgreSQL (``a0``, ``a1``, …), the document itself on SQLite (``doc``, decoded by
    :func:`read_table`). PostgreSQL's rows come in no order (:func:`read_table` sorts them by id);
    SQLite's by id."""
    answers = Submission.__table__.c.answers
    columns, record = [e.label(name) for name, e in fixed.items()], None
    if dialect == "postgresql" and (keys or answers_fixed):
        wanted = list(dict.fromkeys([*answers_fixed, *(keys or ())]))
        named = [k for k in wanted if len(k.encode("utf-8")) <= IDENTIFIER_BYTES]
        record = (func.jsonb_to_record(answers).table_valued(*[column(k, Text) for k in named])
                  .render_derived(name="answer_record", with_types=True))

        def answer(key):
            return record.c[key] if key in named else cast(answers.op("->>")(literal(key)), Text)
        columns += [answer(k).label(k) for k in answers_fixed]
        columns += [answer(k).label(f"a{i}") for i, k in enumerate(keys or ())]
    elif keys is not None and dialect != "postgresql":
        columns.append(cast(answers, Text).label("doc"))  # ``answers_fixed`` decoded from it too
    else:
        columns += [answers[k].as_string().label(k) for k in answers_fixed]
    query = (select(*columns).select_from(Submission)
             .join(AdminUnit, AdminUnit.id == Submission.unit_id)
             .outerjoin(SampleCase, SampleCase.id == Submission.case_id))
    if record is not None:
        query = query.join(record, true())
    query = query.where(Submission.campaign_id == campaign_id, Submission.questionnaire_id == questionnaire_id)
    return query if dialect == "postgresql" else query.order_by(Submission.id)


def read_table(connection: Connection, query, keys=(), answers_fixed=()) -> pa.Table:
    """Every column of ``query`` (:func:`submission_columns` with the same ``keys`` and
    ``answers_fixed``) as text (nulls kept), read in one stream; the answers in columns ``a0``,
    ``a1``, … (one per key of ``keys``), those of ``answers_fixed`` by their key."""
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    names = [c.name for c in query.selected_columns]
    if connection.dialect.name == "postgresql":
        return _by_id(_read_copy(connection, sql, names))
    decoded = [(k, k) for k in answers_fixed] + [(f"a{i}", k) for i, k in enumerate(keys)] if "doc" in names else []
    return _read_rows(connection, sql, names, decoded)


def _by_id(table: pa.Table) -> pa.Table:
    """Rows in submission order, as SQLite reads them: sorting a million rows here costs a
    fraction of the server's ``ORDER BY`` (which sorts the wide rows, or forgoes a parallel scan)."""
    if "id" not in table.column_names or not table.num_rows:
        return table
    order = pc.sort_indices(pc.cast(table.column("id"), pa.int64()))
    return pa.table(dict(zip(table.column_names, each_column(lambda c: c.take(order), table.columns))))


def each_column(function, columns) -> list:
    """``function`` of every column, the columns shared among threads: Arrow's kernels leave
    Python's lock, so a million rows' columns are sorted or typed on every core at once."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(function, columns))


def _read_copy(connection: Connection, sql: str, names: list[str]) -> pa.Table:
    """PostgreSQL: the rows as CSV, parsed by Arrow while the server is still sending them (the
    text is never held whole)."""
    options = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[""],
                                   strings_can_be_null=True, quoted_strings_can_be_null=False)
    with connection.connection.driver_connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # compiling a million-row read costs seconds, saves none
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            stream = _CopyStream(copy)
            if not stream.peek():
                return pa.table({n: pa.array([], pa.string()) for n in names})
            reader = pacsv.open_csv(io.BufferedReader(stream, 1 << 22),
                                    read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
                                    convert_options=options)
            return reader.read_all()


class _CopyStream(io.RawIOBase):
    """A ``COPY … TO STDOUT`` as a file to read from."""

    def __init__(self, copy):
        self._chunks, self._left = iter(copy), memoryview(b"")

    def readable(self) -> bool:
        return True

    def peek(self) -> bool:
        """True when the COPY sends anything at all."""
        if not self._left:
            self._left = memoryview(bytes(next(self._chunks, b"")))
        return bool(self._left)

    def readinto(self, target) -> int:
        if not self.peek():
            return 0
        count = min(len(target), len(self._left))
        target[:count] = self._left[:count]
        self._left = self._left[count:]
        return count


def _read_rows(connection: Connection, sql: str, names: list[str], decoded: list[tuple[str, str]]) -> pa.Table:
    """SQLite: rows in batches, the answer documents (``doc``) of a batch decoded at once into
    the ``decoded`` columns, (name, answer key) pairs (Arrow's JSON reader; SQLite's
    ``json_extract`` would parse each document again for every key)."""
    plain = [n for n in names if n != "doc"]
    keys = list(dict.fromkeys(key for _, key in decoded))
    chunks: dict[str, list] = {n: [] for n in plain + [name for name, _ in decoded]}
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(BATCH):
            by_name = dict(zip(names, zip(*batch)))
            for name in plain:
                chunks[name].append(_strings(by_name[name]))
            if decoded:
                found = dict(zip(keys, _answer_columns(by_name["doc"], keys)))
                for name, key in decoded:
                    chunks[name].append(found[key])
    finally:
        cursor.close()
    return pa.table({n: pa.chunked_array(c, pa.string()) for n, c in chunks.items()})


def _answer_columns(documents, keys: list[str]) -> list[pa.Array]:
    """The answers of ``keys`` in a batch of JSON documents, as text columns: Arrow's JSON
    reader when every value is text (as the form engine stores them), else ``json.loads``."""
    options = pajson.ParseOptions(explicit_schema=pa.schema([(k, pa.string()) for k in keys]),
                                  unexpected_field_behavior="ignore")
    try:
        table = pajson.read_json(io.BytesIO("\n".join(documents).encode("utf-8")), parse_options=options,
                                 read_options=pajson.ReadOptions(block_size=1 << 24))
        return [table.column(k).combine_chunks() for k in keys]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        parsed = json.loads("[" + ",".join(documents) + "]")
        return [_strings([d.get(key) for d in parsed]) for key in keys]


def _strings(values) -> pa.Array:
    """Values as text, as PostgreSQL's ``->>`` gives them (a list or an object as JSON); a
    column of numbers (ids, probabilities) converted by Arrow."""
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    try:
        numbers = pa.array(values)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        numbers = None
    if numbers is not None and (pa.types.is_integer(numbers.type) or pa.types.is_floating(numbers.type)):
        return pc.cast(numbers, pa.string())
    return pa.array([v if v is None or type(v) is str else
                     json.dumps(v) if isinstance(v, (bool, list, dict)) else str(v) for v in values], pa.string())


def typed_answers(column: pa.ChunkedArray) -> tuple[np.ndarray | None, bool]:
    """One answer column as the analysis reads it: whole numbers as the smallest integer dtype
    (float with NaN where some answers are missing, as ``pd.to_numeric`` gives), other text as
    strings (NaN where missing); (None, False) when no row answers. The flag says the column
    was read as numbers."""
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


#: pandas' own text type (``str``): held in Arrow, so a column read by Arrow becomes one without
#: a Python object per value.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def text_column(column) -> pd.api.extensions.ExtensionArray:
    """A text column as pandas text (NaN where missing), sharing Arrow's memory."""
    return column.to_pandas(types_mapper={pa.string(): TEXT, pa.large_string(): TEXT}.get).array


def as_frame(table: pa.Table, names: list[str]) -> pd.DataFrame:
    """The named columns of ``table`` as a pandas frame of text (NaN where missing)."""
    return pd.DataFrame({n: text_column(table.column(n)) for n in names})
