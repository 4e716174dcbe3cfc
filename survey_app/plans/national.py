"""The national indices a province is ranked on (PAR Index, SIPAS, PAPI, PCI): their results
entered one by one or imported from CSV, and their trend per index.

CSV columns: ``index, year, province, score, rank, group``. ``index`` is a code (``par_index``,
``sipas``, ``papi``, ``pci``) or its usual name (``PAR INDEX``, ``SIPAS``, ``PAPI``, ``PCI``);
``province`` is as the index names it (a code or a name); ``score`` a number from 0 to 100 written
either way (``82,5`` or ``82.5``), ``rank`` a whole number from 1 to 100, ``group`` free text; score,
rank and group may be empty but not all three. As for units and population
(:mod:`survey_app.population_import`), every row is checked first; one bad row refuses the whole
file with each problem's row number (the header is row 1). A row replaces the stored result of the
same index, year and province, so importing the same file again changes nothing.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.i18n import _, lazy_gettext as _l
from survey_app.models import AdminUnit, NationalIndex, NationalIndexResult
from survey_app.plans.base import PlanRefused, number, whole
from survey_app.unit_import import UnitImportRefused, _decode

COLUMNS = ("index", "year", "province", "score", "rank", "group")


@dataclass(frozen=True)
class IndexNames:
    """How the platform names a national index: ``label`` on pages and forms (with who publishes
    it), ``in_text`` inside a document's sentence, ``aliases`` how a CSV file may name it."""
    label: object
    in_text: object
    aliases: tuple[str, ...]


#: The one table of the national indices' names (pages, forms, documents and the CSV import).
INDICES = {
    NationalIndex.PAR_INDEX: IndexNames(_l("PAR Index (Ministry of Home Affairs)"), _l("the national PAR Index"),
                                        ("par index", "par_index", "chỉ số cchc")),
    NationalIndex.SIPAS: IndexNames(_l("SIPAS (Ministry of Home Affairs)"), _l("the SIPAS index"), ("sipas",)),
    NationalIndex.PAPI: IndexNames(_l("PAPI (UNDP)"), _l("the PAPI index"), ("papi",)),
    NationalIndex.PCI: IndexNames(_l("PCI (VCCI)"), _l("the PCI index"), ("pci",)),
}


def label(index: NationalIndex | None) -> str:
    """The index's name on a page or in a form, translated; empty for none."""
    return str(INDICES[index].label) if index in INDICES else ""


def name_in_text(index: NationalIndex | None) -> str:
    """The index's name inside a sentence of the plan's document, translated; empty for none."""
    return str(INDICES[index].in_text) if index in INDICES else ""


class NationalImportRefused(UnitImportRefused):
    """The file was refused; ``problems`` is a list of ``(row, message)``, row 0 for the file."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def index_named(text: str) -> NationalIndex | None:
    name = (text or "").strip().lower()
    return next((index for index, names in INDICES.items() if name == index.value or name in names.aliases), None)


def province_names(unit: AdminUnit) -> set[str]:
    """How a national index may name the province: its code, its name, the name without *Tỉnh*."""
    bare = unit.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    return {unit.code, unit.name, bare}


def checked(index, year, province, score, rank, group) -> dict:
    """One result's values, checked; :class:`PlanRefused` with the first problem."""
    found = index if isinstance(index, NationalIndex) else index_named(index)
    if found is None:
        raise PlanRefused(_("Unknown national index “%(value)s” (known: par_index, sipas, papi, pci).",
                            value=index or ""))
    province = (province or "").strip()
    if not province or len(province) > 120:
        raise PlanRefused(_("Name the province (at most 120 characters)."))
    values = {"national_index": found, "year": whole(year, _("The year"), 2000, 2100), "province": province,
              "score": None if str(score or "").strip() == "" else number(score, _("The score"), 0, 100),
              "rank": None if str(rank or "").strip() == "" else whole(rank, _("The rank"), 1, 100),
              "group_name": (group or "").strip() or None}
    if values["group_name"] and len(values["group_name"]) > 64:
        raise PlanRefused(_("The group is at most 64 characters."))
    if values["score"] is None and values["rank"] is None and values["group_name"] is None:
        raise PlanRefused(_("Give the score, the rank or the group."))
    return values


def _put(values: dict, result: ImportResult) -> None:
    stored = db.session.scalar(select(NationalIndexResult).where(
        NationalIndexResult.national_index == values["national_index"], NationalIndexResult.year == values["year"],
        NationalIndexResult.province == values["province"]))
    if stored is None:
        db.session.add(NationalIndexResult(**values))
        result.created += 1
    elif any(getattr(stored, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(stored, key, value)
        result.updated += 1
    else:
        result.unchanged += 1


def enter_result(**values) -> ImportResult:
    """Store (or replace) one result entered on the page or by the command."""
    result = ImportResult()
    _put(checked(**values), result)
    db.session.commit()
    return result


def import_results(data: bytes) -> ImportResult:
    """Check every row of the CSV, then store all of it, or raise :class:`NationalImportRefused`."""
    try:
        text = _decode(data)
    except UnitImportRefused as exc:
        raise NationalImportRefused(exc.problems) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise NationalImportRefused([(1, _("Missing columns: %(columns)s.", columns=", ".join(missing)))])
    reader.fieldnames = header
    rows, problems, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        try:
            values = checked(*((raw.get(c) or "") for c in COLUMNS))
        except PlanRefused as exc:
            problems.append((line, exc.message))
            continue
        key = (values["national_index"], values["year"], values["province"])
        if key in seen:
            problems.append((line, _("The same index, year and province as row %(row)s.", row=seen[key])))
            continue
        seen[key] = line
        rows.append(values)
    if not rows and not problems:
        problems.append((0, _("The file has no results.")))
    if problems:
        raise NationalImportRefused(problems)
    result = ImportResult()
    for values in rows:
        _put(values, result)
    db.session.commit()
    return result


def results_of(province: AdminUnit | None = None) -> list[NationalIndexResult]:
    query = select(NationalIndexResult).order_by(NationalIndexResult.national_index, NationalIndexResult.year)
    if province is not None:
        query = query.where(NationalIndexResult.province.in_(province_names(province)))
    return list(db.session.scalars(query))


def latest_result(province: AdminUnit, index: NationalIndex, before: int | None = None) -> NationalIndexResult | None:
    """The province's latest result on ``index`` (before the year ``before``), or None."""
    query = select(NationalIndexResult).where(NationalIndexResult.national_index == index,
                                              NationalIndexResult.province.in_(province_names(province)))
    if before is not None:
        query = query.where(NationalIndexResult.year < before)
    return db.session.scalar(query.order_by(NationalIndexResult.year.desc()).limit(1))


def result_in(provinces: list[AdminUnit], index: NationalIndex, year: int) -> NationalIndexResult | None:
    """The result of ``year`` under any of the provinces' names (a merged province's new name first)."""
    for province in provinces:
        found = db.session.scalar(select(NationalIndexResult).where(
            NationalIndexResult.national_index == index, NationalIndexResult.year == year,
            NationalIndexResult.province.in_(province_names(province))))
        if found is not None:
            return found
    return None
