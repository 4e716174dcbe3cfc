"""Units, levels, population and mergers of the demo province, from ``questionnaires/demo/province.yaml``."""
from __future__ import annotations

from pathlib import Path

import yaml

from survey_app.extensions import db
from survey_app.models import AdminUnit, UnitLevel, UnitPopulation, UnitSuccession

CONTENT = Path(__file__).resolve().parents[2] / "questionnaires"
PROVINCE_FILE = CONTENT / "demo" / "province.yaml"
DEMO_YEAR = 2024


def read_province(path: Path = PROVINCE_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _name(value) -> tuple[str, str]:
    if isinstance(value, dict):
        return value.get("vi", ""), value.get("en", value.get("vi", ""))
    return str(value), str(value)


def population_of(unit_spec: dict) -> dict[tuple[str, str], float]:
    """``{(sex, age_group): adults}`` from a unit's ``population`` block."""
    return {(sex, age): float(n) for sex, groups in (unit_spec.get("population") or {}).items()
            for age, n in groups.items()}


def load_units(document: dict) -> dict[str, AdminUnit]:
    """Create the levels, units, population (for the demo year) and succession links."""
    levels = {}
    for rank, spec in enumerate(document["levels"]):
        name_vi, name_en = _name(spec["name"])
        levels[spec["code"]] = UnitLevel(code=spec["code"], name_vi=name_vi, name_en=name_en, rank=rank)
    db.session.add_all(levels.values())
    top = document["province"]
    province = AdminUnit(code=str(top["code"]), name=top["name"], name_en=top.get("name_en"),
                         level=levels["province"], valid_from=int(top.get("valid_from", 1997)),
                         valid_to=int(top["valid_to"]) if top.get("valid_to") else None)
    units = {province.code: province}
    for spec in document["units"]:
        if str(spec["code"]) == province.code:
            continue
        unit = AdminUnit(code=str(spec["code"]), name=spec["name"], name_en=spec.get("name_en"),
                         level=levels[spec["level"]],
                         parent=units[str(spec["parent"])] if spec.get("parent") else None,
                         valid_from=int(spec.get("valid_from", 1997)),
                         valid_to=int(spec["valid_to"]) if spec.get("valid_to") else None)
        unit.population = [UnitPopulation(year=DEMO_YEAR, sex=sex, age_group=age, count=int(n))
                           for (sex, age), n in population_of(spec).items()]
        units[unit.code] = unit
    db.session.add_all(units.values())
    for merger in document.get("mergers") or []:
        for code in merger["predecessors"]:
            db.session.add(UnitSuccession(predecessor=units[str(code)], year=int(merger["year"]),
                                          successor=units[str(merger["successor"])]))
        _successor_population(units[str(merger["successor"])], [units[str(c)] for c in merger["predecessors"]])
    return units


def _successor_population(successor: AdminUnit, predecessors: list[AdminUnit]) -> None:
    """A merged unit without its own figures counts its predecessors' adults, in its first year."""
    if successor.population or successor.level.code == "province":
        return
    totals: dict[tuple[str, str], int] = {}
    for unit in predecessors:
        for row in unit.population:
            totals[row.sex, row.age_group] = totals.get((row.sex, row.age_group), 0) + row.count
    successor.population = [UnitPopulation(year=successor.valid_from, sex=sex, age_group=age, count=n)
                            for (sex, age), n in totals.items()]
