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

Group sums use sparse indicator matrices (a sparse-dense product is a single
O(n K) pass, no Python loop and no ``np.add.at``).  The indicator is built in
O(1) from the codes (one non-zero per row, so its row pointer is
``arange(n + 1)``) and may carry the weights as its values, so that
``sum_{i in g} w_i z_i`` never materialises the n x K array ``w z``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .design import Stage, SurveyDesign


def indicator(codes: np.ndarray, n_groups: int, weights: np.ndarray | None = None) -> sp.csc_matrix:
    """Sparse G x n matrix with ``weights[i]`` (default one) at (codes[i], i).

    Built as the transpose of the n x G CSR matrix whose row i holds its single
    non-zero in column ``codes[i]``: no sorting, no duplicate handling.
    """
    n = codes.shape[0]
    data = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    rows = sp.csr_matrix((data, np.asarray(codes, dtype=np.int64), np.arange(n + 1, dtype=np.int64)),
                         shape=(n, n_groups))
    return rows.T


BLOCK_ROWS = 1 << 14


def row_blocks(n: int, size: int = BLOCK_ROWS) -> list[slice]:
    """Consecutive slices of at most ``size`` rows covering ``range(n)``.

    Row-wise work on n x K arrays is done a block at a time, so temporaries stay
    a few MB (reused by the allocator) instead of fresh 100+ MB arrays whose
    page faults cost more than the arithmetic.
    """
    return [slice(a, min(a + size, n)) for a in range(0, n, size)]


def group_sum(codes: np.ndarray, n_groups: int, x: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """``sum_{i: codes[i] = g} weights[i] x[i]`` for every group g (G x K, or G for 1-d ``x``)."""
    out = indicator(codes, n_groups, weights) @ x
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


@dataclass
class Grouping:
    """A group sum wanted from a pass over the rows: ``sum_{i: codes_i = g} weights_i z_ij^power``."""

    codes: np.ndarray
    n_groups: int
    weights: np.ndarray
    power: int = 1
    domain: np.ndarray | None = None  # domain of each group (-1: rows in no domain), when known


def rows_of(z, rows: slice) -> np.ndarray:
    """Rows of ``z``: an array, or a function of a row slice returning that block."""
    return np.asarray(z(rows), dtype=float) if callable(z) else z[rows]


def grouped_totals(z, n: int, groupings: list[Grouping]) -> list[np.ndarray]:
    """All the group sums of ``groupings`` in one pass over the rows of ``z``.

    ``z`` is an (n, K) array or a function ``z(rows)`` giving the block of rows
    ``rows`` (influence values computed on the fly, never stored whole).
    In each block, the groupings of the same power are stacked side by side
    into one sparse matrix (one non-zero per grouping in each row) restricted
    to the range of codes the block touches, so a block costs one sparse
    product per power and its output is about as small as the block.
    """
    out: list[np.ndarray | None] = [None] * len(groupings)
    powers = sorted({gr.power for gr in groupings})
    for rows in row_blocks(n):
        zb = rows_of(z, rows)
        zb = zb.reshape(zb.shape[0], -1)
        for p in powers:
            idx = [i for i, gr in enumerate(groupings) if gr.power == p]
            codes = [groupings[i].codes[rows] for i in idx]
            low = [int(c.min()) for c in codes]
            width = [int(c.max()) - lo + 1 for c, lo in zip(codes, low)]
            offset = np.cumsum([0] + width)
            cols = np.column_stack([c - lo + off for c, lo, off in zip(codes, low, offset)])
            vals = np.column_stack([groupings[i].weights[rows] for i in idx]).astype(float, copy=False)
            k = len(idx)
            m = sp.csr_matrix((vals.ravel(), cols.ravel(), np.arange(0, k * zb.shape[0] + 1, k)),
                              shape=(zb.shape[0], int(offset[-1])))
            part = np.asarray(m.T @ (zb if p == 1 else zb**p))
            for i, lo, w, off in zip(idx, low, width, offset):
                if out[i] is None:
                    out[i] = np.zeros((groupings[i].n_groups, zb.shape[1]))
                out[i][lo:lo + w] += part[off:off + w]
    return out


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


def pair_codes(unit: np.ndarray, dom: np.ndarray, n_dom: int) -> tuple[np.ndarray, np.ndarray]:
    """Code of the (unit, domain) pair of each row and the pair keys ``unit * n_dom + domain``.

    Rows with ``dom < 0`` get the extra code ``len(keys)`` (a discarded group).
    """
    keep = dom >= 0
    if keep.all():
        codes, keys = pd.factorize(unit * n_dom + dom)
        return codes, keys
    part, keys = pd.factorize(unit[keep] * n_dom + dom[keep])
    codes = np.full(dom.shape[0], len(keys), dtype=np.int64)
    codes[keep] = part
    return codes, keys


def _pairs(stage: Stage, keys: np.ndarray, t: np.ndarray, n_dom: int) -> Pairs:
    """Pairs of one stage from their keys and weighted influence totals."""
    unit, domain = keys // n_dom, keys % n_dom
    coef = stage.coef[stage.group[unit]] * stage.scale
    return Pairs(unit, domain, t, coef)


def stage_pairs(stage: Stage, z: np.ndarray, w: np.ndarray, dom: np.ndarray, n_dom: int) -> Pairs:
    """Weighted influence totals ``t_(u,d) = sum_{i in u, dom_i = d} w_i z_ij`` of the (unit, domain) pairs."""
    codes, keys = pair_codes(stage.unit, dom, n_dom)
    (t,) = grouped_totals(z, len(dom), [Grouping(codes, len(keys) + 1, w)])
    return _pairs(stage, keys, t[: len(keys)], n_dom)


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


def var_by_domain(design: SurveyDesign, z, dom: np.ndarray, n_dom: int, extra: list[Grouping] | None = None,
                  totals=None):
    """Variances of the weighted totals of J variables in each domain.

    Parameters
    ----------
    design : SurveyDesign
    z : ndarray, shape (n, J), or function of a row slice
        Unweighted influence values of each row for the estimate of its own
        domain (zero for missing values); a function ``z(rows)`` returns the
        block of rows ``rows`` so that ``z`` is never stored whole.
    dom : ndarray of int, shape (n,)
        Domain code of each row, 0..n_dom-1, or -1 for rows in no domain.
    n_dom : int
    extra : list of Grouping, optional
        Further group sums of ``z`` to compute in the same pass (returned too).
    totals : function, optional
        ``totals(groupings)`` returning the group sums of ``z`` for each
        :class:`Grouping` (each with its ``domain`` map); replaces the pass
        over the rows of ``z`` (e.g. sums built from answer-code histograms,
        :mod:`analysis.satisfaction`).  ``z`` is then unused.

    Returns
    -------
    ndarray, shape (n_dom, J)
        Equals ``diag(vcov(design, z * (dom == d)))`` for every domain d, with
        the calibration correction of :func:`analysis.calvar.domain_correction`.
        With ``extra``: ``(variances, [sums of each extra grouping])``.
    """
    from .calvar import domain_correction, xtw_groupings

    n = design.n
    if totals is None and not callable(z):
        z = np.asarray(z, dtype=float).reshape(n, -1)
    dom = np.asarray(dom, dtype=np.int64)
    keys, groupings = [], []
    for stage in design.stages:
        codes, k = pair_codes(stage.unit, dom, n_dom)
        keys.append(k)
        groupings.append(Grouping(codes, len(k) + 1, design.weights, domain=np.append(k % n_dom, -1)))
    cal_groupings, assemble = ([], None) if design.calibration is None else \
        xtw_groupings(design.calibration, dom, n_dom)
    extra = list(extra or [])
    everything = groupings + cal_groupings + extra
    sums = totals(everything) if totals is not None else grouped_totals(z, n, everything)
    pairs = [_pairs(stage, k, t[: len(k)], n_dom) for stage, k, t in zip(design.stages, keys, sums)]
    n_var = sums[0].shape[1]
    var = np.zeros((n_dom, n_var))
    for stage, p in zip(design.stages, pairs):
        var += _pairs_var(stage, p, n_dom)
    if assemble is not None:
        xtw = assemble(sums[len(groupings): len(groupings) + len(cal_groupings)], n_var)
        var += domain_correction(design, xtw, n_dom, n_var, pairs)
    var = np.maximum(var, 0.0)
    return (var, sums[len(sums) - len(extra):]) if extra else var
