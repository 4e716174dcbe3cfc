"""The open-data files of a publication: CSV (one table per file), XLSX (one sheet per table and
the ``dictionary`` sheet) and JSON (every table, the dictionary and the publication's decision).

Tables come from :mod:`survey_app.results.opendata`; CSV and XLSX go through the one
cell-neutralising writer (:func:`~survey_app.exports.cells.csv_writer`,
:func:`~survey_app.exports.cells.xlsx_row`).
"""
from __future__ import annotations

import io
import json

from openpyxl import Workbook

from survey_app.exports.cells import csv_writer, xlsx_row
from survey_app.index.export import publication_json
from survey_app.results import opendata

FORMATS = ("csv", "xlsx", "json")
DICTIONARY = "dictionary"
DICTIONARY_COLUMNS = ["table", "column", "description_vi", "description_en"]


def _lines(table: str, found: dict[str, list[dict]]):
    if table == DICTIONARY:
        names, rows = DICTIONARY_COLUMNS, opendata.dictionary_rows()
    else:
        names, rows = opendata.columns(table), found[table]
    yield names
    for row in rows:
        yield [row[c] for c in names]


def csv_bytes(publication, table: str) -> bytes:
    """One table (or the dictionary) as UTF-8 CSV with a BOM, so Excel reads the Vietnamese."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    found = {} if table == DICTIONARY else opendata.tables(publication)
    csv_writer(buffer).writerows(_lines(table, found))
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(publication) -> bytes:
    found = opendata.tables(publication)
    workbook = Workbook(write_only=True)
    for table in (*opendata.TABLES, DICTIONARY):
        sheet = workbook.create_sheet(table)
        for line in _lines(table, found):
            xlsx_row(sheet, line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def json_bytes(publication) -> bytes:
    doc = {"campaign": publication.document["campaign"], "publication": publication_json(publication),
           "tables": opendata.tables(publication), "dictionary": opendata.dictionary_rows()}
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8")
