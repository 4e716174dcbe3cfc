"""Variance of calibrated estimators: the calibration-residual correction.

After post-stratification, raking or linear calibration the weights are
random functions of the sample; treating them as fixed overstates (or
understates) the variance.  The linearised variable must be replaced by its
residual from the weighted regression on the calibration auxiliaries
(Deville & Särndal 1992; Särndal, Swensson & Wretman 1992, sec. 6.6;
Lumley 2010, sec. 7.3, R ``calibrate``/``svyrecvar``):

    r_i = z_i - x_i' B,   B = (X' W0 X)^+ X' W0 z,

with ``W0`` the weights before calibration (R's ``calibrate`` convention; for
post-stratification with constant base weights inside a cell this is R's
``postStratify``).  The generalised inverse handles the collinear dummies of
several raking margins.

For thousands of domains (z_d = z * 1[domain d]) the residuals are never formed;
the variance is expanded as a quadratic form in the same pair totals
(:func:`domain_correction`):

    V(r_d) = V(z_d) - 2 B_d' C(X, z_d) + B_d' V(X) B_d.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .design import CalibrationModel, Stage, SurveyDesign
from .linearize import Grouping, Pairs, group_sum, indicator, pair_codes


def design_matrix(model: CalibrationModel) -> sp.csr_matrix:
    """Sparse n x p matrix of the calibration auxiliaries (dummies, then continuous).

    The dummies have one non-zero per factor in each row, so the CSR arrays
    are written directly (row pointer ``0, k, 2k, ...``).
    """
    n = len(model.base_weights)
    offsets = np.cumsum([0] + [n_levels for _, _, n_levels in model.factors])
    k = len(model.factors)
    cols = np.column_stack([codes + off for (_, codes, _), off in zip(model.factors, offsets)]) if k else \
        np.empty((n, 0), np.int64)
    dummies = sp.csr_matrix((np.ones(n * k), cols.ravel(), np.arange(0, n * k + 1, k)), shape=(n, int(offsets[-1])))
    if model.continuous is None:
        return dummies
    return sp.hstack([dummies, sp.csr_matrix(model.continuous)], format="csr")


PINV_RTOL = 1e-10


def block_pinv(gram: sp.spmatrix) -> sp.csr_matrix:
    """Moore-Penrose inverse of a symmetric sparse matrix, block by block.

    The blocks are the connected components of its non-zero pattern (for
    margins raked within provinces: one small block per province), so the
    inverse stays sparse.
    """
    gram = sp.csr_matrix(gram)
    n_comp, label = connected_components(gram != 0, directed=False)
    size = np.bincount(label, minlength=n_comp)
    diag = gram.diagonal()
    out = sp.lil_matrix(gram.shape)
    single = size[label] == 1
    inv_diag = np.divide(1.0, diag, out=np.zeros_like(diag), where=single & (diag != 0))
    result = sp.diags(inv_diag).tocsr()
    for comp in np.flatnonzero(size > 1):
        idx = np.flatnonzero(label == comp)
        block = np.linalg.pinv(gram[idx][:, idx].toarray(), rtol=PINV_RTOL, hermitian=True)
        out[np.ix_(idx, idx)] = block
    return (result + out.tocsr()).tocsr()


def _gram(model: CalibrationModel, x: sp.csr_matrix) -> sp.csr_matrix:
    return (x.T @ sp.diags(model.base_weights) @ x).tocsr()


def residualize(model: CalibrationModel, z: np.ndarray) -> np.ndarray:
    """Calibration residuals ``z - X (X'W0X)^+ X'W0 z`` of the columns of ``z``."""
    x = design_matrix(model)
    b = block_pinv(_gram(model, x)) @ (x.T @ (model.base_weights[:, None] * z))
    return z - x @ b


def xtw_groupings(model: CalibrationModel, dom: np.ndarray, n_dom: int):
    """Group sums giving ``X' W0 (z * 1[domain d])`` for all d, and their assembly.

    For a factor, the entry of (level l, domain d, variable j) is
    ``sum_{i: level_i = l, dom_i = d} w0_i z_ij``; for a continuous auxiliary
    x_k, ``sum_{i: dom_i = d} w0_i x_ik z_ij``.  Rows with ``dom < 0`` are left
    out.  Returns the list of :class:`~analysis.linearize.Grouping` and a
    function ``assemble(sums, J)`` giving the sparse p x (D J) matrix.
    """
    w0 = model.base_weights
    groupings, keys = [], []
    for _, codes, _ in model.factors:
        c, u = pair_codes(codes, dom, n_dom)
        groupings.append(Grouping(c, len(u) + 1, w0, domain=np.append(u % n_dom, -1)))
        keys.append(u)
    g = np.where(dom >= 0, dom, n_dom)
    cont = model.continuous if model.continuous is not None else np.empty((len(dom), 0))
    whole = np.append(np.arange(n_dom), -1)
    groupings += [Grouping(g, n_dom + 1, w0 * cont[:, k], domain=whole) for k in range(cont.shape[1])]

    def assemble(sums: list[np.ndarray], n_var: int) -> sp.csr_matrix:
        rows, cols, vals, offset = [], [], [], 0
        for (_, _, n_levels), u, s in zip(model.factors, keys, sums):
            s = s[: len(u)]
            rows.append(np.repeat(offset + u // n_dom, n_var))
            cols.append(((u % n_dom)[:, None] * n_var + np.arange(n_var)).ravel())
            vals.append(s.ravel())
            offset += n_levels
        for k, s in enumerate(sums[len(model.factors):]):
            s = s[:n_dom]
            rows.append(np.full(s.size, offset + k))
            cols.append(np.arange(s.size))
            vals.append(s.ravel())
        p = offset + cont.shape[1]
        return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(p, n_dom * n_var))

    return groupings, assemble


def _centred_totals(stage: Stage, xw: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
    """Unit totals of the weighted auxiliaries, centred as the stage centres them."""
    t = (indicator(stage.unit, stage.n_units) @ xw).tocsr()
    means = sp.diags(1.0 / stage.n_in_group) @ (indicator(stage.group, len(stage.n_in_group)) @ t)
    centre = sp.csr_matrix(means)[stage.group]
    adj = stage.adjust[stage.group]
    if adj.any():
        grand = np.asarray(t.sum(axis=0)).ravel() / stage.n_units
        centre = sp.diags((~adj).astype(float)) @ centre + sp.csr_matrix(adj[:, None] * grand[None, :])
    return (t - centre).tocsr(), stage.coef[stage.group] * stage.scale


def _pair_matrix(p: Pairs, n_dom: int) -> sp.csr_matrix:
    """Pair totals laid out as a sparse P x (D J) matrix."""
    n_pairs, n_var = p.t.shape
    cols = (p.domain[:, None] * n_var + np.arange(n_var)).ravel()
    return sp.csr_matrix((p.t.ravel(), (np.repeat(np.arange(n_pairs), n_var), cols)),
                         shape=(n_pairs, n_dom * n_var))


@dataclass
class _Fixed:
    """The parts of the correction that depend on the design and weights but not on ``z``.

    ``ginv = (X'W0X)^+``; per stage the centred unit totals ``c`` of ``W X`` and
    their coefficients ``cu``; ``q_xx = V(X) = sum_stages c' diag(cu) c``.
    """

    ginv: sp.csr_matrix
    centred: list[tuple[sp.csr_matrix, np.ndarray]]
    q_xx: sp.csr_matrix


def _fixed_parts(design: SurveyDesign) -> _Fixed:
    """:class:`_Fixed` of a calibrated design, computed once per weights vector.

    Cached on the design next to the weights and calibration it was computed
    for (a design copied by ``with_weights`` gets new weights, so a stale cache
    is never used).
    """
    cached = design.__dict__.get("_calvar_fixed")
    if cached is not None and cached[0] is design.weights and cached[1] is design.calibration:
        return cached[2]
    model = design.calibration
    x = design_matrix(model)
    ginv = block_pinv(_gram(model, x))
    xw = sp.csr_matrix(sp.diags(design.weights) @ x)  # all rows: the fitted part X B is not domain-limited
    centred = [_centred_totals(stage, xw) for stage in design.stages]
    q_xx = sp.csr_matrix(sum(c.T @ sp.diags(cu) @ c for c, cu in centred))
    fixed = _Fixed(ginv, centred, q_xx)
    design.__dict__["_calvar_fixed"] = (design.weights, design.calibration, fixed)
    return fixed


def _cross_terms(design: SurveyDesign, fixed: _Fixed, pairs: list[Pairs], n_dom: int) -> sp.csr_matrix:
    """C(X, z_d) (p x DJ) summed over stages."""
    q_xa = None
    for stage, p, (c, cu) in zip(design.stages, pairs, fixed.centred):
        qa = (sp.diags(p.coef) @ c[p.unit]).T @ _pair_matrix(p, n_dom)
        if stage.adjust.any():
            mu = group_sum(p.domain, n_dom, p.t).ravel() / stage.n_units
            lone = np.asarray((sp.diags(cu * stage.adjust[stage.group]) @ c).sum(axis=0)).ravel()
            qa = qa - sp.csr_matrix(np.outer(lone, mu))
        q_xa = qa if q_xa is None else q_xa + qa
    return sp.csr_matrix(q_xa)


def domain_correction(design: SurveyDesign, xtw: sp.csr_matrix, n_dom: int, n_var: int,
                      pairs: list[Pairs]) -> np.ndarray:
    """Change in each domain variance when calibration residuals replace ``z``.

    Returns ``-2 B_d' C(X, z_d) + B_d' V(X) B_d`` as an (n_dom, J) array, with
    ``B_d = (X'W0X)^+ X'W0 z_d``; see the module docstring.  ``xtw`` is
    ``X'W0 z_d`` (from :func:`xtw_groupings`) and ``pairs`` the stage pair
    totals, both computed by :func:`analysis.linearize.var_by_domain` in its
    pass over ``z`` (rows with dom < 0 left out).
    """
    fixed = _fixed_parts(design)
    b = fixed.ginv @ xtw
    q_xa = _cross_terms(design, fixed, pairs, n_dom)
    corr = -2 * np.asarray(b.multiply(q_xa).sum(axis=0)) + np.asarray(b.multiply(fixed.q_xx @ b).sum(axis=0))
    return corr.reshape(n_dom, n_var)
