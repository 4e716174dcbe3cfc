"""Result type shared by all estimators: one record per estimate, tidy output."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any, Iterator

import numpy as np
import pandas as pd

COLUMNS = ["statistic", "variable", "level", "domain", "estimate", "se", "ci_low", "ci_high",
           "df", "deff", "n", "cv"]


@dataclass(frozen=True)
class Estimate:
    """One design-based estimate.

    Attributes
    ----------
    statistic : str
        ``mean``, ``total``, ``proportion``, ``ratio``, ``quantile``, ...
    variable : str
        Column (``num/den`` for ratios).
    level : str or None
        Level of a categorical variable (proportions) or the probability of a quantile.
    domain : str or None
        Level of the ``by`` variable(s), None for the whole population.
    estimate, se, ci_low, ci_high : float
    df : float
        Degrees of freedom used for the interval (inf for normal intervals).
    deff : float
        Design effect against simple random sampling without replacement
        (Kish 1965; R ``deff=TRUE``).
    n : int
        Number of observations used (non-missing, in the domain).
    cv : float
        Coefficient of variation ``se / |estimate|``.
    """

    statistic: str
    variable: str
    level: str | None
    domain: str | None
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: float
    deff: float
    n: int
    cv: float

    def record(self) -> dict[str, Any]:
        """Plain dict with JSON-safe values (NaN and inf become None)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float) and not math.isfinite(value):
                out[key] = None
        return out


class Results:
    """An ordered collection of :class:`Estimate` with tidy output."""

    def __init__(self, estimates: list[Estimate]) -> None:
        self.estimates = list(estimates)

    def __iter__(self) -> Iterator[Estimate]:
        return iter(self.estimates)

    def __len__(self) -> int:
        return len(self.estimates)

    def __getitem__(self, i: int) -> Estimate:
        return self.estimates[i]

    def __add__(self, other: "Results") -> "Results":
        return Results(self.estimates + other.estimates)

    def to_frame(self) -> pd.DataFrame:
        """Tidy DataFrame, one row per estimate, columns :data:`COLUMNS`."""
        return pd.DataFrame([asdict(e) for e in self.estimates], columns=COLUMNS)

    def records(self) -> list[dict[str, Any]]:
        """List of JSON-safe dicts."""
        return [e.record() for e in self.estimates]

    def get(self, variable: str | None = None, level=None, domain=None, statistic=None) -> Estimate:
        """The single estimate matching the given keys (None matches anything)."""
        keys = {"variable": variable, "level": level, "domain": domain, "statistic": statistic}
        found = [e for e in self.estimates
                 if all(v is None or getattr(e, k) == v for k, v in keys.items())]
        if len(found) != 1:
            raise KeyError(f"{len(found)} estimates match {keys}")
        return found[0]

    def __repr__(self) -> str:
        return self.to_frame().to_string(index=False)


def build(statistic: str, variables: list[str], levels: list, domains: list, arrays: dict[str, np.ndarray]) -> Results:
    """Assemble Results from (D x J) arrays; ``levels[j]`` and ``domains[d]`` label them."""
    out = []
    n_dom, n_var = arrays["estimate"].shape
    names = [f.name for f in fields(Estimate)][4:]
    for d in range(n_dom):
        for j in range(n_var):
            vals = {k: arrays[k][d, j] for k in names}
            vals["n"] = int(vals["n"])
            vals = {k: (v if k == "n" else float(v)) for k, v in vals.items()}
            out.append(Estimate(statistic, variables[j], levels[j], domains[d], **vals))
    return Results(out)
