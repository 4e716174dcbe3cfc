"""Weight trimming and weighting diagnostics.

Trimming keeps each group's weight total while holding every weight within
``[lower, upper]``.  Two rules, both "trim and redistribute until every weight
is in bounds":

* ``"proportional"`` (default; Potter 1990; Valliant, Dever & Kreuter 2018,
  sec. 14.4): the weight removed or added at the bounds is spread over the
  weights inside the bounds in proportion to their size, repeated until all
  are in bounds.  Because every weight inside has then been multiplied by the
  same factor, the result is ``w_i' = min(max(a_g w_i, L_i), U_i)`` with the
  one factor ``a_g`` of group ``g`` that keeps its total: a weight clipped at a
  bound in an early step is released when the final factor puts it back inside
  (found exactly by :func:`_group_factor`).  The order of the weights is kept.
* ``"additive"`` (R ``survey``'s ``trimWeights(design, upper, lower,
  strict=TRUE)``; Lumley 2010, sec. 7.5): the weights outside the bounds are
  set to the bound and the total trimmed is shared *equally* among all the
  others (weights at a bound included), repeated until none is outside.  Same
  figures as R, to rounding; the order of the weights may change.

The bounds are feasible for a group when ``sum_g L_i <= sum_g w_i <= sum_g U_i``
(for scalar bounds: the group's mean weight lies within them); otherwise no
trimming can keep the total and :class:`CalibrationError` says so.

Diagnostics (Kish 1965, 1992):

* Kish's *weighting effect* ``deff_w = n sum w^2 / (sum w)^2 = 1 + cv(w)^2``
  (named as such: it is not the design effect of any estimate);
* effective sample size ``n / deff_w = (sum w)^2 / sum w^2``;
* weight range and ratio, and achieved versus target margins.

References
----------
Potter, F. J. (1990). A study of procedures to identify and trim extreme sampling weights.
*Proceedings of the Survey Research Methods Section, ASA*, 225-230.
Valliant, R., Dever, J. A. & Kreuter, F. (2018). *Practical Tools for Designing and Weighting
Survey Samples*, 2nd ed. Springer.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .design import SurveyDesign
from .errors import CalibrationError, check_choice
from .weighting import Margins, margin_codes

TRIM_METHODS = ("proportional", "additive")


def trim_weights(weights: np.ndarray, lower, upper, groups: np.ndarray | None = None,
                 max_iter: int = 1000, method: str = "proportional") -> np.ndarray:
    """Weights held within ``[lower, upper]``, each group's total kept.

    Parameters
    ----------
    weights : ndarray, shape (n,)
        Non-negative weights.
    lower, upper : float or ndarray, shape (n,)
        Bounds (scalars or one per row).
    groups : ndarray, shape (n,), optional
        Group of each row; totals are kept within each group (default: one group).
    max_iter : int
        Cap on the iterations of the ``"additive"`` rule.
    method : {"proportional", "additive"}
        Redistribution rule (see the module docstring).

    Returns
    -------
    ndarray, shape (n,)
        ``min(max(a_g w_i, L_i), U_i)`` (proportional), or R's ``trimWeights(strict=TRUE)``
        weights (additive).

    Raises
    ------
    CalibrationError
        If the bounds are not ordered, or cannot hold a group's total (its mean weight lies
        outside the bounds), or the additive rule does not settle in ``max_iter`` steps.
    """
    check_choice("method", method, TRIM_METHODS)
    w = np.asarray(weights, dtype=float)
    lower, upper = (np.broadcast_to(np.asarray(b, float), w.shape) for b in (lower, upper))
    if np.any(lower > upper):
        raise CalibrationError("trimming bounds are not ordered (lower > upper)")
    if np.any(w < 0):
        raise CalibrationError("trimming needs non-negative weights")
    out = w.copy()
    labels = np.zeros(len(w), np.int64) if groups is None else pd.Series(groups).to_numpy()
    codes, uniq = pd.factorize(pd.Series(labels), sort=True)
    for g, label in enumerate(uniq):
        rows = np.flatnonzero(codes == g)
        _check_feasible(w[rows], lower[rows], upper[rows], label, groups is not None)
        if method == "proportional":
            a = _group_factor(w[rows], lower[rows], upper[rows])
            out[rows] = np.clip(a * w[rows], lower[rows], upper[rows])
        else:
            out[rows] = _additive(w[rows], lower[rows], upper[rows], max_iter)
    return out


def _check_feasible(w, lower, upper, label, named: bool) -> None:
    """:class:`CalibrationError` when no weights within the bounds can sum to the group total."""
    total, n = w.sum(), len(w)
    slack = 1e-12 * max(abs(total), 1.0)
    if lower.sum() - slack <= total <= upper.sum() + slack:
        return
    where = f" of group {label!r}" if named else ""
    raise CalibrationError(
        f"trimming bounds [{lower.mean():.6g}, {upper.mean():.6g}] cannot keep the weight total{where}: "
        f"its mean weight {total / n:.6g} lies outside them")


def _clipped_sum(a: float, w, lower, upper) -> float:
    return float(np.clip(a * w, lower, upper).sum())


def _group_factor(w, lower, upper) -> float:
    """The factor ``a >= 0`` with ``sum min(max(a w_i, L_i), U_i) = sum w_i``.

    The left side is continuous, piecewise linear and non-decreasing in ``a``, with kinks
    at ``L_i / w_i`` and ``U_i / w_i``: a bisection over the sorted kinks finds the segment
    holding the total, on which the sum is linear and solved exactly.
    """
    total = w.sum()
    pos = w > 0
    kinks = np.unique(np.concatenate([[0.0], lower[pos] / w[pos], upper[pos] / w[pos]]))
    kinks = kinks[np.isfinite(kinks) & (kinks >= 0)]
    lo, hi = 0, len(kinks) - 1
    if _clipped_sum(kinks[hi], w, lower, upper) <= total:
        lo = hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _clipped_sum(kinks[mid], w, lower, upper) <= total:
            lo = mid
        else:
            hi = mid
    start = kinks[lo]
    probe = start + 1.0 if lo == hi else (start + kinks[hi]) / 2
    free = (probe * w > lower) & (probe * w < upper)
    fixed = np.clip(probe * w, lower, upper)[~free].sum()
    slope = w[free].sum()
    return float((total - fixed) / slope) if slope > 0 else float(start)


def _additive(w, lower, upper, max_iter: int) -> np.ndarray:
    """R's ``trimWeights(strict=TRUE)``: clip, share the trimmed total equally among the rows
    not outside the bounds, until none is outside."""
    w = w.copy()
    for _ in range(max_iter):
        outside = (w < lower) | (w > upper)
        if not outside.any():
            return w
        new = np.clip(w, lower, upper)
        if outside.all():
            raise CalibrationError("trimming bounds leave no weight to redistribute to")
        new[~outside] += (w - new).sum() / (~outside).sum()
        w = new
    raise CalibrationError(f"trimming did not settle in {max_iter} iterations")


def trim(design: SurveyDesign, lower: float, upper: float, by: str | None = None,
         relative: bool = False, max_iter: int = 1000, method: str = "proportional") -> SurveyDesign:
    """Design with trimmed weights (totals kept within ``by`` groups).

    Bounds are absolute weights, or with ``relative=True`` multiples of the
    median weight of the row's ``by`` group (of all rows without ``by``).
    ``method`` is the redistribution rule of :func:`trim_weights`; ``"additive"``
    without ``by`` is R's ``trimWeights(design, upper, lower, strict=TRUE)``.

    The calibration model, if any, is kept: variances still use the
    calibration residuals, which is an approximation once trimming has moved
    the weights off the margins (as R's ``trimWeights`` after ``calibrate``).
    """
    groups = None if by is None else design.data[by].to_numpy()
    scale = 1.0
    if relative:
        key = np.zeros(design.n) if groups is None else groups
        scale = pd.Series(design.weights).groupby(key).transform("median").to_numpy()
    return design.with_weights(trim_weights(design.weights, lower * scale, upper * scale, groups,
                                            max_iter, method))


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
