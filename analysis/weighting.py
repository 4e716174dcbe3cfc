"""Weighting: base weights, non-response, post-stratification, raking, calibration, trimming.

* Base weights are inverse selection probabilities (Horvitz & Thompson 1952).
* Weighting-class non-response adjustment multiplies respondents' weights by
  ``sum_class w / sum_class w_respondents`` (Lohr 2019, sec. 8.5; Kalton &
  Flores-Cervantes 2003).
* Post-stratification, raking (iterative proportional fitting, Deming & Stephan
  1940) and linear calibration (GREG weights ``w (1 + x' lambda)``, Deville &
  Särndal 1992) return a design that *remembers its calibration model*, so its
  variances use calibration residuals (:mod:`analysis.calvar`).
* Trimming clips weights to bounds and spreads the excess over the untrimmed
  weights of the same group, repeating until all are in bounds (Potter 1990).

Margins are given as ``{column: {level: population total}}``; levels are
matched as strings, every level present in the data needs a total and every
total needs respondents, else :class:`~analysis.errors.CalibrationError`
names the margin and the level.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .design import CalibrationModel, SurveyDesign
from .errors import CalibrationError
from .calvar import block_pinv, design_matrix
from .estimators import factorize_labels, level_label

Margins = Mapping[str, Mapping[object, float]]


def base_weights(prob: np.ndarray | pd.Series) -> np.ndarray:
    """Inverse selection probabilities; probabilities must lie in (0, 1]."""
    p = np.asarray(prob, dtype=float)
    if np.any(~(p > 0) | (p > 1)):
        raise CalibrationError("selection probabilities must lie in (0, 1]")
    return 1.0 / p


def nonresponse_adjust(weights: np.ndarray, responded: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Weighting-class adjustment: respondents carry the weight of their class.

    Returns the adjusted weights (zero for non-respondents).
    """
    w = np.asarray(weights, dtype=float)
    resp = np.asarray(responded, dtype=bool)
    codes, uniq = pd.factorize(pd.Series(classes), sort=True)
    total = np.bincount(codes, weights=w, minlength=len(uniq))
    kept = np.bincount(codes, weights=w * resp, minlength=len(uniq))
    if np.any((kept == 0) & (total > 0)):
        bad = uniq[np.flatnonzero((kept == 0) & (total > 0))[0]]
        raise CalibrationError(f"non-response class {bad!r} has no respondents")
    factor = np.divide(total, kept, out=np.zeros_like(total), where=kept > 0)
    return np.where(resp, w * factor[codes], 0.0)


def margin_codes(design: SurveyDesign, variable: str, targets: Mapping[object, float]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Codes of a margin's levels per row and the matching target totals."""
    if variable not in design.data.columns:
        raise CalibrationError(f"margin {variable!r}: unknown column")
    s = design.data[variable]
    if s.isna().any():
        raise CalibrationError(f"margin {variable!r} has missing values")
    codes, labels = factorize_labels(s, str)
    wanted = {level_label(k): float(v) for k, v in targets.items()}
    for lab in labels:
        if lab not in wanted:
            raise CalibrationError(f"margin {variable!r}: level {lab!r} in the data has no population total")
    for lab in wanted:
        if lab not in labels:
            raise CalibrationError(f"margin {variable!r}: level {lab!r} has no respondents (empty cell)")
    return codes.astype(np.int64), np.array([wanted[lab] for lab in labels]), labels


def _prepared(design: SurveyDesign, margins: Margins) -> list[tuple[str, np.ndarray, np.ndarray, list[str]]]:
    return [(var, *margin_codes(design, var, targets)) for var, targets in margins.items()]


def _model(design: SurveyDesign, prepared, continuous: np.ndarray | None = None) -> CalibrationModel:
    base = design.weights if design.calibration is None else design.calibration.base_weights
    return CalibrationModel(tuple((v, c, len(t)) for v, c, t, _ in prepared), continuous, base)


def poststratify(design: SurveyDesign, variable: str, population: Mapping[object, float]) -> SurveyDesign:
    """Post-stratify to known cell totals (R ``postStratify``)."""
    return rake(design, {variable: population}, max_iter=1)


def _worst(prepared, w) -> tuple[float, str, str]:
    """Largest relative gap between achieved and target totals, with its margin and level."""
    worst = (0.0, "", "")
    for var, codes, target, labels in prepared:
        got = np.bincount(codes, weights=w, minlength=len(target))
        gap = np.abs(got - target) / np.maximum(np.abs(target), 1e-300)
        i = int(np.argmax(gap))
        if gap[i] > worst[0]:
            worst = (float(gap[i]), var, labels[i])
    return worst


def rake(design: SurveyDesign, margins: Margins, tol: float = 1e-10, max_iter: int = 100) -> SurveyDesign:
    """Rake the weights to several margins by iterative proportional fitting.

    Parameters
    ----------
    design : SurveyDesign
    margins : dict
        ``{column: {level: population total}}``.
    tol : float
        Convergence when every achieved total is within ``tol`` (relative) of its target.
    max_iter : int
        Iteration cap; :class:`CalibrationError` names the worst margin and level if reached.
    """
    prepared = _prepared(design, margins)
    w = design.weights.copy()
    for _ in range(max_iter):
        for var, codes, target, labels in prepared:
            got = np.bincount(codes, weights=w, minlength=len(target))
            if np.any(got <= 0):
                lab = labels[int(np.flatnonzero(got <= 0)[0])]
                raise CalibrationError(f"margin {var!r}: level {lab!r} has zero weight (empty cell)")
            w *= (target / got)[codes]
        gap, var, lab = _worst(prepared, w)
        if gap < tol:
            return design.with_weights(w, _model(design, prepared))
    raise CalibrationError(f"raking did not converge in {max_iter} iterations: margin {var!r} "
                           f"level {lab!r} is {gap:.3g} (relative) from its target")


def calibrate(design: SurveyDesign, margins: Margins | None = None,
              totals: Mapping[str, float] | None = None) -> SurveyDesign:
    """Linear (GREG) calibration to factor margins and continuous totals.

    ``w_new = w (1 + x' lambda)``, ``lambda = (X'WX)^+ (T - X'w)``; Deville &
    Särndal (1992), R ``calibrate(calfun="linear")``.  Weights may turn negative.
    """
    prepared = _prepared(design, margins or {})
    names = list((totals or {}).keys())
    for name in names:
        if name not in design.data.columns:
            raise CalibrationError(f"calibration total {name!r}: unknown column")
    cont = design.data[names].to_numpy(dtype=float) if names else None
    model = _model(design, prepared, cont)
    x = design_matrix(model)
    target = np.concatenate([t for _, _, t, _ in prepared] + [np.array([totals[n] for n in names])])
    w = design.weights
    gram = x.T @ (x.multiply(w[:, None]))
    lam = block_pinv(gram) @ (target - x.T @ w)
    new = w * (1 + x @ lam)
    gap = np.max(np.abs(x.T @ new - target) / np.maximum(np.abs(target), 1e-300))
    if gap > 1e-6:
        raise CalibrationError(f"calibration targets are inconsistent (relative gap {gap:.3g})")
    return design.with_weights(new, model)
