"""Import administrative units from a CSV file (*nhập danh mục đơn vị hành chính*).

Columns: ``code, name, level, parent_code, valid_from, valid_to, predecessors``. Codes are kept
exactly as written (strings: leading zeros stay). Years may be written ``2025`` or as a date
``2025-06-30`` (the year is kept: a unit is valid in a year). ``predecessors`` lists the codes of
the units that became (part of) this one, separated by ``;``; each link is a
:class:`~survey_app.models.UnitSuccession` in the unit's first year.

Every row is checked before anything is stored; one bad row refuses the whole file with each
problem's row number (the header is row 1). A unit already stored with the same code and first
year is updated in place, so importing the same file again changes nothing.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import AdminUnit, UnitLevel, UnitSuccession
from survey_app.refusals import Refused

COLUMNS = ("code", "name", "level", "parent_code", "valid_from", "valid_to", "predecessors")
#: The levels of the two national tiers and the former district tier, created on first use.
STANDARD_LEVELS = {"province": ("Tỉnh, thành phố", "Province"),
                   "department": ("Sở, ban, ngành", "Department"),
                   "district": ("Huyện, thị xã, thành phố thuộc tỉnh", "District"),
                   "commune": ("Xã, phường, đặc khu", "Commune or ward")}
YEAR_RE = re.compile(r"^(\d{4})(-\d{2}-\d{2})?$")


class UnitImportRefused(Refused):
    """The file was refused; ``problems`` is a list of ``(row, message)``, row 0 for the file."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(422, problems, "; ".join(_row_message(row, message) for row, message in problems))

    def problem_list(self) -> list:
        return [{"key": f"row {row}" if row else "file", "message": str(message)} for row, message in self.problems]


def _row_message(row: int, message: str) -> str:
    return _("Row %(row)s: %(message)s", row=row, message=message) if row else str(message)


@dataclass
class Row:
    number: int
    code: str
    name: str
    level: str
    parent_code: str
    valid_from: int
    valid_to: int | None
    predecessors: list[str] = field(default_factory=list)

    def overlaps(self, start: int, end: int | None) -> bool:
        return (end is None or self.valid_from <= end) and (self.valid_to is None or start <= self.valid_to)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    successions: int = 0


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problem = _("The file is not UTF-8 text: save it as \"CSV UTF-8\" and try again.")
        raise UnitImportRefused([(0, problem)]) from None


def _year(value: str, number: int, column: str, problems: list) -> int | None:
    match = YEAR_RE.match(value)
    if not match:
        problems.append((number, _("%(column)s must be a year (2025) or a date (2025-06-30), not “%(value)s”.",
                                   column=column, value=value)))
        return None
    return int(match.group(1))


def _parse_row(number: int, raw: dict, problems: list) -> Row | None:
    values = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    before = len(problems)
    if not values["code"]:
        problems.append((number, _("The code is missing.")))
    if not values["name"]:
        problems.append((number, _("The name is missing.")))
    if not values["valid_from"]:
        problems.append((number, _("valid_from is missing.")))
        start = None
    else:
        start = _year(values["valid_from"], number, "valid_from", problems)
    end = _year(values["valid_to"], number, "valid_to", problems) if values["valid_to"] else None
    if start is not None and end is not None and end < start:
        problems.append((number, _("valid_to (%(end)s) is before valid_from (%(start)s).", end=end, start=start)))
    if len(problems) > before:
        return None
    predecessors = [c.strip() for c in values["predecessors"].split(";") if c.strip()]
    return Row(number, values["code"], values["name"], values["level"], values["parent_code"],
               start, end, predecessors)


def read_rows(data: bytes) -> tuple[list[Row], list[tuple[int, str]]]:
    """The file's rows and the problems found in each row on its own."""
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UnitImportRefused([(1, _("Missing columns: %(columns)s.", columns=", ".join(missing)))])
    reader.fieldnames = header
    problems: list[tuple[int, str]] = []
    rows = [row for number, raw in enumerate(reader, start=2)
            if (row := _parse_row(number, raw, problems)) is not None]
    if not rows and not problems:
        problems.append((0, _("The file has no units.")))
    return rows, problems


class _Known:
    """Units of the file and of the database, looked up by code and year."""

    def __init__(self, rows: list[Row]):
        self.rows = rows
        self.stored = list(db.session.scalars(select(AdminUnit)))

    def stored_same(self, row: Row) -> AdminUnit | None:
        return next((u for u in self.stored if u.code == row.code and u.valid_from == row.valid_from), None)

    def exists(self, code: str, start: int, end: int | None) -> bool:
        return (any(r.code == code and r.overlaps(start, end) for r in self.rows)
                or any(u.code == code and _overlap(u, start, end) for u in self.stored
                       if not any(r.code == u.code and r.valid_from == u.valid_from for r in self.rows)))

    def before(self, code: str, year: int) -> bool:
        return (any(r.code == code and r.valid_from < year for r in self.rows)
                or any(u.code == code and u.valid_from < year for u in self.stored))


def _overlap(unit: AdminUnit, start: int, end: int | None) -> bool:
    return (end is None or unit.valid_from <= end) and (unit.valid_to is None or start <= unit.valid_to)


def _check_links(rows: list[Row], known: _Known, levels: set[str], problems: list) -> None:
    for i, row in enumerate(rows):
        if row.level not in levels:
            problems.append((row.number, _("Unknown level “%(level)s” (known: %(known)s).",
                                           level=row.level, known=", ".join(sorted(levels)))))
        if any(o.code == row.code and o.overlaps(row.valid_from, row.valid_to) for o in rows[:i]):
            problems.append((row.number, _("The code %(code)s appears twice with overlapping years.",
                                           code=row.code)))
        else:
            clash = next((u for u in known.stored if u.code == row.code and u.valid_from != row.valid_from
                          and _overlap(u, row.valid_from, row.valid_to)), None)
            if clash is not None:
                problems.append((row.number, _("The code %(code)s is already stored for %(start)s–%(end)s.",
                                               code=row.code, start=clash.valid_from, end=clash.valid_to or "")))
        if row.parent_code and not known.exists(row.parent_code, row.valid_from, row.valid_from):
            problems.append((row.number, _("No parent unit %(code)s valid in %(year)s.",
                                           code=row.parent_code, year=row.valid_from)))
        for code in row.predecessors:
            if not known.before(code, row.valid_from):
                problems.append((row.number, _("No predecessor unit %(code)s before %(year)s.",
                                               code=code, year=row.valid_from)))


def _levels() -> dict[str, UnitLevel]:
    found = {lv.code: lv for lv in db.session.scalars(select(UnitLevel))}
    for rank, (code, (vi, en)) in enumerate(STANDARD_LEVELS.items()):
        if code not in found:
            found[code] = UnitLevel(code=code, name_vi=vi, name_en=en, rank=rank)
            db.session.add(found[code])
    return found


def _version_in(units: list[AdminUnit], code: str, year: int, latest_before: bool = False) -> AdminUnit:
    candidates = [u for u in units if u.code == code and (u.valid_from < year if latest_before else u.valid_in(year))]
    return max(candidates, key=lambda u: u.valid_from)


def _store(rows: list[Row], known: _Known) -> ImportResult:
    levels, result, units = _levels(), ImportResult(), list(known.stored)
    before = {u.id: (u.name, u.level_id, u.valid_to, u.parent_id) for u in units}
    for row in rows:
        unit = known.stored_same(row)
        if unit is None:
            unit = AdminUnit(code=row.code, valid_from=row.valid_from)
            db.session.add(unit)
            units.append(unit)
            result.created += 1
        unit.name, unit.level, unit.valid_to = row.name, levels[row.level], row.valid_to
    for row in rows:
        unit = _version_in(units, row.code, row.valid_from)
        unit.parent = _version_in(units, row.parent_code, row.valid_from) if row.parent_code else None
        result.successions += _link(unit, [_version_in(units, c, row.valid_from, latest_before=True)
                                           for c in row.predecessors])
    for unit in units:
        if unit.id in before and any(unit.code == r.code and unit.valid_from == r.valid_from for r in rows):
            now = (unit.name, unit.level.id, unit.valid_to, unit.parent.id if unit.parent else None)
            result.updated += now != before[unit.id]
            result.unchanged += now == before[unit.id]
    return result


def _link(unit: AdminUnit, predecessors: list[AdminUnit]) -> int:
    added = 0
    db.session.flush()
    for predecessor in predecessors:
        exists = db.session.scalar(select(UnitSuccession).where(
            UnitSuccession.predecessor_id == predecessor.id, UnitSuccession.successor_id == unit.id))
        if exists is None:
            db.session.add(UnitSuccession(predecessor=predecessor, successor=unit, year=unit.valid_from))
            added += 1
    return added


def import_units(data: bytes) -> ImportResult:
    """Check every row of a units CSV, then store all of it, or raise :class:`UnitImportRefused`."""
    rows, problems = read_rows(data)
    known = _Known(rows)
    levels = {lv for lv in db.session.scalars(select(UnitLevel.code))} | set(STANDARD_LEVELS)
    _check_links(rows, known, levels, problems)
    if problems:
        raise UnitImportRefused(sorted(problems, key=lambda p: p[0]))
    result = _store(rows, known)
    db.session.commit()
    return result


@dataclass
class TreeRow:
    unit: AdminUnit
    depth: int
    predecessors: list[AdminUnit]
    successors: list[AdminUnit]


def unit_tree() -> list[TreeRow]:
    """Every unit under its parent (depth first, by code) with its recorded successions."""
    units = list(db.session.scalars(select(AdminUnit).order_by(AdminUnit.code, AdminUnit.valid_from)))
    links = list(db.session.scalars(select(UnitSuccession)))
    children: dict[int | None, list[AdminUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    rows: list[TreeRow] = []

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            rows.append(TreeRow(unit, depth, [s.predecessor for s in links if s.successor_id == unit.id],
                                [s.successor for s in links if s.predecessor_id == unit.id]))
            walk(unit.id, depth + 1)
    walk(None, 0)
    return rows
