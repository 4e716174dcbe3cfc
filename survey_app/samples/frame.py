"""Reading a sample list or a sampling frame (*khung mẫu*) from CSV, checked row by row.

Columns (English or Vietnamese names, any order; UTF-8, comma, semicolon or tab):

* ``household`` (*ho*) and/or ``address`` (*dia_chi*): at least one per row;
* ``unit`` (*ma_don_vi*): the administrative unit's code, valid in the campaign's year;
* ``stratum`` (*tang*), required; ``cluster`` (*cum*, e.g. the village), optional;
* a sample list also needs ``probability`` (*xac_suat*, in (0, 1]) or ``weight`` (*trong_so*,
  ≥ 1), and may mark ``reserve`` rows (*du_phong*: 1, yes, có) kept for replacements;
* a frame for a PPS draw needs ``size`` (*quy_mo*) > 0.

Every wrong row gets its own message in the reader's language; the caller stores nothing
unless the list of errors is empty.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from survey_app.i18n import _
from survey_app.models import AdminUnit
from survey_app.queries import unit_by_code
from survey_app.refusals import Refused

ALIASES = {"household": ("household", "ho", "ho_gia_dinh", "label"),
           "address": ("address", "dia_chi"), "unit": ("unit", "unit_code", "ma_don_vi", "don_vi"),
           "stratum": ("stratum", "tang"), "cluster": ("cluster", "cum", "thon"),
           "probability": ("probability", "selection_probability", "xac_suat"),
           "weight": ("weight", "trong_so"), "reserve": ("reserve", "du_phong"),
           "size": ("size", "quy_mo")}
YES = {"1", "yes", "y", "true", "x", "có", "co"}
MAX_ERRORS = 50


class SampleRefused(Refused):
    """A file or a request that cannot be stored; ``errors`` are ready to show."""

    def __init__(self, errors: list[str]):
        super().__init__(422, [str(e) for e in errors])
        self.errors = errors


@dataclass
class FrameRow:
    """One checked row: a household of a sample list or a unit of a frame."""

    number: int
    label: str
    address: str | None
    unit: AdminUnit
    stratum: str
    cluster: str | None
    probability: float | None = None
    weight: float | None = None
    reserve: bool = False
    size: float | None = None


def _number(text: str) -> float | None:
    """A number written the English or the Vietnamese way ("0.05", "0,05"); None if not one."""
    text = text.strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _records(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """Canonical column names and the rows of a CSV file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SampleRefused([_("The file is not UTF-8 text: save it as CSV UTF-8.")]) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None) or []
    names = {alias: key for key, aliases in ALIASES.items() for alias in aliases}
    columns = [names.get(h.strip().casefold().replace(" ", "_"), "") for h in header]
    rows = [dict(zip(columns, (c.strip() for c in row))) for row in reader if any(c.strip() for c in row)]
    return columns, rows


def _missing(columns: list[str], kind: str) -> list[str]:
    needed = ["unit", "stratum"] + (["size"] if kind == "pps" else [])
    missing = [c for c in needed if c not in columns]
    if "household" not in columns and "address" not in columns:
        missing.append("household/address")
    if kind == "sample" and "probability" not in columns and "weight" not in columns:
        missing.append("probability/weight")
    return missing


def _design(row: dict, out: FrameRow, kind: str) -> list[str]:
    """Check and fill the probability/weight (sample lists) or the size (PPS frames)."""
    errors = []
    if kind == "sample":
        p, w = row.get("probability", ""), row.get("weight", "")
        out.probability, out.weight = (_number(p) if p else None), (_number(w) if w else None)
        if not p and not w:
            errors.append(_("give a selection probability or a weight"))
        if p and (out.probability is None or not 0 < out.probability <= 1):
            errors.append(_("the selection probability “%(value)s” is not a number above 0 and at most 1",
                            value=p))
        if w and (out.weight is None or out.weight < 1):
            errors.append(_("the weight “%(value)s” is not a number of at least 1", value=w))
        out.reserve = row.get("reserve", "").casefold() in YES
    if kind == "pps":
        out.size = _number(row.get("size", ""))
        if out.size is None or out.size <= 0:
            errors.append(_("the size “%(value)s” is not a number above 0", value=row.get("size", "")))
    return errors


def _row(number: int, row: dict, year: int, units: dict, allowed: Callable[[AdminUnit], bool],
         kind: str) -> tuple[FrameRow | None, list[str]]:
    errors = []
    label = (row.get("household") or row.get("address") or "")[:200]
    if not label:
        errors.append(_("give the household or its address"))
    code = row.get("unit", "")
    if code not in units:  # one query per distinct code, not per row
        units[code] = unit_by_code(code, year) if code else None
    unit = units[code]
    if unit is None:
        errors.append(_("no unit has the code “%(code)s” in %(year)d", code=code, year=year))
    elif not allowed(unit):
        errors.append(_("the unit %(unit)s is outside your area", unit=unit.name))
    if not row.get("stratum"):
        errors.append(_("the stratum is empty"))
    out = FrameRow(number=number, label=label, address=row.get("address") or None, unit=unit,
                   stratum=row.get("stratum", "")[:64], cluster=(row.get("cluster") or None))
    errors += _design(row, out, kind)
    return (None if errors else out), errors


def read_rows(data: bytes, year: int, allowed: Callable[[AdminUnit], bool], kind: str) -> list[FrameRow]:
    """Checked rows of a sample list (``kind="sample"``) or a frame (``"frame"``, ``"pps"``).

    Raises :class:`SampleRefused` with one message per wrong row (the first ``MAX_ERRORS``).
    """
    columns, records = _records(data)
    missing = _missing(columns, kind)
    if missing:
        raise SampleRefused([_("The file lacks the column(s): %(names)s.", names=", ".join(missing))])
    if not records:
        raise SampleRefused([_("The file has no row below its header.")])
    rows, errors, units = [], [], {}
    for number, record in enumerate(records, start=2):  # row 1 is the header
        row, problems = _row(number, record, year, units, allowed, kind)
        if problems:
            errors.append(_("Row %(n)d: %(problems)s.", n=number, problems="; ".join(problems)))
        else:
            rows.append(row)
    if errors:
        more = len(errors) - MAX_ERRORS
        raise SampleRefused(errors[:MAX_ERRORS] + ([_("… and %(n)d more wrong rows.", n=more)] if more > 0 else []))
    return rows
