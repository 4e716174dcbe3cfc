"""SPSS ``.sav`` and Stata ``.dta`` files with variable labels and value labels (pyreadstat).

Typing: single-choice questions (the types whose ``single_choice`` is set, types/) whose codes
are whole numbers (the SIPAS scales, sex) stay numeric with their choice labels as value labels;
those with text codes (``dat_dai``) are numbered 1..k in the form's choice order and labelled
with the choices (the codebook gives both codes); numbers (the types whose ``export_kind`` is
numeric) and weights are doubles; everything else is text. Stata keeps 80 characters of a
variable label and SPSS 255 bytes: labels are cut to that here, so what is read back is what
was written.

Missing values: a "don't know" or refusal code (:attr:`Variable.missing`, e.g. 9 *Không biết /
không trả lời*) is declared an SPSS user-missing value (the 9 stays in the file, SPSS leaves it
out of every statistic) and written to Stata as an extended missing value ``.a``, ``.b``, …
labelled with its text (Stata's ``mean`` leaves it out, ``tab x, missing`` shows it). The codes
are :meth:`Variable.file_codes` and :meth:`Variable.stata_codes`, the ones the codebook lists.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from survey_app.exports.codebook import Variable
from survey_app.exports.submissions import ExportSpec, batches, variables

NUMERIC_DESIGN = {"selection_probability", "base_weight", "weight", "analysed"}
_INVALID = re.compile(r"[^A-Za-z0-9_]")


def safe_name(name: str) -> str:
    """A name both SPSS and Stata accept: letters, digits, underscore; 32 characters at most."""
    cleaned = _INVALID.sub("_", name)
    if not cleaned or not (cleaned[0].isalpha() or cleaned[0] == "_"):
        cleaned = "v_" + cleaned
    return cleaned[:32]


def cut_label(text: str, kind: str) -> str:
    """A variable label within the format's limit (Stata: characters; SPSS: UTF-8 bytes)."""
    if kind == "dta":
        return text[:80]
    encoded = text.encode("utf-8")[:255]
    return encoded.decode("utf-8", errors="ignore")


def value_labels(variable: Variable, kind: str = "sav") -> dict:
    """File value → label: :meth:`Variable.file_codes` (the codes themselves when numeric, else
    1..k in choice order); in ``.dta`` the missing codes are the letters of their extended missing
    values (:meth:`Variable.stata_codes`)."""
    codes = variable.stata_codes() if kind == "dta" else variable.file_codes()
    return {codes[code]: label for code, label in variable.choices.items()}


def spss_missing(variable: Variable) -> list:
    """The user-missing declaration of a ``.sav`` variable: up to three discrete values, else one
    range from the lowest to the highest missing code (SPSS allows no more)."""
    numbers = sorted(variable.file_codes()[c] for c in variable.missing)
    if len(numbers) <= 3:
        return numbers
    return [{"lo": numbers[0], "hi": numbers[-1]}]


def stata_missing(series: pd.Series, variable: Variable) -> pd.Series:
    """A ``.dta`` column with its missing codes replaced by the letters of their extended missing
    values (pyreadstat writes a letter in a numeric column as ``.a``, ``.b``, …)."""
    letters = {variable.file_codes()[c]: v for c, v in variable.stata_codes().items() if isinstance(v, str)}
    positions, distinct = pd.factorize(series)  # once per distinct value; -1 where missing
    values = np.array([letters.get(v, v) for v in distinct.tolist()] + [None], dtype=object)
    return pd.Series(values[positions], dtype=object)


def missing_declarations(frame: pd.DataFrame, names: list[str], columns: list[Variable], kind: str):
    """The frame with Stata's extended missing values in place, and the declarations for
    pyreadstat: ``missing_ranges`` (``.sav``) or ``missing_user_values`` (``.dta``)."""
    declared = {}
    for name, variable in zip(names, columns):
        if not variable.missing or not variable.coded:
            continue
        if kind == "dta":
            frame[name] = stata_missing(frame[name], variable)
            declared[name] = sorted(v for v in variable.stata_codes().values() if isinstance(v, str))
        else:
            declared[name] = spss_missing(variable)
    return frame, declared


def _convert(variable: Variable, values: list):
    if variable.kind == "design":
        return pd.to_numeric(pd.Series(values), errors="coerce") if variable.name in NUMERIC_DESIGN \
            else pd.Series(["" if v is None else str(v) for v in values], dtype=object)
    if variable.coded:
        positions = variable.file_codes()
        return pd.Series([positions.get(str(v)) if v is not None else None for v in values], dtype=float)
    if variable.handler.export_kind == "numeric":
        return pd.to_numeric(pd.Series(values), errors="coerce")
    return pd.Series(["" if v is None else str(v) for v in values], dtype=object)


def converted(variable: Variable, cells) -> pd.Series:
    """:func:`_convert` of a column of cells (:class:`~survey_app.exports.submissions.Batch`),
    computed once per distinct value: for Arrow cells, :func:`_convert` of the distinct values
    present (and of None where a cell is empty), taken for every row."""
    if isinstance(cells, np.ndarray):
        return _convert(variable, cells.tolist())
    codes = cells if pa.types.is_dictionary(cells.type) else pc.dictionary_encode(cells)
    indices = pc.fill_null(codes.indices, -1).to_numpy()
    present = np.unique(indices[indices >= 0])
    distinct = codes.dictionary.take(pa.array(present, pa.int64())).to_pylist()
    empty = (indices < 0).any()
    values = _convert(variable, distinct + [None] * bool(empty))
    where = np.where(indices >= 0, np.searchsorted(present, indices), len(distinct))
    return pd.Series(values.to_numpy()[where], dtype=values.dtype)


def _whole_column(variable: Variable) -> bool:
    """Whether a column is converted once whole: numbers, whose type (whole numbers, or floats
    where one is missing or not whole) ``pd.to_numeric`` infers from every value."""
    return variable.name in NUMERIC_DESIGN if variable.kind == "design" else \
        variable.handler.export_kind == "numeric" and not variable.coded


def _joined(pieces: list):
    """A column's cells from several batches as one column."""
    if any(isinstance(p, np.ndarray) for p in pieces):
        return np.concatenate([p if isinstance(p, np.ndarray) else np.array(p.to_pylist(), dtype=object)
                               for p in pieces])
    return pa.chunked_array([pc.cast(p, pa.string()) if pa.types.is_dictionary(p.type) else p
                             for p in pieces]).combine_chunks()


def _read_columns(spec: ExportSpec, columns: list[Variable], progress=None) -> list[pd.Series]:
    """The export's columns converted (:func:`converted`), read in batches
    (:func:`~survey_app.exports.submissions.batches`): each batch's text and choices are
    converted as it comes, numbers once whole; ``progress`` receives the rows read after each batch."""
    pieces: list[list] = [[] for _ in columns]
    count = 0
    for batch in batches(ExportSpec(spec.campaign, spec.form_id, spec.locale), columns):
        for column, variable, cells in zip(pieces, columns, batch.columns):
            column.append(cells if _whole_column(variable) else converted(variable, cells))
        count += batch.rows
        if progress:
            progress(count)
    if not count:
        return [_convert(v, []) for v in columns]
    out = []
    for variable, column in zip(columns, pieces):
        out.append(converted(variable, _joined(column)) if _whole_column(variable)
                   else pd.concat(column, ignore_index=True))
        column.clear()  # a column's batches are let go as soon as it is whole
    return out


def typed_frame(spec: ExportSpec, kind: str, progress=None):
    """The data frame, its variable labels, value labels and missing-value declarations
    (:func:`missing_declarations`), ready for pyreadstat."""
    columns = variables(ExportSpec(spec.campaign, spec.form_id, spec.locale, labels=False))
    names = [safe_name(v.name) for v in columns]
    frame = pd.DataFrame(dict(zip(names, _read_columns(spec, columns, progress))), copy=False)  # no second copy
    labels = [cut_label(v.label, kind) for v in columns]
    values = {n: value_labels(v, kind) for n, v in zip(names, columns)
              if v.coded}
    frame, missing = missing_declarations(frame, names, columns, kind)
    return frame, labels, values, missing


def write_statfile(spec: ExportSpec, target: Path, kind: str, progress=None) -> Path:
    """Write ``.sav`` (``kind="sav"``) or ``.dta`` (``kind="dta"``); ``progress`` receives the
    number of rows read so far."""
    import pyreadstat
    frame, labels, values, missing = typed_frame(spec, kind, progress)
    if kind == "sav":
        pyreadstat.write_sav(frame, str(target), column_labels=labels, variable_value_labels=values,
                             missing_ranges=missing)
    elif kind == "dta":
        pyreadstat.write_dta(frame, str(target), column_labels=labels, variable_value_labels=values,
                             missing_user_values=missing, version=15)
    else:
        raise ValueError(f"unknown statistical format {kind}")
    return Path(target)
