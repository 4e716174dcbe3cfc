"""Survey-scored sub-criteria (*tiêu chí điều tra xã hội học*): an indicator from a stored
analysis run converted to points by the framework's rule, keeping its standard error.

The framework's ``survey:`` block (``questionnaires/README.md`` §2) gives the questionnaire,
the indicator (``pct_satisfied`` | ``mean_score``), what it is computed on (``factor`` |
``criterion`` | ``item``) and the conversion (``proportional`` | ``thresholds``).

Every indicator is first put on the percent scale ``x`` (0-100):

* ``pct_satisfied``: ``x = 100 p`` and ``SE(x) = 100 SE(p)``;
* ``mean_score`` (1-5 scale): ``x = (m - 1) / 4 × 100`` and ``SE(x) = 25 SE(m)``.

Conversions (``max`` = the sub-criterion's maximum points):

* proportional: ``points = max × x / 100`` (clipped to ``[0, max]``), so
  ``SE(points) = max × SE(x) / 100`` exactly (a linear map, Kish 1965 §2.8);
* thresholds: a step function ``f(x)``; with ``x ~ N(x̂, SE(x)²)`` (the normal approximation
  behind the stored confidence intervals, Lohr 2019 §9.5) the points' mean and variance are
  ``E f = Σ_k f_k P_k`` and ``Var f = Σ_k f_k² P_k − (E f)²``, ``P_k`` the normal probability of
  threshold band ``k``. The reported points are ``f(x̂)``, their SE is ``sqrt(Var f)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from survey_app.refusals import MessageRefused

INDICATORS = ("pct_satisfied", "mean_score")
CONVERSIONS = ("proportional", "thresholds")


class ConversionError(MessageRefused):
    """A survey block the converter cannot use; the message names the key."""


@dataclass(frozen=True)
class Indicator:
    """One stored estimate: ``statistic`` on its own scale (share 0-1 or mean 1-5), with its SE."""

    statistic: str
    variable: str
    estimate: float
    se: float
    n: int

    @property
    def percent(self) -> float:
        return to_percent(self.statistic, self.estimate)

    @property
    def percent_se(self) -> float:
        return self.se * (100.0 if self.statistic == "pct_satisfied" else 25.0)


def to_percent(statistic: str, value):
    """The indicator on the 0-100 scale used by every conversion rule."""
    if statistic == "pct_satisfied":
        return np.asarray(value, dtype=float) * 100.0 if np.ndim(value) else float(value) * 100.0
    if statistic == "mean_score":
        return (np.asarray(value, dtype=float) - 1.0) * 25.0 if np.ndim(value) else (float(value) - 1.0) * 25.0
    raise ConversionError(f"unknown indicator {statistic!r}; expected one of {', '.join(INDICATORS)}")


def variable_name(survey: dict) -> str:
    """The analysis run's variable for a survey block: ``F2``, ``sat_c09`` or the item's name."""
    keys = [k for k in ("factor", "criterion", "item") if survey.get(k)]
    if len(keys) != 1:
        raise ConversionError("a survey block needs exactly one of factor, criterion, item")
    key = keys[0]
    return f"sat_{survey[key]}" if key == "criterion" else str(survey[key])


def _thresholds(survey: dict) -> tuple[np.ndarray, np.ndarray]:
    rows = survey.get("thresholds") or []
    if not rows:
        raise ConversionError("conversion: thresholds needs a thresholds list")
    mins = np.array([float(r["min"]) for r in rows])
    values = np.array([float(r["points"]) for r in rows])
    if np.any(np.diff(mins) >= 0) or mins[-1] != 0:
        raise ConversionError("thresholds: min must be descending and end at 0")
    return mins, values


def points_of(survey: dict, max_points: float, percent):
    """Points for indicator value(s) ``percent`` (0-100, scalar or array)."""
    rule = survey.get("conversion", "proportional")
    x = np.asarray(percent, dtype=float)
    if rule == "proportional":
        out = np.clip(max_points * x / 100.0, 0.0, max_points)
    elif rule == "thresholds":
        mins, values = _thresholds(survey)
        band = np.argmax(x[..., None] >= mins, axis=-1)  # first row with x >= min
        out = values[band]
    else:
        raise ConversionError(f"unknown conversion {rule!r}; expected one of {', '.join(CONVERSIONS)}")
    return float(out) if out.ndim == 0 else out


def points_se(survey: dict, max_points: float, indicator: Indicator) -> float:
    """Standard error of the converted points (formulas in the module docstring)."""
    rule = survey.get("conversion", "proportional")
    if rule == "proportional":
        return max_points * indicator.percent_se / 100.0
    mins, values = _thresholds(survey)
    if indicator.percent_se <= 0:
        return 0.0
    from scipy import stats  # only thresholds need it: importing SciPy takes about a second

    dist = stats.norm(indicator.percent, indicator.percent_se)
    uppers = np.concatenate(([np.inf], mins[:-1]))
    lowers = np.concatenate((mins[:-1], [-np.inf]))  # the last band (min 0) takes everything below
    probs = dist.cdf(uppers) - dist.cdf(lowers)
    mean = float(np.sum(values * probs))
    return float(np.sqrt(max(np.sum(values ** 2 * probs) - mean ** 2, 0.0)))


def draw_percent(indicator: Indicator, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draws of the indicator on the percent scale from its sampling distribution.

    Shares are drawn on the logit scale, ``logit p ~ N(logit p̂, (SE / (p̂(1−p̂)))²)`` — the
    delta-method scale of the stored logit intervals (Stata ``svy: proportion``) — so every draw
    stays inside (0, 1); mean scores are drawn normally and clipped to the scale.
    """
    if indicator.se <= 0:
        return np.full(size, indicator.percent)
    if indicator.statistic == "pct_satisfied":
        p = min(max(indicator.estimate, 1e-6), 1 - 1e-6)
        centre, spread = np.log(p / (1 - p)), indicator.se / (p * (1 - p))
        return 100.0 / (1.0 + np.exp(-rng.normal(centre, spread, size)))
    return np.clip(rng.normal(indicator.percent, indicator.percent_se, size), 0.0, 100.0)
