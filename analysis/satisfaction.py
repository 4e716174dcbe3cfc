"""SIPAS satisfaction scores: % satisfied and mean score per criterion, factor, overall.

Items are 5-point scales (1 very dissatisfied .. 5 very satisfied).  "Don't
know" and refusals (configurable codes, e.g. 8/9 or 0) become missing and are
dropped per item on the full design.  A respondent is *satisfied* with an item
when the answer is 4 or 5 (top two boxes).

The aggregation rule is a parameter (the framework file decides it):

* ``"mean_of_criteria"``: factor % satisfied = mean of its criteria's %
  satisfied (and likewise for mean scores).  A mean of estimates is a linear
  combination, so its influence values are the same combination of the
  criteria's influence values (Wolter 2007, sec. 6.2): covariances between
  criteria are kept, never ignored.
* ``"pooled"``: a respondent-level factor index (mean of the respondent's
  answered criteria), then % satisfied = share of respondents with index >= 4,
  and mean score = mean index.

Overall is ``"mean_of_factors"`` (linear combination of the factor estimates)
or ``"pooled"`` (respondent index over all criteria).  Default: the factor rule
(``mean_of_criteria`` -> ``mean_of_factors``).

Also: perception/satisfaction/expectation gaps (difference of two means with
the SE of the difference of influence values), weighted Cronbach's alpha
(Cronbach 1951) and key-driver regressions (:mod:`analysis.regression`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .design import SurveyDesign
from .errors import EstimationError, check_choice
from .estimators import domains, mean_core, numeric, summarize
from .regression import RegressionResult, svyglm
from .results import Results, build

AGGREGATIONS = ("mean_of_criteria", "pooled")
OVERALL = ("mean_of_factors", "pooled")
SATISFIED = 4
SCALE = np.array([1.0, 2.0, 3.0, 4.0, 5.0])


def recode(design: SurveyDesign, items: Sequence[str], missing_codes: Sequence[float] = (8, 9)) -> np.ndarray:
    """n x J matrix of 1-5 scores with don't-know/refusal codes set to NaN.

    Checked and recoded one column at a time (no n x J boolean temporaries).
    """
    y = np.empty((design.n, len(items)))
    missing = np.asarray(missing_codes, dtype=float)
    for j, item in enumerate(items):
        v = numeric(design, [item])[:, 0]
        v[np.isin(v, missing)] = np.nan
        bad = ~np.isnan(v) & ~np.isin(v, SCALE)
        if bad.any():
            raise EstimationError(f"item {item!r} has value {v[bad][0]:g} outside 1-5 and the missing codes")
        y[:, j] = v
    return y


def _index(y: np.ndarray) -> np.ndarray:
    """Respondent mean of the answered items (NaN when none answered)."""
    answered = (~np.isnan(y)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(answered > 0, np.nansum(y, axis=1) / np.maximum(answered, 1), np.nan)


def _sat(y: np.ndarray) -> np.ndarray:
    """1 for a satisfied answer (4-5), 0 for 1-3, NaN for missing."""
    return np.where(np.isnan(y), np.nan, y >= SATISFIED)


def _combine(core: dict, weights: np.ndarray, observed: np.ndarray, design: SurveyDesign, g: np.ndarray,
             n_dom: int) -> dict:
    """Linear combination ``weights`` (J x K) of the columns of a ratio_core result.

    Estimate and influence values combine linearly (Wolter 2007, sec. 6.2);
    ``n`` and ``N`` count the rows with at least one of the combined columns observed.
    """
    from .linearize import group_sum

    any_obs = np.column_stack([observed[:, weights[:, k] != 0].any(axis=1) for k in range(weights.shape[1])])
    any_obs = any_obs.astype(float)
    return {"estimate": core["estimate"] @ weights, "z": core["z"] @ weights,
            "n": group_sum(g, n_dom + 1, any_obs)[:n_dom],
            "N": group_sum(g, n_dom + 1, any_obs, weights=design.weights)[:n_dom]}


def _stack(cores: list[dict]) -> dict:
    """Put several cores side by side (one variance computation for all their columns)."""
    return {key: np.hstack([c[key] for c in cores]) for key in ("estimate", "z", "n", "N")}


def _split(arrays: dict, widths: list[int]) -> list[dict]:
    """Undo :func:`_stack` on the D x K summary arrays."""
    edges = np.cumsum([0] + widths)
    return [{k: v[:, a:b] for k, v in arrays.items()} for a, b in zip(edges[:-1], edges[1:])]


def satisfaction_scores(design: SurveyDesign, framework: Mapping, by=None, missing_codes=(8, 9),
                        level: float = 0.95, ci: str = "t") -> Results:
    """% satisfied (``pct_satisfied``) and ``mean_score`` per criterion, factor and overall.

    Parameters
    ----------
    framework : dict
        ``{"factors": {"F1": ["c1", "c2"], ...}, "aggregation": "mean_of_criteria" | "pooled",
        "overall": "mean_of_factors" | "pooled"}`` (``overall`` optional).
    """
    factors = dict(framework["factors"])
    rule = check_choice("aggregation", framework.get("aggregation", "mean_of_criteria"), AGGREGATIONS)
    overall = check_choice("overall", framework.get("overall", "mean_of_factors" if rule == "mean_of_criteria"
                                                     else "pooled"), OVERALL)
    items = [c for cols in factors.values() for c in cols]
    y = recode(design, items, missing_codes)
    dom, labels = domains(design, by)
    n_dom, g = len(labels), np.where(dom >= 0, dom, len(labels))
    observed = ~np.isnan(y)
    cols_f = [[items.index(c) for c in cols] for cols in factors.values()]
    factor_obs = np.column_stack([observed[:, c].any(axis=1) for c in cols_f])
    m = np.zeros((len(items), len(factors)))
    for k, c in enumerate(cols_f):
        m[c, k] = 1 / len(c)
    k = len(factors)
    index_f = np.column_stack([_index(y[:, c]) for c in cols_f]) if rule == "pooled" else None
    index_all = _index(y)[:, None] if overall == "pooled" else None
    names = [items, list(factors), ["overall"]]
    out = Results([])
    for stat, method, value in (("pct_satisfied", "logit", _sat), ("mean_score", "wald", lambda v: v)):
        crit = mean_core(design, value(y), dom, n_dom)
        if rule == "mean_of_criteria":
            fac = _combine(crit, m, observed, design, g, n_dom)
        else:
            fac = mean_core(design, value(index_f), dom, n_dom)
        if overall == "mean_of_factors":
            ovr = _combine(fac, np.full((k, 1), 1 / k), factor_obs, design, g, n_dom)
        else:
            ovr = mean_core(design, value(index_all), dom, n_dom)
        cores = [crit, fac, ovr]
        arrays = summarize(design, _stack(cores), dom, n_dom, method, level, ci)
        del cores, crit, fac, ovr
        for part, labs in zip(_split(arrays, [len(x) for x in names]), names):
            out = out + build(stat, labs, [None] * len(labs), labels, part)
    return out


def score_gap(design: SurveyDesign, first: str, second: str, by=None, missing_codes=(8, 9),
              level: float = 0.95, ci: str = "t") -> Results:
    """Mean of ``first`` minus mean of ``second`` (e.g. satisfaction - expectation), each
    dropping its own missing answers; SE from the difference of influence values."""
    y = recode(design, [first, second], missing_codes)
    dom, labels = domains(design, by)
    core = mean_core(design, y, dom, len(labels))
    g = np.where(dom >= 0, dom, len(labels))
    diff = _combine(core, np.array([[1.0], [-1.0]]), ~np.isnan(y), design, g, len(labels))
    arrays = summarize(design, diff, dom, len(labels), "wald", level, ci)
    return build("gap", [f"{first}-{second}"], [None], labels, arrays)


def cronbach_alpha(design: SurveyDesign, items: Sequence[str], missing_codes=(8, 9)) -> float:
    """Weighted Cronbach's alpha on complete cases:
    ``k/(k-1) (1 - sum_j s_j^2 / s_T^2)`` with weighted variances (Cronbach 1951)."""
    y = recode(design, items, missing_codes)
    ok = ~np.isnan(y).any(axis=1)
    y, w = y[ok], design.weights[ok] / design.weights[ok].sum()
    if len(items) < 2 or len(y) < 2:
        raise EstimationError("Cronbach's alpha needs at least two items and two complete respondents")

    def wvar(v: np.ndarray) -> np.ndarray:
        return (w[:, None] * (v - w @ v) ** 2).sum(axis=0)

    k = len(items)
    return float(k / (k - 1) * (1 - wvar(y).sum() / wvar(y.sum(axis=1, keepdims=True))[0]))


def key_drivers(design: SurveyDesign, framework: Mapping, outcome: str, family: str = "gaussian",
                missing_codes=(8, 9)) -> RegressionResult:
    """Regress an overall satisfaction column on the respondent-level factor indices.

    With ``family="binomial"`` the outcome is first turned into satisfied (4-5) = 1.
    """
    factors = dict(framework["factors"])
    cols = {f"_idx_{f}": _index(recode(design, c, missing_codes)) for f, c in factors.items()}
    target = recode(design, [outcome], missing_codes)[:, 0]
    cols["_outcome"] = _sat(target) if family == "binomial" else target
    fit = svyglm(design.with_columns(cols), "_outcome", list(cols)[:-1], family=family)
    fit.terms = ["(Intercept)"] + list(factors)
    return fit
