"""Means, totals, proportions and ratios with Taylor-linearised standard errors.

Every estimator here is a ratio of weighted totals in a domain ``d``,
``R_d = Y_d / X_d`` (a total has no denominator; a mean has ``x = 1``; a
proportion is the mean of a level indicator).  Its influence values are
(Woodruff 1971; Lohr 2019, sec. 9.1; Lumley 2010, sec. 3.4)

    z_i = (y_i - R_d x_i) / X_d   for rows of d with y and x observed, else 0,

and ``z_i = y_i`` for a total.  Missing values are dropped per variable on
the full design (R's ``na.rm=TRUE`` in a domain: the rows stay, their
influence is zero).  Variances come from :func:`analysis.linearize.var_by_domain`.

Design effect (Kish 1965; R ``svymean(..., deff=TRUE)``): ``V / V_srswor`` with

    V_srswor = (1 - n / N) N sum_i w_i (z_i - zbar)^2 / (n - 1),

``n`` the observations and ``N`` the weight sum in the domain; this equals
``(1 - n/N) s^2 / n`` for a mean and ``N^2 (1 - n/N) s^2 / n`` for a total,
with ``s^2`` the weighted variance with divisor ``n - 1``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .design import SurveyDesign
from .errors import EstimationError, check_choice
from .intervals import interval
from .linearize import Grouping, group_sum, grouped_totals, indicator, row_blocks, rows_of, var_by_domain
from .results import Results, build


def _names(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def column(design: SurveyDesign, name: str) -> pd.Series:
    """A data column, or :class:`EstimationError` naming the unknown column."""
    if name not in design.data.columns:
        raise EstimationError(f"unknown column {name!r}")
    return design.data[name]


def numeric_columns(design: SurveyDesign, names: Sequence[str]) -> list[np.ndarray]:
    """Float columns (NaN for missing) of numeric data columns; float64 columns are not copied."""
    cols = []
    for name in names:
        s = column(design, name)
        v = pd.to_numeric(s, errors="coerce")
        if (v.isna() & s.notna()).any():
            raise EstimationError(f"column {name!r} is not numeric")
        cols.append(v.to_numpy(dtype=float))
    return cols


def numeric(design: SurveyDesign, names: Sequence[str]) -> np.ndarray:
    """n x J float matrix of numeric columns, NaN for missing."""
    cols = numeric_columns(design, names)
    out = np.empty((design.n, len(cols)))
    for rows in row_blocks(design.n):  # a block of rows at a time: writes stay within a few MB
        for j, c in enumerate(cols):
            out[rows, j] = c[rows]
    return out


def numeric_blocks(design: SurveyDesign, names: Sequence[str]):
    """Block function (see :func:`analysis.linearize.rows_of`) giving the rows of :func:`numeric`
    without building the n x J matrix (whose first-touch page faults cost more than its use)."""
    cols = numeric_columns(design, names)

    def block(rows: slice) -> np.ndarray:
        out = np.empty((len(range(*rows.indices(design.n))), len(cols)))
        for j, c in enumerate(cols):
            out[:, j] = c[rows]
        return out

    return block


def level_label(value) -> str:
    """The text of a level as R's ``factor`` gives it: a whole number stored as a float
    (a 0/1 column with missing values is a float column) without its ``.0``."""
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return str(value)


def factorize_labels(series: pd.Series, dtype="string") -> tuple[np.ndarray, list[str]]:
    """Codes of ``series`` by sorted level text (:func:`level_label`), missing values coded -1.

    The values are converted to text only once per distinct value, not per row.
    ``dtype`` is kept for callers; the text is :func:`level_label` whatever it is.
    """
    raw, uniq = pd.factorize(series)
    text = pd.Series([level_label(u) for u in uniq], dtype=object)
    code_of_uniq, labels = pd.factorize(text, sort=True)
    codes = np.where(raw >= 0, code_of_uniq[np.maximum(raw, 0)], -1) if len(uniq) else raw
    return codes.astype(np.int64), [str(u) for u in labels]


def domains(design: SurveyDesign, by: str | Sequence[str] | None) -> tuple[np.ndarray, list]:
    """Domain code per row (-1 where a ``by`` value is missing) and domain labels."""
    if by is None:
        return np.zeros(design.n, np.int64), [None]
    names = _names(by)
    parts = [column(design, b) for b in names]
    if len(parts) == 1:
        return factorize_labels(parts[0], "string")
    missing = pd.concat(parts, axis=1).isna().any(axis=1).to_numpy()
    texts = [p.map(level_label, na_action="ignore").fillna("") for p in parts]
    label = pd.concat(texts, axis=1).agg(" / ".join, axis=1)
    codes, uniq = pd.factorize(label.where(~missing), sort=True)
    return codes.astype(np.int64), [str(u) for u in uniq]


def ratio_core(design: SurveyDesign, y: np.ndarray, x: np.ndarray | None, dom: np.ndarray, n_dom: int) -> dict:
    """Estimates, influence values and counts of ``sum w y / sum w x`` per domain.

    ``x=None`` gives totals (use :func:`mean_core` for means, x = 1).  Returns a
    dict with ``estimate``, ``n``, ``N`` (D x J) and ``z`` (n x J).
    """
    if x is None:
        return _core(design, y, None, dom, n_dom, total=True)
    return _core(design, y, x, dom, n_dom)


def mean_core(design: SurveyDesign, y, dom: np.ndarray, n_dom: int, out: np.ndarray | None = None,
              lazy: bool = False) -> dict:
    """:func:`ratio_core` with ``x = 1``: ``z_i = (y_i - ybar_d) / N_d`` on observed rows.

    ``y`` is an (n, J) array or a block function (:func:`analysis.linearize.rows_of`).
    ``out`` (n x J, may be a column slice of a wider array) receives ``z``;
    with ``lazy=True``, ``z`` is returned as a block function instead.
    """
    return _core(design, y, None, dom, n_dom, out=out, lazy=lazy)


def _block(y, x, inside: np.ndarray | None, rows: slice):
    """Observed mask and zero-filled ``y`` and ``x`` of a block of rows (arrays or block functions)."""
    yb = rows_of(y, rows)
    obs = ~np.isnan(yb)
    xb = None
    if x is not None:
        xb = rows_of(x, rows)
        obs &= ~np.isnan(xb)
        xb = np.where(obs, xb, 0.0)
    if inside is not None:
        obs &= inside[rows, None]
    return obs, np.where(obs, yb, 0.0), xb


def _core(design: SurveyDesign, y, x, dom: np.ndarray, n_dom: int,
          total: bool = False, out: np.ndarray | None = None, lazy: bool = False) -> dict:
    """Shared body of :func:`ratio_core` and :func:`mean_core` (``x=None``: x = 1 unless ``total``).

    Two passes over blocks of rows (:func:`analysis.linearize.row_blocks`):
    domain totals ``n_d``, ``N_d = sum w``, ``Y_d = sum w y``, ``X_d = sum w x``,
    then ``z_i = (y_i - R_d x_i) / X_d``.  Group sums carry the weights in the
    indicator; rows outside every domain go to the extra group ``n_dom``.
    ``y`` and ``x`` may be block functions (see :func:`analysis.linearize.rows_of`);
    with ``lazy=True`` the returned ``z`` is a block function too.
    """
    w, n = design.weights, design.n
    n_var = rows_of(y, slice(0, 1)).shape[1]
    g = np.where(dom >= 0, dom, n_dom)
    inside = (dom >= 0) if g.max(initial=0) == n_dom else None
    sums = np.zeros((4, n_dom + 1, n_var))  # n, N, Y, X
    blocks = row_blocks(n)
    for rows in blocks:
        obs, y0, x0 = _block(y, x, inside, rows)
        obs_f, gb = obs.astype(float), g[rows]
        sums[0] += indicator(gb, n_dom + 1) @ obs_f
        by_w = indicator(gb, n_dom + 1, w[rows])
        for k, v in enumerate([obs_f, y0] if x0 is None else [obs_f, y0, x0]):
            sums[1 + k] += by_w @ v
    n_obs, big_n, total_y = sums[0], sums[1], sums[2]
    total_x = big_n if x is None else sums[3]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(total_x != 0, total_y / total_x, np.nan)

    def z_rows(rows: slice) -> np.ndarray:
        obs, y0, x0 = _block(y, x, inside, rows)
        if total:
            return y0
        with np.errstate(divide="ignore", invalid="ignore"):
            zb = np.take(r, g[rows], axis=0)
            if x0 is not None:
                zb *= x0
            np.subtract(y0, zb, out=zb)
            zb /= np.take(total_x, g[rows], axis=0)
        np.copyto(zb, 0.0, where=~obs)
        return zb

    estimate = total_y if total else r
    core = {"estimate": estimate[:n_dom], "z": z_rows, "n": n_obs[:n_dom], "N": big_n[:n_dom]}
    if not lazy:
        z = np.empty((n, n_var)) if out is None else out
        for rows in blocks:
            z[rows] = z_rows(rows)
        core["z"] = z
    return core


def srs_groupings(design: SurveyDesign, dom: np.ndarray, n_dom: int) -> list[Grouping]:
    """Group sums ``sum_d w z`` and ``sum_d w z^2`` behind :func:`srs_variance`."""
    g = np.where(dom >= 0, dom, n_dom)
    whole = np.append(np.arange(n_dom), -1)
    return [Grouping(g, n_dom + 1, design.weights, 1, whole), Grouping(g, n_dom + 1, design.weights, 2, whole)]


def srs_from_sums(core: dict, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """``(1 - n/N) N (s2 - s1^2 / N) / (n - 1)`` from the domain sums of :func:`srs_groupings`."""
    n, big_n = core["n"], core["N"]
    n_dom = n.shape[0]
    s1, s2 = s1[:n_dom], s2[:n_dom]
    with np.errstate(divide="ignore", invalid="ignore"):
        ss = s2 - np.where(big_n > 0, s1**2 / big_n, 0.0)
        return (1 - n / big_n) * big_n * ss / (n - 1)


def srs_variance(design: SurveyDesign, core: dict, dom: np.ndarray, n_dom: int) -> np.ndarray:
    """Variance under simple random sampling without replacement (see module docstring)."""
    s1, s2 = grouped_totals(core["z"], design.n, srs_groupings(design, dom, n_dom))
    return srs_from_sums(core, s1, s2)


DF_RULES = ("design", "domain")


def degrees_of_freedom(design: SurveyDesign, dom: np.ndarray, n_dom: int, rule: str = "design") -> np.ndarray:
    """Degrees of freedom of the t interval of each domain.

    Parameters
    ----------
    rule : {"design", "domain"}
        ``"design"`` (default): the full design's ``PSUs - strata`` for every domain, as R's
        ``confint`` of a ``svyby`` result (Lumley 2010, sec. 2.3).  ``"domain"``: each
        domain's own PSUs minus strata, R's ``degf(subset(design, domain))``
        (:meth:`SurveyDesign.domain_df`; Korn & Graubard 1999, sec. 5.2), wider intervals
        for domains that rest on a few PSUs.

    Returns
    -------
    ndarray of float, shape (n_dom,)
    """
    check_choice("df", rule, DF_RULES)
    if rule == "domain":
        return design.domain_df(dom, n_dom)
    return np.full(n_dom, float(design.df))


def summarize(design: SurveyDesign, core: dict, dom: np.ndarray, n_dom: int, ci_method: str = "wald",
              level: float = 0.95, dist: str = "t", df: str = "design") -> dict[str, np.ndarray]:
    """SE, interval, df, deff and cv arrays (D x J) from a :func:`ratio_core` result.

    One pass over the influence values (``core["z"]``, an array or a block
    function) gives the design variance and the SRS variance of the deff.
    ``df`` is the rule of :func:`degrees_of_freedom`.
    """
    var, (s1, s2) = var_by_domain(design, core["z"], dom, n_dom, extra=srs_groupings(design, dom, n_dom))
    return finish(design, core, var, srs_from_sums(core, s1, s2), ci_method, level, dist,
                  degrees_of_freedom(design, dom, n_dom, df))


def finish(design: SurveyDesign, core: dict, var: np.ndarray, srs_var: np.ndarray, ci_method: str = "wald",
           level: float = 0.95, dist: str = "t", df: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """SE, interval, df, deff (``var / srs_var``) and cv arrays from the variances of a core.

    ``df`` holds the degrees of freedom of each domain (default: the design's).  An
    estimate without any observation (``n = 0``: an empty domain, or a variable missing in
    all of it) has SE NaN, not 0: nothing was measured, so nothing is known of its precision
    (R's ``svyby(..., na.rm=TRUE)`` prints 0 and 0 there; Stata reports a missing value).
    """
    est = core["estimate"]
    se = np.where(np.asarray(core["n"]) > 0, np.sqrt(var), np.nan)
    if dist != "t":
        df = np.full(est.shape, np.inf)
    else:
        per_domain = np.full(est.shape[0], float(design.df)) if df is None else np.asarray(df, dtype=float)
        df = np.broadcast_to(per_domain[:, None], est.shape).copy()
    low, high = interval(ci_method, est, se, df, level=level, dist=dist, n=core["n"])
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = var / srs_var
        cv = se / np.abs(est)
    return {"estimate": est, "se": se, "ci_low": low, "ci_high": high, "df": df,
            "deff": deff, "n": core["n"], "cv": cv}


def svymean(design: SurveyDesign, variables: str | Sequence[str], by=None, level: float = 0.95,
            ci: str = "t", df: str = "design") -> Results:
    """Weighted means ``sum w y / sum w`` per domain (R ``svymean``/``svyby``).

    ``df``: the design's degrees of freedom for every domain (default) or each domain's own
    (``"domain"``, R's ``degf(subset(...))``), see :func:`degrees_of_freedom`.
    """
    names = _names(variables)
    y = numeric_blocks(design, names)
    dom, labels = domains(design, by)
    core = mean_core(design, y, dom, len(labels), lazy=True)  # z computed block by block in the variance pass
    return build("mean", names, [None] * len(names), labels, summarize(design, core, dom, len(labels), "wald", level, ci, df))


def svytotal(design: SurveyDesign, variables: str | Sequence[str], by=None, level: float = 0.95,
             ci: str = "t", df: str = "design") -> Results:
    """Weighted totals ``sum w y`` per domain (R ``svytotal``); ``df`` as :func:`svymean`."""
    names = _names(variables)
    y = numeric(design, names)
    dom, labels = domains(design, by)
    core = ratio_core(design, y, None, dom, len(labels))
    return build("total", names, [None] * len(names), labels, summarize(design, core, dom, len(labels), "wald", level, ci, df))


def svyratio(design: SurveyDesign, numerator: str, denominator: str, by=None, level: float = 0.95,
             ci: str = "t", df: str = "design") -> Results:
    """Ratio of totals ``sum w y / sum w x`` per domain (R ``svyratio``); ``df`` as :func:`svymean`."""
    y, x = numeric(design, [numerator]), numeric(design, [denominator])
    dom, labels = domains(design, by)
    core = ratio_core(design, y, x, dom, len(labels))
    arrays = summarize(design, core, dom, len(labels), "wald", level, ci, df)
    return build("ratio", [f"{numerator}/{denominator}"], [None], labels, arrays)


def indicators(design: SurveyDesign, variable: str) -> tuple[np.ndarray, list[str]]:
    """n x L matrix of level indicators (NaN where missing) and the sorted levels."""
    s = column(design, variable)
    codes, uniq = pd.factorize(s, sort=True)
    if len(uniq) == 0:
        raise EstimationError(f"column {variable!r} has no non-missing values")
    ind = (codes[:, None] == np.arange(len(uniq))).astype(float)
    ind[codes < 0] = np.nan
    return ind, [level_label(u) for u in uniq]


def svyprop(design: SurveyDesign, variable: str, by=None, ci_method: str = "logit",
            level: float = 0.95, ci: str = "t", df: str = "design") -> Results:
    """Proportion of each level of a categorical variable per domain.

    Intervals: ``"logit"`` (default), ``"korn-graubard"`` or ``"wald"``; see
    :mod:`analysis.intervals`.  Levels are labelled as :func:`level_label` (R's
    ``factor``: a 0/1 column gives ``"0"`` and ``"1"``); ``df`` as :func:`svymean`.
    """
    ind, levels = indicators(design, variable)
    dom, labels = domains(design, by)
    core = mean_core(design, ind, dom, len(labels))
    arrays = summarize(design, core, dom, len(labels), ci_method, level, ci, df)
    return build("proportion", [variable] * len(levels), levels, labels, arrays)
