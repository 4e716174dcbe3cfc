"""Ranks (*xếp hạng*) among units of the same level, and intervals for totals and ranks.

**Ties.** Standard competition ranking ("1, 2, 2, 4"): a unit's rank is 1 + the number of units
of its level with a strictly higher total, totals compared at the 2 decimals they are published
with. Two units shown with the same points share a rank and the next rank is skipped.

**Intervals by simulation.** The survey part of a total is an estimate. For each draw
``d = 1..D`` (default 2,000, fixed seed) every survey indicator is drawn from its sampling
distribution (:func:`survey_app.index.conversion.draw_percent`: logit-normal for shares,
normal clipped to the scale for mean scores), converted to points by the framework's rule, and
the unit's total recomputed (bonus, penalty, cap and floor included); units are then ranked
within their level in that draw. The 95% interval of a total is the 2.5th-97.5th percentile of
its draws, and the rank interval the 2.5th-97.5th percentile of its draw ranks — the parametric
bootstrap of ranks of Goldstein & Spiegelhalter (1996, JRSS A 159:385) and Marshall &
Spiegelhalter (1998, BMJ 316:1701) for league tables. The total's SE is
``sqrt(Σ SE(points_k)²)`` over its survey sub-criteria.

Assumption: indicators are drawn independently. Units are separate strata, so independence
between units holds; the factors of one unit share respondents and are positively correlated, so
a unit's own interval is somewhat too narrow; stored runs keep no covariances to do better.
"""
from __future__ import annotations

import numpy as np

from survey_app.index.compute import grade
from survey_app.index.conversion import draw_percent, points_of
from survey_app.index.model import UnitIndex

DRAWS = 2000
SEED = 20240601
PLACES = 2


def competition_ranks(totals) -> np.ndarray:
    """Competition ranks (1 = highest) of ``totals`` along axis 0 (any trailing draw axis)."""
    values = np.round(np.asarray(totals, dtype=float), PLACES)
    return 1 + (values[None, :, ...] > values[:, None, ...]).sum(axis=1)


def survey_draws(result: UnitIndex, rng: np.random.Generator, draws: int) -> np.ndarray:
    """Draws of the unit's total (shape ``draws``) from its survey indicators' distributions."""
    if result.rescaled:
        return np.full(draws, result.total)
    fixed = result.regular + result.bonus - result.penalty
    totals = np.full(draws, fixed)
    for leaf in result.leaves:
        if leaf.source == "survey" and leaf.indicator is not None:
            percent = draw_percent(leaf.indicator, rng, draws)
            totals += points_of(leaf.survey, leaf.max_points, percent) - leaf.counted
    return np.clip(totals, 0.0, result.max_points)


def _percentile(values: np.ndarray, q: float, axis: int = -1) -> np.ndarray:
    return np.percentile(values, q, axis=axis, method="inverted_cdf")


def rank_level(results: list[UnitIndex], classes: list[dict], draws: int = DRAWS,
               seed: int = SEED) -> None:
    """Fill rank, rank interval, total interval, SE and class of the units of one level, in place."""
    if not results:
        return
    rng = np.random.default_rng(seed)
    simulated = np.vstack([survey_draws(r, rng, draws) for r in results])
    ranks = competition_ranks([r.total for r in results])
    draw_ranks = competition_ranks(simulated)
    low, high = _percentile(simulated, 2.5), _percentile(simulated, 97.5)
    rank_low, rank_high = _percentile(draw_ranks, 2.5), _percentile(draw_ranks, 97.5)
    for i, result in enumerate(results):
        result.rank, result.units_in_level = int(ranks[i]), len(results)
        result.rank_low, result.rank_high = int(rank_low[i]), int(rank_high[i])
        result.ci_low, result.ci_high = float(low[i]), float(high[i])
        result.se = float(np.sqrt(sum(leaf.points_se ** 2 for leaf in result.leaves
                                      if leaf.source == "survey"))) if not result.rescaled else 0.0
        result.grade = grade(result.percent, classes)
        scale = 100.0 / result.max_points if result.max_points else 0.0
        result.grade_range = (grade(result.ci_low * scale, classes) or "",
                              grade(result.ci_high * scale, classes) or "")


def rank_all(results: list[UnitIndex], classes: list[dict], draws: int = DRAWS,
             seed: int = SEED) -> list[UnitIndex]:
    """Rank every level separately; returns the units sorted by level then rank."""
    levels: dict[str, list[UnitIndex]] = {}
    for result in results:
        levels.setdefault(result.level, []).append(result)
    for offset, (level, members) in enumerate(sorted(levels.items())):
        rank_level(members, classes, draws, seed + offset)
    return sorted(results, key=lambda r: (r.level, r.rank or 0, r.code))
