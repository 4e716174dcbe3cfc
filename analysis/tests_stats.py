"""Comparisons between domains and tests for two-way tables.

* :func:`domain_vcov` - estimates of one statistic in every domain with their
  full covariance matrix (domains share PSUs, so they are correlated).
* :func:`domain_difference` - difference of two domain estimates,
  ``V(a - b) = V_aa + V_bb - 2 V_ab``, with a design-based t test on the design
  df (Lohr 2019, sec. 9.3; Lumley 2010, sec. 3.4).
* :func:`svyttest` - R's ``svyttest(y ~ g)``: the difference of two domain
  means (the slope of a survey regression on the group indicator, whose
  linearised SE it equals), t on ``df - 1`` degrees of freedom as in R.
* :func:`svychisq` - Pearson's X^2 with the Rao-Scott second-order correction
  as an F statistic (Rao & Scott 1984; Thomas & Rao 1987; R ``svychisq``
  default ``statistic="F"``):  ``F = X^2 / tr(Delta)`` on ``d0`` and
  ``d0 * df`` degrees of freedom, ``d0 = tr(Delta)^2 / tr(Delta^2)``,
  ``Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C`` where ``C`` spans the
  interaction contrasts orthogonal to the main effects, ``D`` the diagonal of
  cell proportions, ``V`` their design covariance and ``X^2`` is computed on
  the weighted table scaled to the sample size ``N``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .design import SurveyDesign
from .errors import EstimationError
from .estimators import domains, indicators, mean_core, numeric, ratio_core
from .intervals import critical
from .linearize import vcov


@dataclass(frozen=True)
class Difference:
    """Difference of two domain estimates with its test."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p_value: float
    covariance: float


@dataclass(frozen=True)
class ChiSquare:
    """Rao-Scott corrected Pearson test of independence."""

    f: float
    ndf: float
    ddf: float
    p_value: float
    pearson: float
    trace: float


def _values(design: SurveyDesign, variable: str, statistic: str, level) -> tuple[np.ndarray, np.ndarray | None]:
    if statistic == "proportion":
        ind, levels = indicators(design, variable)
        if str(level) not in levels:
            raise EstimationError(f"level {level!r} not found in column {variable!r}")
        y = ind[:, [levels.index(str(level))]]
        return y, np.ones_like(y)
    y = numeric(design, [variable])
    table = {"mean": np.ones_like(y), "total": None}
    if statistic not in table:
        raise EstimationError(f"unknown statistic={statistic!r}; expected 'mean', 'total' or 'proportion'")
    return y, table[statistic]


def domain_vcov(design: SurveyDesign, variable: str, by, statistic: str = "mean",
                level=None) -> tuple[list, np.ndarray, np.ndarray]:
    """Domain labels, estimates (D,) and their covariance matrix (D, D)."""
    y, x = _values(design, variable, statistic, level)
    dom, labels = domains(design, by)
    core = ratio_core(design, y, x, dom, len(labels))
    z = core["z"][:, 0][:, None] * (dom[:, None] == np.arange(len(labels)))
    return labels, core["estimate"][:, 0], vcov(design, z)


def domain_difference(design: SurveyDesign, variable: str, by, first, second, statistic: str = "mean",
                      level=None, ci: str = "t", conf: float = 0.95, df: float | None = None) -> Difference:
    """Estimate in domain ``first`` minus domain ``second`` with SE, CI and t test."""
    labels, est, cov = domain_vcov(design, variable, by, statistic, level)
    try:
        a, b = labels.index(str(first)), labels.index(str(second))
    except ValueError:
        raise EstimationError(f"domains {first!r} and {second!r} must both be levels of {by!r}") from None
    diff = est[a] - est[b]
    se = float(np.sqrt(cov[a, a] + cov[b, b] - 2 * cov[a, b]))
    dof = (float(design.df) if df is None else df) if ci == "t" else np.inf
    c = float(critical(dof, conf, ci))
    t = diff / se
    p = 2 * (stats.t.sf(abs(t), dof) if np.isfinite(dof) else stats.norm.sf(abs(t)))
    return Difference(float(diff), se, diff - c * se, diff + c * se, float(t), dof, float(p), float(cov[a, b]))


def svyttest(design: SurveyDesign, variable: str, group: str) -> Difference:
    """Design-based two-sample t test of a mean between the two levels of ``group``.

    The difference is (second level - first level) as R's ``svyttest``; df is
    the design df minus one (R: the residual df of the two-parameter svyglm).
    """
    _, labels = domains(design, group)
    if len(labels) != 2:
        raise EstimationError(f"column {group!r} must have exactly two levels, found {len(labels)}")
    return domain_difference(design, variable, group, labels[1], labels[0], df=design.df - 1.0)


def _contrasts(nr: int, nc: int) -> np.ndarray:
    """Interaction contrasts residualised on main effects (R: qr.resid(X1, X12[, int]))."""
    r, c = np.arange(nr * nc) % nr, np.arange(nr * nc) // nr
    main = np.column_stack([np.ones(nr * nc)] + [(r == i) * 1.0 for i in range(1, nr)]
                           + [(c == j) * 1.0 for j in range(1, nc)])
    inter = np.column_stack([(r == i) & (c == j) for i in range(1, nr) for j in range(1, nc)]).astype(float)
    beta, *_ = np.linalg.lstsq(main, inter, rcond=None)
    return inter - main @ beta


def svychisq(design: SurveyDesign, row: str, col: str) -> ChiSquare:
    """Rao-Scott F test of independence in the two-way table ``row`` x ``col``."""
    r_codes, r_lab = pd.factorize(design.data[row], sort=True) if row in design.data else (None, None)
    c_codes, c_lab = pd.factorize(design.data[col], sort=True) if col in design.data else (None, None)
    if r_codes is None or c_codes is None:
        raise EstimationError(f"unknown column {row if r_codes is None else col!r}")
    nr, nc = len(r_lab), len(c_lab)
    ok = (r_codes >= 0) & (c_codes >= 0)
    cell = np.where(ok, r_codes + nr * c_codes, -1)
    ind = (cell[:, None] == np.arange(nr * nc)).astype(float)
    ind[~ok] = np.nan
    dom = np.zeros(design.n, np.int64)
    core = mean_core(design, ind, dom, 1)
    mean, v = core["estimate"][0], vcov(design, core["z"])
    n_obs = int(ok.sum())
    cmat = _contrasts(nr, nc)
    inv_d = np.diag(np.where(mean > 0, 1 / np.where(mean > 0, mean, 1), 0.0))
    delta = np.linalg.solve(cmat.T @ (inv_d / n_obs) @ cmat, cmat.T @ inv_d @ v @ inv_d @ cmat)
    tr, tr2 = np.trace(delta), np.trace(delta @ delta)
    table = (mean * n_obs).reshape(nc, nr).T
    expected = np.outer(table.sum(1), table.sum(0)) / n_obs
    pearson = float(np.sum((table - expected) ** 2 / expected))
    d0 = tr**2 / tr2
    f = pearson / tr
    return ChiSquare(float(f), float(d0), float(d0 * design.df), float(stats.f.sf(f, d0, d0 * design.df)),
                     pearson, float(tr))
