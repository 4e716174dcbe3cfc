"""Quantiles with Woodruff confidence intervals.

Point estimate (R ``svyquantile`` default ``qrule="math"``): the smallest
observed ``y`` whose weighted distribution function reaches ``p``,
``q = min{y : F(y) >= p}``, ``F(y) = sum_{y_i <= y} w_i / sum w_i``.

Interval (Woodruff 1952; Lumley 2010, sec. 2.4.1; R ``interval.type="mean"``):
the estimated proportion ``F(q)`` (a domain mean of the indicator
``1[y_i <= q]``) and its design SE ``s`` (linearised as in
:mod:`analysis.estimators`) give the interval ``[Q(F(q) - c s), Q(F(q) + c s)]``
on the quantile scale, with ``c`` the
t (design df) or normal critical value; the reported SE is
``(upper - lower) / (2 c)`` as R reports it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .design import SurveyDesign
from .estimators import degrees_of_freedom, domains, mean_core, numeric
from .intervals import critical
from .linearize import var_by_domain
from .results import Estimate, Results


def weighted_quantile(y: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``min{y : F(y) >= p}`` for each probability in ``p`` (R's ``qrule="math"``)."""
    keep = ~np.isnan(y) & (w > 0)
    y, w = y[keep], w[keep]
    order = np.argsort(y, kind="stable")
    y, cdf = y[order], np.cumsum(w[order]) / w.sum()
    idx = np.searchsorted(cdf, np.clip(p, 0, 1) - 1e-12, side="left")
    return y[np.minimum(idx, len(y) - 1)]


def svyquantile(design: SurveyDesign, variable: str, probs: Sequence[float] = (0.5,), by=None,
                level: float = 0.95, ci: str = "t", df: str = "design") -> Results:
    """Quantiles of ``variable`` per domain with Woodruff intervals; ``df`` as
    :func:`analysis.estimators.degrees_of_freedom`."""
    y = numeric(design, [variable])[:, 0]
    dom, labels = domains(design, by)
    n_dom, w = len(labels), design.weights
    dfs = degrees_of_freedom(design, dom, n_dom, df) if ci == "t" else np.full(n_dom, np.inf)
    cs = critical(dfs, level, ci)
    out = []
    for p in probs:
        q = np.array([weighted_quantile(y[dom == d], w[dom == d], np.array([p]))[0] for d in range(n_dom)])
        qrow = np.where(dom >= 0, q[np.maximum(dom, 0)], np.nan)
        ind = np.where(np.isnan(y), np.nan, (y <= qrow).astype(float))[:, None]
        core = mean_core(design, ind, dom, n_dom)
        s = np.sqrt(var_by_domain(design, core["z"], dom, n_dom))[:, 0]
        f = core["estimate"][:, 0]
        for d in range(n_dom):
            sel, c = dom == d, float(cs[d])
            lo, hi = weighted_quantile(y[sel], w[sel], np.array([f[d] - c * s[d], f[d] + c * s[d]]))
            se = (hi - lo) / (2 * c)
            out.append(Estimate("quantile", variable, str(p), labels[d], float(q[d]), float(se),
                                float(lo), float(hi), float(dfs[d]), float("nan"), int(core["n"][d, 0]),
                                float(se / abs(q[d])) if q[d] else float("nan")))
    return Results(out)
