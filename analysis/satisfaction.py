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
from .estimators import column, domains, finish, mean_core, srs_from_sums, srs_groupings, summarize
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


def satisfaction_scores(design: SurveyDesign, framework: Mapping, by=None, missing_codes=(8, 9),
                        level: float = 0.95, ci: str = "t") -> Results:
    """% satisfied (``pct_satisfied``) and ``mean_score`` per criterion, factor and overall.

    Parameters
    ----------
    framework : dict
        ``{"factors": {"F1": ["c1", "c2"], ...}, "aggregation": "mean_of_criteria" | "pooled",
        "overall": "mean_of_factors" | "pooled"}`` (``overall`` optional).

    The influence values of all criteria, factors and overall of both
    statistics are produced a block of rows at a time from the stored answers
    and consumed by a single variance pass (never stored as n x J arrays).
    """
    factors = dict(framework["factors"])
    rule = check_choice("aggregation", framework.get("aggregation", "mean_of_criteria"), AGGREGATIONS)
    overall = check_choice("overall", framework.get("overall", "mean_of_factors" if rule == "mean_of_criteria"
                                                     else "pooled"), OVERALL)
    items = [c for cols in factors.values() for c in cols]
    answers = item_codes(design, items, missing_codes)
    dom, labels = domains(design, by)
    n_dom, g = len(labels), np.where(dom >= 0, dom, len(labels))
    cols_f = [[items.index(c) for c in cols] for cols in factors.values()]
    k = len(factors)
    m = np.zeros((len(items), k))
    for f, c in enumerate(cols_f):
        m[c, f] = 1 / len(c)
    v = np.full((k, 1), 1 / k)
    names = [items, list(factors), ["overall"]]
    if rule == "mean_of_criteria" and overall == "mean_of_factors":
        stats, var, s1, s2 = _linear_scores(design, answers, m, v, cols_f, dom, n_dom)
        return _assemble(design, stats, var, s1, s2, names, labels, level, ci)
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
    return _assemble(design, stats, var, s1, s2, names, labels, level, ci)


def _assemble(design: SurveyDesign, stats: list[dict], var: np.ndarray, s1: np.ndarray, s2: np.ndarray,
              names: list[list[str]], labels: list, level: float, ci: str) -> Results:
    """Results of both statistics from their stacked variances and SRS sums."""
    out = Results([])
    width = sum(len(x) for x in names)
    for i, (stat, method) in enumerate((("pct_satisfied", "logit"), ("mean_score", "wald"))):
        part = slice(i * width, (i + 1) * width)
        arrays = finish(design, stats[i], var[:, part], srs_from_sums(stats[i], s1[:, part], s2[:, part]),
                        method, level, ci)
        for piece, labs in zip(_split(arrays, [len(x) for x in names]), names):
            out = out + build(stat, labs, [None] * len(labs), labels, piece)
    return out


N_CODES = 6  # answer codes 0-4 (scores 1-5) and 5 (missing)


def _code_histogram(answers: ItemCodes, codes: np.ndarray, n_groups: int, weights: np.ndarray | None) -> np.ndarray:
    """``H[g, j, c] = sum_{i: codes_i = g, answer_ij = c} weights_i`` (G x J x 6), one bincount per item."""
    n_items = answers.codes.shape[1]
    out = np.empty((n_groups, n_items, N_CODES))
    key = codes.astype(np.intp) * N_CODES
    for j in range(n_items):
        out[:, j] = np.bincount(key + answers.codes[:, j], weights=weights,
                                minlength=n_groups * N_CODES).reshape(n_groups, N_CODES)
    return out


def _linear_scores(design: SurveyDesign, answers: ItemCodes, m: np.ndarray, v: np.ndarray,
                   cols_f: list[list[int]], dom: np.ndarray, n_dom: int):
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
    hw_full = _code_histogram(answers, g, n_dom + 1, w)
    hw = hw_full[:n_dom]
    h1 = _code_histogram(answers, g, n_dom + 1, None)[:n_dom]
    n_obs, big_n = h1[:, :, :5].sum(axis=2), hw[:, :, :5].sum(axis=2)
    used = np.hstack([m, m @ v]) != 0
    any_obs = answers.any_observed(used).astype(float)
    comb_n = np.column_stack([np.bincount(g, any_obs[:, k], minlength=n_dom + 1)[:n_dom] for k in range(used.shape[1])])
    comb_big = np.column_stack([np.bincount(g, w * any_obs[:, k], minlength=n_dom + 1)[:n_dom]
                                for k in range(used.shape[1])])
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
        hists = _grouping_histograms(answers, groupings, (g, w, hw_full))
        out = []
        for gr, h in zip(groupings, hists):
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


def _row_squares(answers: ItemCodes, tables: list[np.ndarray], row_dom: np.ndarray, gr: Grouping, m: np.ndarray,
                 v: np.ndarray, cols_f: list[list[int]]) -> list[np.ndarray]:
    """``sum_{i in g} weight_i z_i^power`` of the factor and overall columns of each table, whose
    influence values (sums over items) are formed row by row from the tables."""
    key = row_dom.astype(np.intp) * N_CODES
    n_tab = len(tables)
    both = np.stack(tables, axis=-1)  # (D+1) x J x 6 x S
    z = np.empty((len(cols_f) + 1, len(key), n_tab))
    for f, cols in enumerate(cols_f):
        acc = z[f]
        for i, j in enumerate(cols):
            zj = np.ascontiguousarray(both[:, j]).reshape(-1, n_tab).take(key + answers.codes[:, j], axis=0)
            zj *= m[j, f]
            if i == 0:
                acc[:] = zj
            else:
                acc += zj
    acc = z[-1]
    for f in range(len(cols_f)):
        if f == 0:
            np.multiply(z[f], v[f, 0], out=acc)
        else:
            acc += z[f] * v[f, 0]
    weighted = z**gr.power
    weighted *= gr.weights[:, None]
    return [np.column_stack([np.bincount(gr.codes, weighted[k, :, s], minlength=gr.n_groups) for k in range(len(z))])
            for s in range(n_tab)]


def _grouping_histograms(answers: ItemCodes, groupings: list[Grouping], known) -> list[np.ndarray]:
    """:func:`_code_histogram` of each grouping, sharing the work between groupings.

    ``known = (codes, weights, histogram)`` is reused for groupings with the
    same codes and weights (the domain sums).  Groupings with the same weights
    array are histogrammed once on the cells of their joint codes and each is
    then summed from those cells (a few thousand cells instead of n rows).
    """
    codes0, weights0, hist0 = known
    out: list[np.ndarray | None] = [None] * len(groupings)
    by_weights: dict[int, list[int]] = {}
    for i, gr in enumerate(groupings):
        if gr.weights is weights0 and gr.n_groups == hist0.shape[0] and np.array_equal(gr.codes, codes0):
            out[i] = hist0
        else:
            by_weights.setdefault(id(gr.weights), []).append(i)
    for idx in by_weights.values():
        first = groupings[idx[0]]
        sizes = [groupings[i].n_groups for i in idx]
        if len(idx) == 1 or np.prod(np.array(sizes, dtype=float)) >= 2.0**62:
            for i in idx:
                out[i] = _code_histogram(answers, groupings[i].codes, groupings[i].n_groups, groupings[i].weights)
            continue
        joint = np.zeros(len(first.codes), dtype=np.int64)
        for i in idx:
            joint *= groupings[i].n_groups
            joint += groupings[i].codes
        cell, keys = pd.factorize(joint)
        fine = _code_histogram(answers, cell, len(keys), first.weights).reshape(len(keys), -1)
        for i in reversed(idx):
            size = groupings[i].n_groups
            of_cell = keys % size
            keys = keys // size
            agg = indicator(of_cell, size) @ fine
            out[i] = np.asarray(agg).reshape(size, -1, N_CODES)
    return out


def _factor_index(y: np.ndarray, cols_f: list[list[int]]) -> np.ndarray:
    """Respondent index (mean of answered criteria) of each factor."""
    return np.column_stack([_index(y[:, c]) for c in cols_f])


def _split(arrays: dict, widths: list[int]) -> list[dict]:
    """Split the D x K summary arrays of stacked cores back into their parts."""
    edges = np.cumsum([0] + widths)
    return [{key: a[:, lo:hi] for key, a in arrays.items()} for lo, hi in zip(edges[:-1], edges[1:])]


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
