"""Storing a sample list: imported as it is, or drawn from a frame by stratum.

A draw uses :mod:`survey_app.sampling` in each stratum (simple random, systematic, or
probability proportional to size) and stores each case's inclusion probability π (its design
weight is 1/π). Reserve cases (*mẫu dự phòng*) are drawn by simple random sampling from the
units left in the stratum, in a random order, and kept in a second list linked to the first;
a reserve case carries the inclusion probability its frame unit had under the main design, as
a field substitute stands in for the case it replaces (Vehovar, "Field substitution and unit
nonresponse", *Journal of Official Statistics* 15, 1999).

Nothing is written unless every row and every stratum is right (the caller commits).
"""
from __future__ import annotations

import random
from collections.abc import Callable

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import AdminUnit, Campaign, SampleCase, SampleList
from survey_app.samples.frame import FrameRow, SampleRefused, read_rows
from survey_app.sampling import pps_systematic, simple_random, stratified, systematic

METHODS = ("srs", "systematic", "pps")


def _case(row: FrameRow, sample: SampleList, probability: float | None, weight: float | None) -> SampleCase:
    return SampleCase(sample_list=sample, unit=row.unit, label=row.label, address=row.address,
                      stratum=row.stratum, cluster=row.cluster, selection_probability=probability,
                      weight=weight)


def _lists(campaign: Campaign, name: str, method: str, parameters: dict,
           with_reserve: bool) -> tuple[SampleList, SampleList | None]:
    """The main list and, when needed, its reserve list, linked both ways once flushed."""
    main = SampleList(campaign_id=campaign.id, name=name[:200], method=method, parameters=parameters)
    db.session.add(main)
    reserve = None
    if with_reserve:
        reserve = SampleList(campaign_id=campaign.id, name=(name[:180] + " · " + _("reserve")),
                             method="reserve", parameters={})
        db.session.add(reserve)
        db.session.flush()
        reserve.parameters = {"reserve_for": main.id}
        main.parameters = {**parameters, "reserve_list_id": reserve.id}
    return main, reserve


def import_sample(campaign: Campaign, name: str, data: bytes,
                  allowed: Callable[[AdminUnit], bool]) -> SampleList:
    """Store a sample list from CSV; π = 1/weight when only the weight is given, and back."""
    rows = read_rows(data, campaign.year, allowed, "sample")
    main, reserve = _lists(campaign, name, "import", {"rows": len(rows)}, any(r.reserve for r in rows))
    for row in rows:
        p = row.probability if row.probability is not None else 1 / row.weight
        w = row.weight if row.weight is not None else 1 / row.probability
        db.session.add(_case(row, reserve if row.reserve else main, p, w))
    db.session.flush()
    return main


def _drawer(method: str, rng: random.Random):
    """``draw(units, n)`` of the method, returning (row, π) pairs."""
    if method == "srs":
        return lambda units, n: simple_random(units, n, rng)
    if method == "systematic":
        return lambda units, n: systematic(units, n, rng)
    if method == "pps":
        return lambda units, n: pps_systematic(units, n, lambda r: r.size, rng)
    raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


def _pps_probability(row: FrameRow, units: list[FrameRow], n: int) -> float:
    """π of a unit not drawn under PPS: n·x/Σx, at most 1 (Cochran 1977, §9A.7)."""
    return min(1.0, n * row.size / sum(u.size for u in units))


def _check_sizes(strata: dict[str, list[FrameRow]], sizes: dict[str, int]) -> None:
    errors = [_("Stratum %(s)s has %(N)d units in the frame, fewer than the %(n)d asked.",
                s=key, N=len(units), n=sizes[key]) for key, units in strata.items() if sizes[key] > len(units)]
    errors += [_("Stratum %(s)s is not in the frame.", s=key) for key in sizes if key not in strata]
    if not any(sizes.get(key) for key in strata):
        errors.append(_("Every stratum has a sample size of 0: nothing to draw."))
    if errors:
        raise SampleRefused(errors)


def draw_sample(campaign: Campaign, name: str, data: bytes, method: str, sizes: dict[str, int],
                per_stratum: int, reserve: int, seed: int,
                allowed: Callable[[AdminUnit], bool]) -> SampleList:
    """Draw ``sizes[stratum]`` (default ``per_stratum``) cases and ``reserve`` reserve cases in
    each stratum of the frame with ``method``, reproducibly from ``seed``."""
    rows = read_rows(data, campaign.year, allowed, "pps" if method == "pps" else "frame")
    strata: dict[str, list[FrameRow]] = {}
    for row in rows:
        strata.setdefault(row.stratum, []).append(row)
    wanted = {key: sizes.get(key, per_stratum) for key in strata} | {k: v for k, v in sizes.items()}
    _check_sizes(strata, wanted)
    rng = random.Random(seed)
    main_draw = _drawer(method, rng)
    chosen = stratified(rows, lambda r: r.stratum, wanted,
                        lambda units, n: main_draw(units, n) if n else [])
    parameters = {"method": method, "seed": seed, "sizes": wanted, "reserve": reserve,
                  "frame_units": len(rows)}
    main, reserve_list = _lists(campaign, name, method, parameters, reserve > 0)
    taken = set()
    for _key, row, p in chosen:
        taken.add(row.number)
        db.session.add(_case(row, main, p, 1 / p))
    if reserve_list is not None:
        _draw_reserve(reserve_list, strata, wanted, taken, reserve, method, rng)
    db.session.flush()
    return main


def _draw_reserve(sample: SampleList, strata: dict, wanted: dict, taken: set, reserve: int,
                  method: str, rng: random.Random) -> None:
    """Reserve cases from the units left in each stratum, in a random order."""
    for key in sorted(strata, key=str):
        units, n = strata[key], wanted[key]
        left = [r for r in units if r.number not in taken]
        for row, _p in simple_random(left, min(reserve, len(left)), rng):
            p = _pps_probability(row, units, n) if method == "pps" else n / len(units)
            db.session.add(_case(row, sample, p or None, 1 / p if p else None))
