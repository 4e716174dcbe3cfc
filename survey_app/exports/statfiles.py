"""SPSS ``.sav`` and Stata ``.dta`` files with variable labels and value labels (pyreadstat).

Typing: select questions whose codes are whole numbers (the SIPAS scales, sex) stay numeric with
their choice labels as value labels; select questions with text codes (``dat_dai``) are numbered
1..k in the form's choice order and labelled with the choices (the codebook gives both codes);
numbers (the types whose ``export_kind`` is numeric, types/) and weights are doubles; everything else is text. Stata keeps 80 characters of a
variable label and SPSS 255 bytes: labels are cut to that here, so what is read back is what
was written.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from survey_app.exports.codebook import Variable
from survey_app.exports.submissions import ExportSpec, rows, variables
from survey_app.questionnaire.types import question_type

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


def value_labels(variable: Variable) -> dict:
    """Code → label: the codes themselves when numeric, else 1..k in choice order."""
    if variable.numeric_codes:
        return {int(code): label for code, label in variable.choices.items()}
    return {i: label for i, label in enumerate(variable.choices.values(), start=1)}


def _convert(variable: Variable, values: list):
    if variable.kind == "design":
        return pd.to_numeric(pd.Series(values), errors="coerce") if variable.name in NUMERIC_DESIGN \
            else pd.Series(["" if v is None else str(v) for v in values], dtype=object)
    if variable.choices and variable.kind == "select_one":
        positions = {c: (int(c) if variable.numeric_codes else i)
                     for i, c in enumerate(variable.choices, start=1)}
        return pd.Series([positions.get(str(v)) if v is not None else None for v in values], dtype=float)
    if question_type(variable.kind).export_kind == "numeric":
        return pd.to_numeric(pd.Series(values), errors="coerce")
    return pd.Series(["" if v is None else str(v) for v in values], dtype=object)


def typed_frame(spec: ExportSpec, kind: str):
    """The data frame, its variable labels and its value labels, ready for pyreadstat."""
    columns = variables(ExportSpec(spec.campaign, spec.form_id, spec.locale, labels=False))
    data = list(zip(*rows(ExportSpec(spec.campaign, spec.form_id, spec.locale), columns))) \
        or [[] for _ in columns]
    names = [safe_name(v.name) for v in columns]
    frame = pd.DataFrame({n: _convert(v, list(d)) for n, v, d in zip(names, columns, data)})
    labels = [cut_label(v.label, kind) for v in columns]
    values = {n: value_labels(v) for n, v in zip(names, columns)
              if v.choices and v.kind == "select_one"}
    return frame, labels, values


def write_statfile(spec: ExportSpec, target: Path, kind: str, progress=None) -> Path:
    """Write ``.sav`` (``kind="sav"``) or ``.dta`` (``kind="dta"``)."""
    import pyreadstat
    frame, labels, values = typed_frame(spec, kind)
    if kind == "sav":
        pyreadstat.write_sav(frame, str(target), column_labels=labels, variable_value_labels=values)
    elif kind == "dta":
        pyreadstat.write_dta(frame, str(target), column_labels=labels, variable_value_labels=values,
                             version=15)
    else:
        raise ValueError(f"unknown statistical format {kind}")
    return Path(target)
