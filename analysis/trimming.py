"""Weight trimming and weighting diagnostics.

Trimming (Potter 1990; Valliant, Dever & Kreuter 2018, sec. 14.4): weights are
clipped to ``[lower, upper]`` and the weight removed (or added) is spread
proportionally over the weights still strictly inside the bounds, within each
group, so that group totals are kept; repeated until every weight is in bounds.

Diagnostics (Kish 1965, 1992):

* Kish's *weighting effect* ``deff_w = n sum w^2 / (sum w)^2 = 1 + cv(w)^2``
  (named as such: it is not the design effect of any estimate);
* effective sample size ``n / deff_w = (sum w)^2 / sum w^2``;
* weight range and ratio, and achieved versus target margins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .design import SurveyDesign
from .errors import CalibrationError
from .weighting import Margins, margin_codes


def trim_weights(weights: np.ndarray, lower, upper, groups: np.ndarray | None = None,
                 max_iter: int = 100, tol: float = 1e-12) -> np.ndarray:
    """Clip weights to bounds, redistributing within groups to keep group totals.

    ``lower`` and ``upper`` are scalars or per-row arrays.

    Raises
    ------
    CalibrationError
        If the bounds cannot hold a group's total (e.g. ``upper * n < total``)
        or the iteration cap is reached.
    """
    lower, upper = np.broadcast_arrays(np.asarray(lower, float), np.asarray(upper, float))
    if np.any(lower > upper):
        raise CalibrationError("trimming bounds are not ordered (lower > upper)")
    w = np.asarray(weights, dtype=float).copy()
    g = np.zeros(len(w), np.int64) if groups is None else pd.factorize(pd.Series(groups))[0]
    n_g = int(g.max()) + 1 if len(g) else 0
    total = np.bincount(g, weights=w, minlength=n_g)
    for _ in range(max_iter):
        w = np.clip(w, lower, upper)
        free = (w > lower) & (w < upper)
        fixed = np.bincount(g, weights=w * ~free, minlength=n_g)
        movable = np.bincount(g, weights=w * free, minlength=n_g)
        need = total - fixed
        if np.any((movable <= 0) & (np.abs(need) > tol * np.abs(total))):
            bad = int(np.flatnonzero((movable <= 0) & (np.abs(need) > tol * np.abs(total)))[0])
            raise CalibrationError(f"trimming bounds cannot keep the weight total of group {bad}")
        factor = np.divide(need, movable, out=np.ones_like(need), where=movable > 0)
        w = np.where(free, w * factor[g], w)
        if np.all(w >= lower * (1 - tol)) and np.all(w <= upper * (1 + tol)):
            return np.clip(w, lower, upper)
    raise CalibrationError(f"trimming did not converge in {max_iter} iterations")


def trim(design: SurveyDesign, lower: float, upper: float, by: str | None = None,
         relative: bool = False, max_iter: int = 100) -> SurveyDesign:
    """Design with trimmed weights (totals kept within ``by`` groups).

    Bounds are absolute weights, or with ``relative=True`` multiples of the
    median weight of the row's ``by`` group (of all rows without ``by``).

    The calibration model, if any, is kept: variances still use the
    calibration residuals, which is an approximation once trimming has moved
    the weights off the margins (as R's ``trimWeights`` after ``calibrate``).
    """
    groups = None if by is None else design.data[by].to_numpy()
    scale = 1.0
    if relative:
        key = np.zeros(design.n) if groups is None else groups
        scale = pd.Series(design.weights).groupby(key).transform("median").to_numpy()
    return design.with_weights(trim_weights(design.weights, lower * scale, upper * scale, groups, max_iter))


def weight_summary(weights: np.ndarray) -> dict[str, float]:
    """Kish weighting effect, effective sample size and range of a weight vector."""
    w = np.asarray(weights, dtype=float)
    n, s1, s2 = len(w), w.sum(), (w**2).sum()
    pos = w[w > 0]
    return {
        "n": n, "sum": s1, "min": w.min(), "max": w.max(), "mean": s1 / n,
        "ratio_max_min": pos.max() / pos.min() if len(pos) else np.nan,
        "cv": w.std() / w.mean(),
        "kish_weighting_effect": n * s2 / s1**2,
        "effective_sample_size": s1**2 / s2,
    }


def margin_check(design: SurveyDesign, margins: Margins) -> pd.DataFrame:
    """Achieved versus target totals for each margin level."""
    rows = []
    for var, targets in margins.items():
        codes, target, labels = margin_codes(design, var, targets)
        got = np.bincount(codes, weights=design.weights, minlength=len(target))
        rows += [{"variable": var, "level": lab, "target": t, "achieved": a, "difference": a - t}
                 for lab, t, a in zip(labels, target, got)]
    return pd.DataFrame(rows, columns=["variable", "level", "target", "achieved", "difference"])


def diagnostics(design: SurveyDesign, margins: Margins | None = None) -> dict:
    """Weight summary plus, when margins are given, the margin check table."""
    out = {"weights": weight_summary(design.weights)}
    if margins:
        out["margins"] = margin_check(design, margins)
    return out
