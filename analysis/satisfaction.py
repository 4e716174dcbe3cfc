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
from .estimators import (column, degrees_of_freedom, domains, finish, mean_core, srs_from_sums, srs_groupings,
                         summarize)
from .linearize import Grouping, group_sum, indicator, row_blocks, var_by_domain
from .regression import RegressionResult, svyglm
from .results import Results, build

AGGREGATIONS = ("mean_of_criteria", "pooled")
OVERALL = ("mean_of_factors", "pooled")
SATISFIED = 4
SCALE = np.array([1.0, 2.0, 3.0, 4.0, 5.0])


class ItemCodes:
    """Answers to J items stored once as small codes, turned into floats a block of rows at a time.

    ``codes`` (n x J, uint8) is 0-4 for the scores 1-5 and 5 for a missing
    answer (a missing code or NaN).  A block of rows becomes floats by table
    look-up: :data:`SCORES` (1-5, NaN) or :data:`SATISFIED_TABLE` (1 for 4-5,
    0 for 1-3, NaN), so no n x J float matrix is ever stored.
    """

    def __init__(self, design: SurveyDesign, items: Sequence[str], missing_codes: Sequence[float] = (8, 9)) -> None:
        missing = np.asarray(missing_codes, dtype=float)
        self.codes = np.empty((design.n, len(items)), dtype=np.uint8, order="F")  # one contiguous column per item
        self._any: dict = {}
        for j, item in enumerate(items):
            a = _answers(design, item)
            miss = np.zeros(len(a), dtype=bool)
            for code in _same_kind(missing, a.dtype):
                miss |= a == code
            score = (a >= 1) & (a <= 5) & ~miss
            if a.dtype.kind == "f":
                score &= a == np.floor(a)
            if a.dtype.kind == "f":
                miss |= np.isnan(a)
            if not (score | miss).all():
                bad = float(a[~(score | miss)][0])
                raise EstimationError(f"item {item!r} has value {bad:g} outside 1-5 and the missing codes")
            self.codes[:, j] = np.where(score, a - 1, 5) if a.dtype.kind == "f" else np.where(score, a, 6) - 1

    def block(self, rows: slice, table: np.ndarray) -> np.ndarray:
        """Rows ``rows`` as floats through ``table`` (indexed by code)."""
        return table[self.codes[rows]]

    def any_observed(self, used: np.ndarray) -> np.ndarray:
        """n x K mask: row has at least one of the items ``used[:, k]`` observed (kept for reuse)."""
        key = used.tobytes() + bytes(used.shape)
        if key not in self._any:
            obs = self.codes < 5
            self._any[key] = np.column_stack([obs[:, used[:, k]].any(axis=1) for k in range(used.shape[1])])
        return self._any[key]

    def observed_bits(self, used: np.ndarray) -> np.ndarray:
        """Per row, the bit pattern ``sum_k 2^k any_observed(used)[:, k]`` (kept for reuse)."""
        key = ("bits", used.tobytes(), used.shape)
        if key not in self._any:
            obs = self.any_observed(used)
            bits = np.zeros(obs.shape[0], dtype=np.intp)
            for k in range(obs.shape[1]):
                bits[obs[:, k]] += 1 << k
            self._any[key] = bits
        return self._any[key]


def item_codes(design: SurveyDesign, items: Sequence[str], missing_codes: Sequence[float] = (8, 9)) -> ItemCodes:
    """:class:`ItemCodes` of ``items``, kept on the design and reused while its data frame is the same object.

    Designs derived by reweighting (``rake``, ``trim``, ``with_weights``) share
    their data frame, so the province and commune calls of a pipeline build the
    codes once.  ``with_columns`` makes a new frame and thus new codes.
    """
    cache = design.__dict__.setdefault("_item_codes", {})
    key = (tuple(items), tuple(float(c) for c in missing_codes))
    hit = cache.get(key)
    if hit is not None and hit[0] is design.data:
        return hit[1]
    codes = ItemCodes(design, items, missing_codes)
    cache[key] = (design.data, codes)
    return codes


SCORES = np.array([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])
SATISFIED_TABLE = np.array([0.0, 0.0, 0.0, 1.0, 1.0, np.nan])


def _same_kind(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The ``values`` an array of ``dtype`` can hold, in that dtype (integer
    comparisons stay in the column's small integer type)."""
    if dtype.kind not in "iu":
        return values
    info = np.iinfo(dtype)
    exact = (values == np.round(values)) & (values >= info.min) & (values <= info.max)
    return values[exact].astype(dtype)


def _answers(design: SurveyDesign, item: str) -> np.ndarray:
    """Numeric answers of one item in their stored dtype (float with NaN for nullable columns)."""
    s = column(design, item)
    v = pd.to_numeric(s, errors="coerce")
    if (v.isna() & s.notna()).any():
        raise EstimationError(f"column {item!r} is not numeric")
    a = v.to_numpy()
    return a if a.dtype.kind in "iuf" else v.to_numpy(dtype=float, na_value=np.nan)


def recode(design: SurveyDesign, items: Sequence[str], missing_codes: Sequence[float] = (8, 9)) -> np.ndarray:
    """n x J matrix of 1-5 scores with don't-know/refusal codes set to NaN."""
    return SCORES[ItemCodes(design, items, missing_codes).codes]


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
    any_obs = (observed.astype(float) @ (weights != 0)) > 0
    return {"estimate": core["estimate"] @ weights, "z": core["z"] @ weights,
            **_counts(any_obs, design.weights, g, n_dom)}


def _lincomb(a: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``a @ weights`` for a block of rows with a sparse ``weights`` (each factor
    combines a few criteria), column by column over the non-zero weights only.

    Written without BLAS: its threads cost more than the product on blocks of
    a few thousand rows (and compete with everything else on a busy machine).
    """
    out = np.empty((a.shape[0], weights.shape[1]))
    for k in range(weights.shape[1]):
        nz = np.flatnonzero(weights[:, k])
        cols = slice(nz[0], nz[-1] + 1) if len(nz) and nz[-1] - nz[0] + 1 == len(nz) else nz
        np.sum(a[:, cols] * weights[cols, k], axis=1, out=out[:, k])
    return out


def _counts(observed: np.ndarray, w: np.ndarray, g: np.ndarray, n_dom: int) -> dict:
    """``n`` (observations) and ``N`` (weight sum) of each column in each domain."""
    obs = observed.astype(float)
    return {"n": group_sum(g, n_dom + 1, obs)[:n_dom], "N": group_sum(g, n_dom + 1, obs, weights=w)[:n_dom]}


def _combined_counts(answers: ItemCodes, combos: list[np.ndarray], design: SurveyDesign, g: np.ndarray,
                     n_dom: int) -> list[dict]:
    """:func:`_counts` of each combination (J x K weights) of the item columns, in one pass:
    a row counts for a combined column when any of its items is observed."""
    used = np.hstack(combos) != 0
    n, big_n = 0.0, 0.0
    for rows in row_blocks(design.n):
        obs = answers.codes[rows] < 5
        any_obs = np.column_stack([obs[:, used[:, k]].any(axis=1) for k in range(used.shape[1])])
        part = _counts(any_obs, design.weights[rows], g[rows], n_dom)
        n, big_n = n + part["n"], big_n + part["N"]
    edges = np.cumsum([0] + [c.shape[1] for c in combos])
    return [{"n": n[:, lo:hi], "N": big_n[:, lo:hi]} for lo, hi in zip(edges[:-1], edges[1:])]


def _combined_counts_bits(answers: ItemCodes, used: np.ndarray, design: SurveyDesign, g: np.ndarray,
                         n_dom: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` and ``N`` (D x K) of the combined columns ``used[:, k]`` (a row counts when any
    of the column's items is observed), from the histogram of each row's K-bit pattern of
    observed combinations (two bincounts instead of two per column)."""
    k = used.shape[1]
    if k > 12 or ((n_dom + 1) << k) > max(4 * len(g), 1 << 20):  # too many patterns: column by column
        counts = _combined_counts(answers, [used.astype(float)], design, g, n_dom)[0]
        return counts["n"], counts["N"]
    bits = answers.observed_bits(used)
    key = g.astype(np.intp) << k
    key += bits
    size = (n_dom + 1) << k
    by_pattern = [np.bincount(key, weights=wt, minlength=size).reshape(n_dom + 1, 1 << k)[:n_dom]
                  for wt in (None, design.weights)]
    has = (np.arange(1 << k)[:, None] >> np.arange(k)) & 1  # pattern x column
    return tuple(p @ has for p in by_pattern)


def satisfaction_scores(design: SurveyDesign, framework: Mapping, by=None, missing_codes=(8, 9),
                        level: float = 0.95, ci: str = "t", df: str = "design") -> Results:
    """% satisfied (``pct_satisfied``) and ``mean_score`` per criterion, factor and overall.

    Parameters
    ----------
    framework : dict
        ``{"factors": {"F1": ["c1", "c2"], ...}, "aggregation": "mean_of_criteria" | "pooled",
        "overall": "mean_of_factors" | "pooled"}`` (``overall`` optional).

    With the linear rules (``mean_of_criteria``, ``mean_of_factors``) every
    group sum behind the estimates and SEs comes from weighted histograms of
    the answer codes (:func:`_linear_scores`); with a ``pooled`` rule the
    influence values are produced a block of rows at a time from the stored
    answers and consumed by a single variance pass.  Several groupings at
    once: :func:`satisfaction_scores_by`.  ``df``: the design's degrees of freedom
    for every domain (default) or each domain's own (``"domain"``), see
    :func:`analysis.estimators.degrees_of_freedom`.
    """
    return satisfaction_scores_by(design, framework, [by], missing_codes, level, ci, df)[0]


def satisfaction_scores_by(design: SurveyDesign, framework: Mapping, groupings: Sequence, missing_codes=(8, 9),
                           level: float = 0.95, ci: str = "t", df: str = "design") -> list[Results]:
    """:func:`satisfaction_scores` for each ``by`` of ``groupings`` (e.g. ``["province", "commune"]``),
    one :class:`Results` each, identical to separate calls.

    The answer codes, and with the linear rules the weighted code histograms
    (on the joint cells of units, calibration levels and all the groupings'
    domains), are built once and shared by all groupings.
    """
    setup = _Setup(design, framework, missing_codes)
    doms = [domains(design, by) for by in groupings]
    if setup.linear:
        hists = _prepared_histograms(design, setup.answers, [(dom, len(labels)) for dom, labels in doms])
        return [_assemble(design, *_linear_scores(design, setup.answers, setup.m, setup.v, setup.cols_f, dom,
                                                  len(labels), hists), setup.names, labels, level, ci,
                          degrees_of_freedom(design, dom, len(labels), df))
                for dom, labels in doms]
    return [_generic_scores(design, setup, dom, labels, level, ci, degrees_of_freedom(design, dom, len(labels), df))
            for dom, labels in doms]


class _Setup:
    """Framework parsed once: rules, items, answer codes, factor (``m``) and overall (``v``) weights."""

    def __init__(self, design: SurveyDesign, framework: Mapping, missing_codes) -> None:
        factors = dict(framework["factors"])
        self.rule = check_choice("aggregation", framework.get("aggregation", "mean_of_criteria"), AGGREGATIONS)
        self.overall = check_choice("overall", framework.get(
            "overall", "mean_of_factors" if self.rule == "mean_of_criteria" else "pooled"), OVERALL)
        self.linear = self.rule == "mean_of_criteria" and self.overall == "mean_of_factors"
        items = [c for cols in factors.values() for c in cols]
        self.answers = item_codes(design, items, missing_codes)
        self.cols_f = [[items.index(c) for c in cols] for cols in factors.values()]
        k = len(factors)
        self.m = np.zeros((len(items), k))
        for f, c in enumerate(self.cols_f):
            self.m[c, f] = 1 / len(c)
        self.v = np.full((k, 1), 1 / k)
        self.names = [items, list(factors), ["overall"]]


def _generic_scores(design: SurveyDesign, setup: _Setup, dom: np.ndarray, labels: list, level: float,
                    ci: str, df: np.ndarray | None = None) -> Results:
    """Any rule: influence values a block of rows at a time, one variance pass."""
    rule, overall, answers, cols_f, m, v = setup.rule, setup.overall, setup.answers, setup.cols_f, setup.m, setup.v
    n_dom, g = len(labels), np.where(dom >= 0, dom, len(labels))
    fac_counts, ovr_counts = _combined_counts(answers, [m, m @ v], design, g, n_dom)
    stats = []
    for table, transform in ((SATISFIED_TABLE, _sat), (SCORES, lambda x: x)):
        scores = lambda rows, t=table: answers.block(rows, t)  # noqa: E731
        crit = mean_core(design, scores, dom, n_dom, lazy=True)
        if rule == "mean_of_criteria":
            fac = {"estimate": crit["estimate"] @ m, **fac_counts}
        else:
            fac = mean_core(design, lambda rows, f=transform: f(_factor_index(answers.block(rows, SCORES), cols_f)),
                            dom, n_dom, lazy=True)
        if overall == "mean_of_factors":
            ovr = {"estimate": fac["estimate"] @ v, **ovr_counts}
        else:
            ovr = mean_core(design, lambda rows, f=transform: f(_index(answers.block(rows, SCORES))[:, None]),
                            dom, n_dom, lazy=True)

        def z_rows(rows: slice, crit=crit, fac=fac, ovr=ovr) -> np.ndarray:
            """Influence values of criteria | factors | overall for a block of rows."""
            zc = crit["z"](rows)
            zf = _lincomb(zc, m) if rule == "mean_of_criteria" else fac["z"](rows)
            zo = _lincomb(zf, v) if overall == "mean_of_factors" else ovr["z"](rows)
            return np.hstack([zc, zf, zo])

        stats.append({"z": z_rows, **{key: np.hstack([c[key] for c in (crit, fac, ovr)]) for key in ("estimate", "n", "N")}})
    both = lambda rows: np.hstack([st["z"](rows) for st in stats])  # noqa: E731
    var, (s1, s2) = var_by_domain(design, both, dom, n_dom, extra=srs_groupings(design, dom, n_dom))
    return _assemble(design, stats, var, s1, s2, setup.names, labels, level, ci, df)


def _assemble(design: SurveyDesign, stats: list[dict], var: np.ndarray, s1: np.ndarray, s2: np.ndarray,
              names: list[list[str]], labels: list, level: float, ci: str, df: np.ndarray | None = None) -> Results:
    """Results of both statistics from their stacked variances and SRS sums."""
    out = Results([])
    width = sum(len(x) for x in names)
    for i, (stat, method) in enumerate((("pct_satisfied", "logit"), ("mean_score", "wald"))):
        part = slice(i * width, (i + 1) * width)
        arrays = finish(design, stats[i], var[:, part], srs_from_sums(stats[i], s1[:, part], s2[:, part]),
                        method, level, ci, df)
        for piece, labs in zip(_split(arrays, [len(x) for x in names]), names):
            out = out + build(stat, labs, [None] * len(labs), labels, piece)
    return out


N_CODES = 6  # answer codes 0-4 (scores 1-5) and 5 (missing)


def _code_histogram(answers: ItemCodes, codes: np.ndarray, n_groups: int, weights: np.ndarray | None) -> np.ndarray:
    """``H[g, j, c] = sum_{i: codes_i = g, answer_ij = c} weights_i`` (G x J x 6), one bincount per item."""
    n_items = answers.codes.shape[1]
    out = np.empty((n_groups, n_items, N_CODES))
    key = codes.astype(np.intp) * N_CODES
    cell = np.empty_like(key)  # one buffer for all items (no fresh n-row array per bincount)
    for j in range(n_items):
        np.add(key, answers.codes[:, j], out=cell)
        out[:, j] = np.bincount(cell, weights=weights, minlength=n_groups * N_CODES).reshape(n_groups, N_CODES)
    return out


def _linear_scores(design: SurveyDesign, answers: ItemCodes, m: np.ndarray, v: np.ndarray,
                   cols_f: list[list[int]], dom: np.ndarray, n_dom: int, hists: "_Histograms"):
    """Both statistics of the ``mean_of_criteria`` / ``mean_of_factors`` rules from answer-code histograms.

    An item's influence value depends on the row only through its domain d and
    answer code c: ``z = (y_c - ybar_dj) / N_dj`` (0 when missing), tabulated as
    ``T[d, j, c]``.  Every group sum the variance engine asks for (pairs of
    unit and domain, calibration cells, domain sums) is therefore
    ``sum_c H[g, j, c] T[d_g, j, c]`` with ``H`` the weighted histogram of the
    codes in the group: 22 bincounts per grouping instead of building the n x 56
    influence matrix.  Factors and overall are linear combinations (sums of
    ``z``, and so of group sums), except the sums of squares ``sum w z^2`` of the
    design effect, which are taken row by row from the table.  Same values as
    the generic block path up to rounding (the influence values are the same
    floating-point numbers).
    """
    w = design.weights
    g = np.where(dom >= 0, dom, n_dom)
    hw = hists.get(g, n_dom + 1, w)[:n_dom]
    h1 = hists.get(g, n_dom + 1, None)[:n_dom]
    n_obs, big_n = h1[:, :, :5].sum(axis=2), hw[:, :, :5].sum(axis=2)
    comb_n, comb_big = _combined_counts_bits(answers, np.hstack([m, m @ v]) != 0, design, g, n_dom)
    stats, tables = [], []
    for table in (SATISFIED_TABLE, SCORES):
        y = table[:5]
        total_y = (hw[:, :, :5] * y).sum(axis=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(big_n != 0, total_y / big_n, np.nan)
            t = np.zeros((n_dom + 1, hw.shape[1], N_CODES))
            t[:n_dom, :, :5] = (y - r[:, :, None]) / big_n[:, :, None]
        t[:n_dom][n_obs == 0] = 0.0  # no observed row: every z is 0
        tables.append(t)
        fac = r @ m
        stats.append({"estimate": np.hstack([r, fac, fac @ v]), "n": np.hstack([n_obs, comb_n]),
                      "N": np.hstack([big_n, comb_big])})

    def totals(groupings: list[Grouping]) -> list[np.ndarray]:
        out = []
        for gr in groupings:
            h = hists.get(gr.codes, gr.n_groups, gr.weights)
            gd = np.where(gr.domain >= 0, gr.domain, n_dom)
            items = [np.einsum("gjc,gjc->gj", h, t[gd] if gr.power == 1 else t[gd] ** 2) for t in tables]
            if gr.power == 1:
                combined = [_lincomb(ti, m) for ti in items]
                rest = [np.hstack([tf, _lincomb(tf, v)]) for tf in combined]
            else:
                rest = _row_squares(answers, tables, gd[gr.codes], gr, m, v, cols_f)
            out.append(np.hstack([part for ti, tr in zip(items, rest) for part in (ti, tr)]))
        return out

    var, (s1, s2) = var_by_domain(design, None, dom, n_dom, extra=srs_groupings(design, dom, n_dom), totals=totals)
    return stats, var, s1, s2


SQUARE_ROWS = 1 << 16


def _row_squares(answers: ItemCodes, tables: list[np.ndarray], row_dom: np.ndarray, gr: Grouping, m: np.ndarray,
                 v: np.ndarray, cols_f: list[list[int]]) -> list[np.ndarray]:
    """``sum_{i in g} weight_i z_i^power`` of the factor and overall columns of each table, whose
    influence values (sums over items) are formed row by row from the tables, a block of rows
    at a time (temporaries of a few MB, reused)."""
    n_tab, n_fac = len(tables), len(cols_f)
    both = np.stack(tables, axis=-1)  # (D+1) x J x 6 x S
    flat = [np.ascontiguousarray(both[:, j]).reshape(-1, n_tab) for j in range(both.shape[1])]
    sums = np.zeros((n_fac + 1, n_tab, gr.n_groups))
    for rows in row_blocks(len(row_dom), SQUARE_ROWS):
        key = row_dom[rows].astype(np.intp) * N_CODES
        cell = np.empty_like(key)
        z = np.empty((n_fac + 1, len(key), n_tab))
        for f, cols in enumerate(cols_f):
            acc = z[f]
            for i, j in enumerate(cols):
                np.add(key, answers.codes[rows, j], out=cell)
                zj = flat[j].take(cell, axis=0)
                zj *= m[j, f]
                if i == 0:
                    acc[:] = zj
                else:
                    acc += zj
        acc = z[-1]
        for f in range(n_fac):
            if f == 0:
                np.multiply(z[f], v[f, 0], out=acc)
            else:
                acc += z[f] * v[f, 0]
        weighted = z**gr.power
        weighted *= gr.weights[rows, None]
        codes = gr.codes[rows]
        for k in range(n_fac + 1):
            for s in range(n_tab):
                sums[k, s] += np.bincount(codes, weighted[k, :, s], minlength=gr.n_groups)
    return [sums[:, s].T for s in range(n_tab)]


class _Histograms:
    """Weighted answer-code histograms (:func:`_code_histogram`) of row partitions, with reuse.

    A histogram is summed from a known one of the same weights whenever the
    requested groups are a function of the known cells (a coarser partition:
    checked, not assumed); else it is computed from the rows and kept.
    :meth:`seed` computes the histogram of the joint cells of several code
    arrays (unit x domain x ...), from which the pair, calibration-cell and
    domain histograms of one or several ``by`` groupings are then all summed.
    """

    def __init__(self, answers: ItemCodes) -> None:
        self.answers = answers
        self.known: list[tuple] = []  # (weights, codes, n_groups, histogram)

    def seed(self, codes: list[np.ndarray], weights: np.ndarray | None, max_share: float = 0.5) -> None:
        """Histogram of the joint cells of ``codes`` (skipped when the cells are more than ``max_share`` of the rows)."""
        cells, size = np.zeros(self.answers.codes.shape[0], dtype=np.int64), 1
        for c in codes:  # mixed-radix key, factorised once (or whenever it would overflow)
            radix = int(c.max(initial=0)) + 1
            if size * radix >= 2**62:
                cells, uniq = pd.factorize(cells)
                size = len(uniq)
            cells = cells * radix + c
            size *= radix
        cells, uniq = pd.factorize(cells)
        if len(uniq) <= max_share * len(cells):
            self.known.append((weights, cells, len(uniq), _code_histogram(self.answers, cells, len(uniq), weights)))

    def get(self, codes: np.ndarray, n_groups: int, weights: np.ndarray | None) -> np.ndarray:
        """Histogram ``H[g, j, c]`` of ``codes`` (G x J x 6) with ``weights`` (None: counts)."""
        for known_w, cells, n_cells, hist in self.known:
            if known_w is not weights or len(cells) != len(codes):
                continue
            group_of = np.zeros(n_cells, dtype=np.int64)
            group_of[cells] = codes
            if np.array_equal(group_of[cells], codes):
                summed = indicator(group_of, n_groups) @ hist.reshape(n_cells, -1)
                return np.asarray(summed).reshape(n_groups, -1, N_CODES)
        hist = _code_histogram(self.answers, codes, n_groups, weights)
        self.known.append((weights, codes, n_groups, hist))
        return hist


def _prepared_histograms(design: SurveyDesign, answers: ItemCodes, doms: list[tuple[np.ndarray, int]]) -> _Histograms:
    """A :class:`_Histograms` seeded for the ``by`` groupings ``doms`` ((codes, n_dom) each):
    weights on the cells of stage units x domains, pre-calibration weights on the cells of
    calibration levels x domains, counts on the cells of the domains."""
    hists = _Histograms(answers)
    gs = [np.where(dom >= 0, dom, n_dom) for dom, n_dom in doms]
    hists.seed([s.unit for s in design.stages] + gs, design.weights)
    if design.calibration is not None and design.calibration.factors:
        hists.seed([c for _, c, _ in design.calibration.factors] + gs, design.calibration.base_weights)
    hists.seed(gs, None)
    return hists


def _factor_index(y: np.ndarray, cols_f: list[list[int]]) -> np.ndarray:
    """Respondent index (mean of answered criteria) of each factor."""
    return np.column_stack([_index(y[:, c]) for c in cols_f])


def _split(arrays: dict, widths: list[int]) -> list[dict]:
    """Split the D x K summary arrays of stacked cores back into their parts."""
    edges = np.cumsum([0] + widths)
    return [{key: a[:, lo:hi] for key, a in arrays.items()} for lo, hi in zip(edges[:-1], edges[1:])]


def score_gap(design: SurveyDesign, first: str, second: str, by=None, missing_codes=(8, 9),
              level: float = 0.95, ci: str = "t", df: str = "design") -> Results:
    """Mean of ``first`` minus mean of ``second`` (e.g. satisfaction - expectation), each
    dropping its own missing answers; SE from the difference of influence values."""
    y = recode(design, [first, second], missing_codes)
    dom, labels = domains(design, by)
    core = mean_core(design, y, dom, len(labels))
    g = np.where(dom >= 0, dom, len(labels))
    diff = _combine(core, np.array([[1.0], [-1.0]]), ~np.isnan(y), design, g, len(labels))
    arrays = summarize(design, diff, dom, len(labels), "wald", level, ci, df)
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
