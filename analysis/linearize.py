"""Taylor-linearisation variance engine, vectorised over domains and variables.

An estimator hands over its *influence values* ``z`` (one column per estimate,
unweighted; Binder 1983, Deville 1999): the estimate's linear approximation is
``sum_i w_i z_i``.  Its variance is the design variance of that total
(Wolter 2007, sec. 6.2; Lumley 2010, sec. 3.4; R ``svyrecvar``):

    V = sum_stages sum_groups coef_g sum_{u in g} (t_u - tbar_g)^2,   t_u = sum_{i in u} w_i z_i.

Two entry points:

* :func:`vcov` - the full K x K covariance of a few dense columns (regression,
  contrasts, tables).  A calibrated design first replaces ``z`` by its
  calibration residuals (see :mod:`analysis.calvar`).
* :func:`var_by_domain` - the variances of J variables in each of D domains
  (thousands of domains at once).  Rows carry a domain code; ``z`` is zero
  outside the row's own domain by construction, so only (unit, domain) pairs
  that occur are ever summed: the cost is O(n J) whatever D.  Units without
  members of a domain still count in ``n_g`` (domain estimation on the full
  design, Lohr 2019 sec. 4.3; R's ``svyby``).

Group sums use sparse indicator matrices (a CSR product is a single O(n K)
pass, no Python loop and no ``np.add.at``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .design import Stage, SurveyDesign


def indicator(codes: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """Sparse G x n matrix with a one at (codes[i], i)."""
    n = codes.shape[0]
    return sp.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(n_groups, n))


def group_sum(codes: np.ndarray, n_groups: int, x: np.ndarray) -> np.ndarray:
    """Sum the rows of ``x`` (n x K, or n) by group code, giving G x K."""
    out = indicator(codes, n_groups) @ x
    return np.asarray(out)


def _stage_cov(stage: Stage, xw: np.ndarray) -> np.ndarray:
    """Covariance contribution of one stage for weighted influence ``xw`` (n x K)."""
    t = group_sum(stage.unit, stage.n_units, xw)
    mean = group_sum(stage.group, len(stage.n_in_group), t) / stage.n_in_group[:, None]
    centre = mean[stage.group]
    adj = stage.adjust[stage.group]
    if adj.any():
        centre[adj] = t.sum(axis=0) / stage.n_units
    c = t - centre
    cu = stage.coef[stage.group] * stage.scale
    return (c * cu[:, None]).T @ c


def vcov(design: SurveyDesign, z: np.ndarray) -> np.ndarray:
    """Design covariance matrix of the weighted totals of the columns of ``z``.

    Parameters
    ----------
    design : SurveyDesign
    z : ndarray, shape (n,) or (n, K)
        Unweighted influence values; rows outside an estimate's domain or with
        missing data must be zero.

    Returns
    -------
    ndarray, shape (K, K)
    """
    from .calvar import residualize

    z = np.asarray(z, dtype=float).reshape(design.n, -1)
    if design.calibration is not None:
        z = residualize(design.calibration, z)
    xw = z * design.weights[:, None]
    return sum(_stage_cov(s, xw) for s in design.stages)


@dataclass
class Pairs:
    """Totals of the (unit, domain) pairs of one stage.

    Attributes
    ----------
    unit, domain : ndarray of int, shape (P,)
    t : ndarray, shape (P, J)
        Weighted influence total of each pair.
    coef : ndarray, shape (P,)
        Stage coefficient (with scale) of the pair's group.
    """

    unit: np.ndarray
    domain: np.ndarray
    t: np.ndarray
    coef: np.ndarray


def stage_pairs(stage: Stage, xw: np.ndarray, dom: np.ndarray, n_dom: int) -> Pairs:
    """Sum the weighted influence ``xw`` (rows with dom >= 0) by (unit, domain)."""
    key = stage.unit * n_dom + dom
    codes, uniq = pd.factorize(key)
    t = group_sum(codes, len(uniq), xw)
    unit, domain = uniq // n_dom, uniq % n_dom
    coef = stage.coef[stage.group[unit]] * stage.scale
    return Pairs(unit, domain, t, coef)


def _pairs_var(stage: Stage, p: Pairs, n_dom: int) -> np.ndarray:
    """Variance (n_dom x J) of one stage from its pair totals."""
    var = group_sum(p.domain, n_dom, p.coef[:, None] * p.t**2)
    g = stage.group[p.unit]
    gd, uniq = pd.factorize(g * n_dom + p.domain)
    s = group_sum(gd, len(uniq), p.t)
    gg, dd = uniq // n_dom, uniq % n_dom
    normal = ~stage.adjust[gg]
    k = stage.coef[gg] * stage.scale / stage.n_in_group[gg]
    var -= group_sum(dd[normal], n_dom, k[normal, None] * s[normal] ** 2)
    if stage.adjust.any():
        mu = group_sum(p.domain, n_dom, p.t) / stage.n_units
        adj = stage.adjust[g]
        cross = group_sum(p.domain[adj], n_dom, p.coef[adj, None] * p.t[adj])
        total_coef = (stage.coef[stage.adjust] * stage.scale).sum()
        var += -2 * mu * cross + mu**2 * total_coef
    return var


def var_by_domain(design: SurveyDesign, z: np.ndarray, dom: np.ndarray, n_dom: int) -> np.ndarray:
    """Variances of the weighted totals of J variables in each domain.

    Parameters
    ----------
    design : SurveyDesign
    z : ndarray, shape (n, J)
        Unweighted influence values of each row for the estimate of its own
        domain (zero for missing values).
    dom : ndarray of int, shape (n,)
        Domain code of each row, 0..n_dom-1, or -1 for rows in no domain.
    n_dom : int

    Returns
    -------
    ndarray, shape (n_dom, J)
        Equals ``diag(vcov(design, z * (dom == d)))`` for every domain d, with
        the calibration correction of :func:`analysis.calvar.domain_correction`.
    """
    z = np.asarray(z, dtype=float).reshape(design.n, -1)
    dom = np.asarray(dom, dtype=np.int64)
    keep = dom >= 0
    xw = z * design.weights[:, None]
    if not keep.all():
        xw, dom_k = xw[keep], dom[keep]
    else:
        dom_k = dom
    var = np.zeros((n_dom, z.shape[1]))
    pairs = []
    for stage in design.stages:
        sub = Stage(stage.unit[keep], stage.group, stage.n_in_group, stage.coef, stage.adjust, stage.scale)
        p = stage_pairs(sub, xw, dom_k, n_dom)
        var += _pairs_var(stage, p, n_dom)
        pairs.append(p)
    if design.calibration is not None:
        from .calvar import domain_correction

        var += domain_correction(design, z, dom, n_dom, pairs)
    return np.maximum(var, 0.0)
