"""Averages of unit estimates for the report: the level's average unit (*bình quân các đơn vị*).

Each assessed unit is its own stratum with its own villages, so unit estimates are independent.
The equally weighted average of ``k`` unit estimates :math:`\\hat p_i` is

.. math:: \\bar p = \\frac1k\\sum_i \\hat p_i, \\qquad
          \\widehat{V}(\\bar p) = \\frac1{k^2}\\sum_i \\widehat{V}(\\hat p_i)

(variance of a sum of independent stratum estimates, Cochran 1977, §5.3), with
Satterthwaite's (1946) degrees of freedom
:math:`\\nu = (\\sum_i v_i)^2 / \\sum_i (v_i^2/\\nu_i)` for the t interval.

References
----------
Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley.
Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance components.
*Biometrics Bulletin* 2(6), 110-114.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """An estimate on the 0-1 scale with its standard error and 95% interval."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int


def mean_of_units(rows) -> Estimate | None:
    """The average of independent unit estimates (objects with estimate, se, df, n)."""
    from scipy import stats  # loaded by the report that needs it, not by every page and command

    rows = [r for r in rows if r.se == r.se]
    if not rows:
        return None
    k = len(rows)
    variances = [r.se ** 2 for r in rows]
    estimate = sum(r.estimate for r in rows) / k
    se = sum(variances) ** 0.5 / k
    denominator = sum(v * v / max(r.df, 1.0) for v, r in zip(variances, rows))
    df = sum(variances) ** 2 / denominator if denominator > 0 else float(k)
    half = stats.t.ppf(0.975, df) * se
    return Estimate(estimate, se, max(0.0, estimate - half), min(1.0, estimate + half),
                    sum(r.n for r in rows))
