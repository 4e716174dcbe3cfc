"""File formats for exports: CSV streamed as text chunks, XLSX with openpyxl's write-only mode
(rows go to disk as they come), SPSS ``.sav`` and Stata ``.dta`` with pyreadstat, carrying the
variable labels and the answer codes' value labels.

Every cell goes through :func:`~survey_app.exports.cells.csv_writer` or
:func:`~survey_app.exports.cells.xlsx_row`, so free text that starts with ``=`` is never read as
a formula by a spreadsheet (OWASP's CSV injection rule). The submissions' CSV, a batch of
columns at a time, is written by :func:`csv_fields`, which gives each column's fields exactly as
:func:`csv_writer` writes them (tests/exports/test_csv_bytes.py).
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook

from survey_app.exports.cells import FORMULA_STARTS, csv_writer, neutralised, xlsx_row
from survey_app.exports.codebook import codebook_rows
from survey_app.exports.design import design_weights
from survey_app.exports.design_sheet import design_rows
from survey_app.exports.submissions import Batch, ExportSpec, batches, header, rows, variables

CHUNK_ROWS = 500
STATA_LABEL_CHARS = 80     # Stata's limit for variable labels
SPSS_LABEL_BYTES = 255     # what SPSS keeps of a variable label, in UTF-8 bytes


def formula_like(text: pa.Array) -> pa.Array:
    """True where a text cell starts as a formula would (:data:`FORMULA_STARTS`), False elsewhere."""
    found = pc.starts_with(text, FORMULA_STARTS[0])
    for start in FORMULA_STARTS[1:]:
        found = pc.or_(found, pc.starts_with(text, start))
    return pc.fill_null(found, False)


#: A field :func:`csv_writer` (``csv.writer``, QUOTE_MINIMAL) quotes: one holding the delimiter,
#: the quote character or a character of the line end.
NEEDS_QUOTES = '[,"\r\n]'


def _each_distinct(cells: pa.Array, text) -> pa.Array:
    """``text(value)`` of every cell, computed once per distinct value (null stays null)."""
    encoded = pc.dictionary_encode(cells)
    return pa.array([text(v) for v in encoded.dictionary.to_pylist()], pa.string()).take(encoded.indices)


def _text_fields(text: pa.Array) -> pa.Array:
    """Text cells neutralised (:func:`neutralised`), then quoted where ``csv.writer`` quotes."""
    text = pc.if_else(formula_like(text), pc.binary_join_element_wise("'", text, ""), text)
    return _quoted(text)


def _quoted(text: pa.Array) -> pa.Array:
    """Fields holding a comma, a quote or a line break quoted, their quotes doubled (QUOTE_MINIMAL)."""
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(text, NEEDS_QUOTES), quoted, text)


#: A text column with at most this share of distinct values is written a distinct value at a time.
FEW_DISTINCT = 0.25


def csv_fields(cells) -> pa.Array:
    """A column of cells (:class:`~survey_app.exports.submissions.Batch`) as :func:`csv_writer`
    writes them: text neutralised (:func:`neutralised`), numbers as Python prints them, "" for an
    empty cell, a field holding a comma, a quote or a line break quoted (its quotes doubled).
    Codes and labels, few distinct values in many rows, are written once per distinct value."""
    if isinstance(cells, np.ndarray):  # a document's numbers among the text: cell by cell
        fields = _quoted(pa.array([None if v is None else str(neutralised(v)) for v in cells], pa.string()))
    elif pa.types.is_floating(cells.type):
        fields = _each_distinct(cells, repr)
    elif pa.types.is_integer(cells.type):
        fields = pc.cast(cells, pa.string())
    else:
        encoded = cells if pa.types.is_dictionary(cells.type) else pc.dictionary_encode(cells)
        if encoded is cells or len(encoded.dictionary) <= FEW_DISTINCT * len(cells):
            fields = _text_fields(encoded.dictionary).take(encoded.indices)
        else:
            fields = _text_fields(cells)
    return pc.fill_null(fields, "")


def csv_lines(batch: Batch) -> pa.Array:
    """The batch's rows as CSV lines, each ending with ``csv.writer``'s ``\\r\\n``."""
    fields = [csv_fields(c) for c in batch.columns]
    fields[-1] = pc.binary_join_element_wise(fields[-1], "\r\n", "")
    return pc.binary_join_element_wise(*fields, ",")


def _line_bytes(lines: pa.Array, start: int, end: int) -> bytes:
    """Lines ``start`` to ``end`` (excluded) as UTF-8 bytes, cut from the array's own buffer."""
    width = 8 if pa.types.is_large_string(lines.type) else 4
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64 if width == 8 else np.int32, count=len(lines) + 1,
                            offset=width * lines.offset)
    return memoryview(lines.buffers()[2])[offsets[start]:offsets[end]].tobytes()


def _csv_bytes(spec: ExportSpec, progress=None):
    """The CSV as UTF-8 chunks: a BOM so Excel reads UTF-8, the header, then every
    :data:`CHUNK_ROWS` rows of the batches (:func:`~survey_app.exports.submissions.batches`);
    ``progress`` receives the rows written after each chunk."""
    columns = variables(spec)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv_writer(buffer).writerow(header(columns))
    yield buffer.getvalue().encode("utf-8")
    count = 0
    for batch in batches(spec, columns):
        lines, rows_in_batch = csv_lines(batch), batch.rows
        del batch  # its cells are in the lines now
        for start in range(0, rows_in_batch, CHUNK_ROWS):
            end = min(rows_in_batch, start + CHUNK_ROWS)
            yield _line_bytes(lines, start, end)
            count += end - start
            if progress:
                progress(count)


def csv_chunks(spec: ExportSpec, progress=None):
    """The CSV as text chunks (:func:`_csv_bytes`)."""
    for chunk in _csv_bytes(spec, progress):
        yield chunk.decode("utf-8")


def write_csv(spec: ExportSpec, target: Path, progress=None) -> Path:
    with open(target, "wb") as handle:
        for chunk in _csv_bytes(spec, progress):
            handle.write(chunk)
    return Path(target)


def _sheet(workbook, title: str, lines) -> None:
    sheet = workbook.create_sheet(title)
    for line in lines:
        xlsx_row(sheet, line)


def write_xlsx(spec: ExportSpec, target: Path, progress=None) -> Path:
    """Sheets ``data`` (one row per submission), ``codebook`` and ``design`` (units, levels and
    raking targets, :mod:`~survey_app.exports.design_sheet`), written row by row."""
    columns = variables(spec)
    weights = design_weights(spec.campaign, spec.form_id)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    xlsx_row(sheet, header(columns))
    for count, row in enumerate(rows(spec, columns, weights), start=1):
        xlsx_row(sheet, row)
        if progress and count % CHUNK_ROWS == 0:
            progress(count)
    _sheet(workbook, "codebook", codebook_rows(columns))
    _sheet(workbook, "design", design_rows(spec.campaign, weights, columns))
    workbook.save(target)
    return Path(target)


def write_codebook(spec: ExportSpec, target: Path, progress=None) -> Path:
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        csv_writer(handle).writerows(codebook_rows(variables(spec)))
    return Path(target)


def write_design(spec: ExportSpec, target: Path, progress=None) -> Path:
    """The design sheet as CSV: units, levels and raking targets."""
    weights = design_weights(spec.campaign, spec.form_id)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        csv_writer(handle).writerows(design_rows(spec.campaign, weights, variables(spec)))
    return Path(target)
