"""The survey design object, modelled on R's ``svydesign`` (Lumley 2010, ch. 2-3).

A :class:`SurveyDesign` binds a data frame to its sampling weights, strata,
one- or two-stage clusters and finite population corrections.  It is built once;
estimators take it and return estimates with standard errors.

Variance model (Wolter 2007, ch. 1; Lohr 2019, sec. 6.5; R ``svyrecvar``): for
a linearised variable with weighted values ``x_i``, unit totals ``t_hi`` at
stage 1 give

    V = sum_h (1 - f_h) n_h / (n_h - 1) sum_i (t_hi - tbar_h)^2
        + sum_h f_h sum_i V2_hi,

where ``V2_hi`` is the same expression over the second-stage units of PSU ``hi``
with their own fraction ``f_hi`` (only when an fpc is given for both stages, as
in R; without fpc the first stage is treated as sampled with replacement and the
later stages are ignored - the ultimate-cluster approximation).

Each stage is stored as a :class:`Stage`: a unit code per row, the group
(stratum) of each unit and a coefficient per group, so that the engine in
:mod:`analysis.linearize` never needs an ``if`` on the design type.

Single-PSU strata follow R's ``options(survey.lonely.psu)``: ``fail`` (error),
``remove`` and ``certainty`` (no contribution from that stratum at that stage),
``adjust`` (centre the lonely PSU total at the mean of all PSU totals of the
stage instead of its stratum mean) and ``average`` (the stage variance of the
other strata scaled by H / H_ok).  A stratum whose PSUs were all taken
(f = 1) contributes nothing and is never lonely.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np
import pandas as pd

from .errors import DesignError, LonelyPSUError, check_choice

LONELY_RULES = ("fail", "remove", "certainty", "adjust", "average")


@dataclass(frozen=True)
class Stage:
    """One sampling stage, in the form the variance engine uses.

    Attributes
    ----------
    unit : ndarray of int, shape (n,)
        Code of the sampled unit (PSU, SSU) holding each row, 0..n_units-1.
    group : ndarray of int, shape (n_units,)
        Code of the group (stratum, or parent PSU at stage 2) of each unit.
    n_in_group : ndarray of int, shape (n_groups,)
        Number of sampled units in each group, from the full design.
    coef : ndarray of float, shape (n_groups,)
        Multiplier of the sum of squares of each group:
        ``(1 - f) n / (n - 1)`` times the earlier stages' sampling fractions.
    adjust : ndarray of bool, shape (n_groups,)
        Groups centred at the grand mean of unit totals (lonely ``adjust``).
    scale : float
        Factor applied to the whole stage (lonely ``average``).
    """

    unit: np.ndarray
    group: np.ndarray
    n_in_group: np.ndarray
    coef: np.ndarray
    adjust: np.ndarray
    scale: float = 1.0

    @property
    def n_units(self) -> int:
        """Number of sampled units at this stage."""
        return int(self.group.shape[0])


@dataclass(frozen=True)
class CalibrationModel:
    """The auxiliary model of a calibrated design (Deville & Särndal 1992).

    The variance of a calibrated estimator uses the residuals of the linearised
    variable regressed on these auxiliaries with the pre-calibration weights
    (as R's ``calibrate``; Lumley 2010, sec. 7.3).

    Attributes
    ----------
    factors : list of (name, codes, n_levels)
        Categorical margins, codes 0..n_levels-1 per row.
    continuous : ndarray, shape (n, q), or None
        Continuous auxiliaries (linear calibration).
    base_weights : ndarray, shape (n,)
        Weights before the first calibration step.
    """

    factors: tuple = ()
    continuous: np.ndarray | None = None
    base_weights: np.ndarray = field(default_factory=lambda: np.empty(0))

    def combine(self, other: "CalibrationModel") -> "CalibrationModel":
        """Stack a later calibration on this one, keeping the first base weights."""
        cont = [c for c in (self.continuous, other.continuous) if c is not None]
        return CalibrationModel(
            factors=self.factors + other.factors,
            continuous=np.column_stack(cont) if cont else None,
            base_weights=self.base_weights,
        )


def _codes(series: pd.Series, what: str) -> tuple[np.ndarray, int]:
    """Factorise a design column; missing values are an error."""
    if series.isna().any():
        raise DesignError(f"{what} column {series.name!r} has missing values")
    codes, uniques = pd.factorize(series, sort=True)
    return codes.astype(np.int64), len(uniques)


def _stage_fraction(values: np.ndarray, n_units: np.ndarray, group: np.ndarray, what: str) -> np.ndarray:
    """Sampling fraction per group from an fpc column (fraction if all <= 1, else sizes)."""
    per_group = pd.Series(values).groupby(group).agg(["min", "max"])
    if (per_group["min"] != per_group["max"]).any():
        raise DesignError(f"fpc column {what!r} is not constant within a stratum")
    v = per_group["min"].to_numpy(dtype=float)
    if np.any(v <= 0) or np.any(~np.isfinite(v)):
        raise DesignError(f"fpc column {what!r} must be positive and finite")
    if np.all(v <= 1):
        return v
    if np.any(v < n_units):
        raise DesignError(f"fpc column {what!r}: population size below the number of sampled units")
    return n_units / v


def _lonely(n_units, fraction, rule, label, stage_no):
    """Coefficients, adjust flags and scale of a stage under the lonely-PSU rule."""
    n = n_units.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        coef = np.where(n > 1, (1 - fraction) * n / (n - 1), 0.0)
    lonely = (n_units == 1) & (fraction < 1)
    adjust = np.zeros(len(n), dtype=bool)
    scale = 1.0
    if lonely.any():
        if rule == "fail":
            first = str(label(int(np.flatnonzero(lonely)[0])))
            raise LonelyPSUError(
                f"stratum {first!r} has only one PSU at stage {stage_no} "
                f"({int(lonely.sum())} such strata); choose a lonely-PSU rule"
            )
        if rule == "adjust":
            adjust = lonely
            coef = np.where(lonely, 1 - fraction, coef)
        elif rule == "average":
            scale = len(n) / max(len(n) - int(lonely.sum()), 1)
    return coef, adjust, scale


def _as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _nested(parent: np.ndarray, column: pd.Series) -> np.ndarray:
    """Codes of units nested in ``parent`` (R's ``nest=TRUE``), in order of appearance sorted."""
    child, n_child = _codes(column, "cluster")
    codes, _ = pd.factorize(parent * n_child + child, sort=True)
    return codes.astype(np.int64)


def _check_weights(data: pd.DataFrame, column: str) -> np.ndarray:
    """Numeric, finite, non-negative weights or a :class:`DesignError`."""
    w = pd.to_numeric(data[column], errors="coerce")
    if w.isna().any():
        raise DesignError(f"weights column {column!r} has missing or non-numeric values")
    w = w.to_numpy(dtype=float)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise DesignError(f"weights column {column!r} has negative or infinite values")
    return w


def _fpc_values(data: pd.DataFrame, column: str) -> np.ndarray:
    v = pd.to_numeric(data[column], errors="coerce")
    if v.isna().any():
        raise DesignError(f"fpc column {column!r} has missing or non-numeric values")
    return v.to_numpy(dtype=float)


class SurveyDesign:
    """A complex survey design (R: ``svydesign``; Lumley 2010, ch. 2).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    weights : str, optional
        Column of sampling weights.  When omitted, weights are the inverse of
        the selection probabilities implied by ``fpc`` at every stage
        (``prod_s n_s / N_s``), as R does; ``fpc`` must then cover all stages.
    strata : str, optional
        Column of first-stage strata.
    clusters : str or sequence of up to two str, optional
        PSU and SSU columns.  Units are nested in strata (PSU codes are taken
        within stratum) and SSUs in PSUs.  ``None``: each row is a PSU.
    fpc : str or sequence of str, optional
        Finite population correction per stage: population sizes, or sampling
        fractions when every value of the column is <= 1 (as R).  Without fpc,
        PSUs are taken as sampled with replacement.  With an fpc for stage 1
        only, later stages are complete (R's convention).
    lonely_psu : {"fail", "remove", "certainty", "adjust", "average"}
        Rule for strata with one PSU (see the module docstring).

    Attributes
    ----------
    df : int
        Design degrees of freedom: number of PSUs minus number of strata.  Estimators use it
        for every domain by default (as R's ``confint`` after ``svyby``); with ``df="domain"``
        each domain gets its own, :meth:`domain_df` (R's ``degf(subset(design, ...))``).
    """

    def __init__(self, data: pd.DataFrame, weights: str | None = None, strata: str | None = None,
                 clusters: str | Sequence[str] | None = None, fpc: str | Sequence[str] | None = None,
                 lonely_psu: str = "fail") -> None:
        check_choice("lonely_psu", lonely_psu, LONELY_RULES)
        clusters, fpc = _as_list(clusters), _as_list(fpc)
        if len(clusters) > 2:
            raise DesignError("at most two stages of clusters are supported")
        for col in [c for c in [weights, strata, *clusters, *fpc] if c is not None]:
            if col not in data.columns:
                raise DesignError(f"unknown column {col!r}")
        self.data = data.reset_index(drop=True)
        self.lonely_psu = lonely_psu
        self.spec = {"weights": weights, "strata": strata, "clusters": clusters, "fpc": fpc}
        self.calibration: CalibrationModel | None = None
        self._build(strata, clusters, fpc)
        self.weights = self._weights(weights, fpc, clusters)

    def _build(self, strata, clusters, fpc) -> None:
        """Compute the stage objects, stratum codes and fractions."""
        d, n = self.data, len(self.data)
        h, n_strata = _codes(d[strata], "strata") if strata else (np.zeros(n, np.int64), 1)
        labels = pd.factorize(d[strata], sort=True)[1] if strata else ["(all)"]
        if clusters:
            unit1 = _nested(h, d[clusters[0]])
        else:
            unit1 = np.arange(n, dtype=np.int64)
        n_units1 = int(unit1.max()) + 1 if n else 0
        group1 = np.zeros(n_units1, np.int64)
        group1[unit1] = h
        n1 = np.bincount(group1, minlength=n_strata)
        f1 = _stage_fraction(_fpc_values(d, fpc[0]), n1, h, fpc[0]) if fpc else np.zeros(n_strata)
        coef, adjust, scale = _lonely(n1, f1, self.lonely_psu, lambda i: labels[i], 1)
        self.stages = [Stage(unit1, group1, n1, coef, adjust, scale)]
        self.strata_codes, self.n_strata, self.n_psu = h, n_strata, n_units1
        self._fractions = [f1[h]]
        if len(clusters) == 2 and len(fpc) >= 2:
            self._build_stage2(unit1, n_units1, f1[group1], clusters[1], fpc[1])

    def _build_stage2(self, unit1, n_units1, f1_psu, ssu, fpc2) -> None:
        """Second stage: SSUs within PSUs, weighted by the PSU's sampling fraction."""
        d = self.data
        unit2 = _nested(unit1, d[ssu])
        group2 = np.zeros(int(unit2.max()) + 1, np.int64)
        group2[unit2] = unit1
        n2 = np.bincount(group2, minlength=n_units1)
        f2 = _stage_fraction(_fpc_values(d, fpc2), n2, unit1, fpc2)
        psu_label = d[self.spec["clusters"][0]].to_numpy()
        first_row = pd.Series(np.arange(len(d))).groupby(unit1).first().to_numpy()
        coef, adjust, scale = _lonely(n2, f2, self.lonely_psu, lambda i: psu_label[first_row[i]], 2)
        self.stages.append(Stage(unit2, group2, n2, coef * f1_psu, adjust, scale))
        self._fractions.append(f2[unit1])

    def _weights(self, weights, fpc, clusters) -> np.ndarray:
        if weights is not None:
            return _check_weights(self.data, weights)
        if not fpc or len(fpc) < max(1, len(clusters)):
            raise DesignError("weights are required unless an fpc is given for every stage")
        prob = np.prod(np.vstack(self._fractions), axis=0)
        return 1.0 / prob

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R's ``degf``)."""
        return int(self.n_psu - self.n_strata)

    def domain_df(self, dom: np.ndarray, n_dom: int) -> np.ndarray:
        """Degrees of freedom of each domain as R's ``degf(subset(design, domain))``.

        Parameters
        ----------
        dom : ndarray of int, shape (n,)
            Domain code of each row, 0..n_dom-1, or -1 for rows in no domain.
        n_dom : int

        Returns
        -------
        ndarray of float, shape (n_dom,)
            ``PSUs_d - strata_d``: the first-stage units and the strata holding at least one
            row of domain ``d`` with a non-zero weight (R: ``length(unique(cluster[inset, 1]))
            - length(unique(strata[inset, 1]))``).  A domain inside one PSU has 0 (R's t
            interval is then undefined, NaN).

        References
        ----------
        Lumley, T. (2010). *Complex Surveys*, sec. 2.3 (``degf``); Korn, E. L. & Graubard, B. I.
        (1999). *Analysis of Health Surveys*, sec. 5.2 (domain degrees of freedom).
        """
        dom = np.asarray(dom, dtype=np.int64)
        inset = (dom >= 0) & (self.weights != 0)
        d = dom[inset]
        psus = np.unique(self.stages[0].unit[inset] * n_dom + d) % n_dom
        strata = np.unique(self.strata_codes[inset] * n_dom + d) % n_dom
        return (np.bincount(psus, minlength=n_dom) - np.bincount(strata, minlength=n_dom)).astype(float)

    @property
    def n(self) -> int:
        """Number of rows (respondents)."""
        return len(self.data)

    def with_weights(self, weights: np.ndarray, calibration: CalibrationModel | None = None) -> "SurveyDesign":
        """A copy of the design with new weights, optionally adding a calibration model.

        A calibration model is stacked on any earlier one, so a design that is
        post-stratified then raked keeps both sets of auxiliaries.
        """
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        new.weights = np.asarray(weights, dtype=float)
        if calibration is not None:
            new.calibration = calibration if self.calibration is None else self.calibration.combine(calibration)
        return new

    def with_columns(self, columns: dict) -> "SurveyDesign":
        """A copy of the design whose data has extra (or replaced) columns, rows unchanged."""
        new = self.with_weights(self.weights)
        new.data = self.data.assign(**{k: np.asarray(v) for k, v in columns.items()})
        return new

    def ignoring_calibration(self) -> "SurveyDesign":
        """The same weights treated as fixed (for comparisons; usually wrong SEs)."""
        new = self.with_weights(self.weights)
        new.calibration = None
        return new

    def __repr__(self) -> str:
        s = self.spec
        return (f"SurveyDesign(n={self.n}, strata={s['strata']!r}, clusters={s['clusters']!r}, "
                f"fpc={s['fpc']!r}, psu={self.n_psu}, df={self.df}, "
                f"calibrated={self.calibration is not None})")
