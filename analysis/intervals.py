"""Confidence intervals for design-based estimates.

* ``wald``: estimate +/- c SE with c from Student's t on the design degrees of
  freedom (default; Lohr 2019, sec. 9.5 and Korn & Graubard 1999, sec. 5.2) or
  the normal distribution on request (R's ``confint`` default).
* ``logit``: for proportions, the Wald interval on the logit scale,
  ``logit(p) +/- c SE / (p (1 - p))``, back-transformed (Stata ``svy:
  proportion``; R ``svyciprop(method="logit")``).
* ``korn-graubard``: the Clopper-Pearson interval with the effective sample
  size ``n* = p (1 - p) / SE^2`` scaled by ``(t_{n-1} / t_df)^2``
  (Korn & Graubard 1998; R ``svyciprop(method="beta")``).

All functions are vectorised over numpy arrays.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats

from .errors import check_choice

DISTRIBUTIONS = ("t", "normal")


def critical(df: np.ndarray | float, level: float = 0.95, dist: str = "t") -> np.ndarray:
    """Two-sided critical value: ``t_{df, 1-alpha/2}`` or ``z_{1-alpha/2}``."""
    check_choice("ci", dist, DISTRIBUTIONS)
    q = 0.5 + level / 2
    if dist == "normal":
        return np.full(np.shape(df), stats.norm.ppf(q))
    df = np.asarray(df, dtype=float)
    uniq, where = np.unique(df, return_inverse=True)  # usually a single df for the whole table
    return stats.t.ppf(q, uniq)[where].reshape(df.shape)


def wald(est, se, df, level: float = 0.95, dist: str = "t", **_) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric interval ``est +/- c se``."""
    c = critical(df, level, dist)
    return est - c * se, est + c * se


def logit(est, se, df, level: float = 0.95, dist: str = "t", **_) -> tuple[np.ndarray, np.ndarray]:
    """Logit-transformed interval for a proportion (0 and 1 give degenerate bounds)."""
    p = np.asarray(est, dtype=float)
    c = critical(df, level, dist)
    inner = (p > 0) & (p < 1)
    safe = np.where(inner, p, 0.5)
    centre = np.log(safe / (1 - safe))
    half = c * se / (safe * (1 - safe))
    low = np.where(inner, 1 / (1 + np.exp(-(centre - half))), p)
    high = np.where(inner, 1 / (1 + np.exp(-(centre + half))), p)
    return low, high


def korn_graubard(est, se, df, level: float = 0.95, dist: str = "t", n=None, **_) -> tuple[np.ndarray, np.ndarray]:
    """Korn-Graubard (1998) Clopper-Pearson interval with effective sample size.

    ``n`` is the number of observations behind each estimate; the degrees of
    freedom correction ``(t_{n-1} / t_df)^2`` is skipped for ``dist="normal"``.
    """
    p = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(se > 0, p * (1 - p) / se**2, np.asarray(n, dtype=float))
        if dist == "t":
            n_eff = n_eff * (stats.t.ppf(alpha / 2, np.asarray(n) - 1) / stats.t.ppf(alpha / 2, df)) ** 2
    x = n_eff * p
    low = np.where(x > 0, stats.beta.ppf(alpha / 2, np.maximum(x, 1e-300), n_eff - x + 1), 0.0)
    high = np.where(n_eff - x > 0, stats.beta.ppf(1 - alpha / 2, x + 1, np.maximum(n_eff - x, 1e-300)), 1.0)
    return low, high


CI_METHODS: dict[str, Callable] = {"wald": wald, "logit": logit, "korn-graubard": korn_graubard}


def interval(method: str, est, se, df, level: float = 0.95, dist: str = "t", n=None):
    """Dispatch to one of :data:`CI_METHODS` by name."""
    check_choice("ci_method", method, CI_METHODS)
    return CI_METHODS[method](est, se, df, level=level, dist=dist, n=n)
