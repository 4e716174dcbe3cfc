"""Import the adult population of units from a CSV file (*nhập dân số theo giới tính, nhóm tuổi*),
the targets the analysis rakes each unit's respondents to (:mod:`survey_app.survey_analysis.weights`).

Columns: ``unit_code, year, sex, age_group, count``. ``unit_code`` is a unit valid in ``year``;
``sex`` is ``male`` / ``female`` (or the questionnaire's answer code ``1`` / ``2``) and
``age_group`` one of the questionnaire's age groups, both as the analysis defines them
(:data:`~survey_app.survey_analysis.exclusions.SEX_NAMES`, ``AGE_GROUPS``); ``count`` is a whole
number of adults.

Every row is checked before anything is stored; one bad row refuses the whole file with each
problem's row number (the header is row 1), as for units (:mod:`survey_app.unit_import`). The
figures of a unit and year in the file replace the ones stored for it, so importing the same
file again changes nothing.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import AdminUnit, UnitPopulation
from survey_app.survey_analysis.exclusions import AGE_GROUPS, SEX_NAMES
from survey_app.unit_import import UnitImportRefused, _decode

COLUMNS = ("unit_code", "year", "sex", "age_group", "count")
#: More adults than any unit has (and than the database's whole numbers hold): a typing mistake.
MOST_ADULTS = 1_000_000_000


class PopulationImportRefused(UnitImportRefused):
    """The file was refused; ``problems`` is a list of ``(row, message)``, row 0 for the file."""


@dataclass
class Figure:
    number: int
    unit: AdminUnit
    year: int
    sex: str
    age_group: str
    count: int

    @property
    def key(self) -> tuple:
        return self.unit.id, self.year, self.sex, self.age_group


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


def _whole(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _sex(value: str) -> str | None:
    return SEX_NAMES.get(value, value if value in SEX_NAMES.values() else None)


def _unit(code: str, year: int, units: list[AdminUnit]) -> AdminUnit | None:
    return next((u for u in units if u.code == code and u.valid_in(year)), None)


def _parse_row(number: int, raw: dict, units: list[AdminUnit], problems: list) -> Figure | None:
    values = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    before = len(problems)
    year = int(values["year"]) if _whole(values["year"]) and len(values["year"]) == 4 else None
    if year is None:
        problems.append((number, _("The year must be a year (2025), not “%(value)s”.", value=values["year"])))
    unit = _unit(values["unit_code"], year, units) if year is not None else None
    if year is not None and unit is None:
        problems.append((number, _("No unit %(code)s valid in %(year)s.", code=values["unit_code"], year=year)))
    sex = _sex(values["sex"])
    if sex is None:
        problems.append((number, _("Unknown sex “%(value)s” (known: %(known)s).", value=values["sex"],
                                   known=", ".join(list(SEX_NAMES.values()) + list(SEX_NAMES)))))
    if values["age_group"] not in AGE_GROUPS:
        problems.append((number, _("Unknown age group “%(value)s” (known: %(known)s).",
                                   value=values["age_group"], known=", ".join(AGE_GROUPS))))
    if not _whole(values["count"]):
        problems.append((number, _("The count must be a whole number of 0 or more, not “%(value)s”.",
                                   value=values["count"])))
    elif int(values["count"]) > MOST_ADULTS:
        problems.append((number, _("The count %(value)s is more than any unit's adults.", value=values["count"])))
    if len(problems) > before:
        return None
    return Figure(number, unit, year, sex, values["age_group"], int(values["count"]))


def read_figures(data: bytes) -> tuple[list[Figure], list[tuple[int, str]]]:
    """The file's figures and the problems found in its rows, duplicates included."""
    try:
        text = _decode(data)
    except UnitImportRefused as exc:
        raise PopulationImportRefused(exc.problems) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise PopulationImportRefused([(1, _("Missing columns: %(columns)s.", columns=", ".join(missing)))])
    reader.fieldnames = header
    units = list(db.session.scalars(select(AdminUnit)))
    problems: list[tuple[int, str]] = []
    figures, seen = [], {}
    for number, raw in enumerate(reader, start=2):
        figure = _parse_row(number, raw, units, problems)
        if figure is None:
            continue
        if figure.key in seen:
            problems.append((number, _("The same unit, year, sex and age group as row %(row)s.",
                                       row=seen[figure.key])))
            continue
        seen[figure.key] = number
        figures.append(figure)
    if not figures and not problems:
        problems.append((0, _("The file has no population figures.")))
    return figures, problems


def _store(figures: list[Figure]) -> ImportResult:
    result = ImportResult()
    for unit_id, year in {(f.unit.id, f.year) for f in figures}:
        stored = {(p.sex, p.age_group): p for p in db.session.scalars(select(UnitPopulation).where(
            UnitPopulation.unit_id == unit_id, UnitPopulation.year == year))}
        for figure in (f for f in figures if (f.unit.id, f.year) == (unit_id, year)):
            row = stored.pop((figure.sex, figure.age_group), None)
            if row is None:
                db.session.add(UnitPopulation(unit_id=unit_id, year=year, sex=figure.sex,
                                              age_group=figure.age_group, count=figure.count))
                result.created += 1
            elif row.count != figure.count:
                row.count = figure.count
                result.updated += 1
            else:
                result.unchanged += 1
        for row in stored.values():
            db.session.delete(row)
            result.removed += 1
    return result


def import_population(data: bytes) -> ImportResult:
    """Check every row of a population CSV, then store all of it, or raise
    :class:`PopulationImportRefused`."""
    figures, problems = read_figures(data)
    if problems:
        raise PopulationImportRefused(sorted(problems, key=lambda p: p[0]))
    result = _store(figures)
    db.session.commit()
    return result


@dataclass
class PopulationTotal:
    unit: AdminUnit
    year: int
    adults: int
    groups: int


def population_totals() -> list[PopulationTotal]:
    """The adults loaded per unit and year (and how many sex × age group figures), by code and year."""
    rows = db.session.execute(
        select(AdminUnit, UnitPopulation.year, func.sum(UnitPopulation.count), func.count(UnitPopulation.id))
        .join(UnitPopulation).group_by(AdminUnit.id, UnitPopulation.year)
        .order_by(AdminUnit.code, UnitPopulation.year))
    return [PopulationTotal(unit, year, int(adults), groups) for unit, year, adults, groups in rows]
