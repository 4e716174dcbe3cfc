"""Result type shared by all estimators: one record per estimate, tidy output."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
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
    """An ordered collection of estimates, stored as a tidy DataFrame.

    Iterating or indexing gives :class:`Estimate` objects; :meth:`to_frame`
    gives the table (one row per estimate, columns :data:`COLUMNS`).
    """

    def __init__(self, frame: pd.DataFrame | list | None = None) -> None:
        if frame is None or isinstance(frame, list):
            frame = pd.DataFrame([asdict(e) for e in frame or []], columns=COLUMNS)
        self.frame = frame.reset_index(drop=True)

    def _estimate(self, row: dict) -> Estimate:
        row = dict(row)
        row["n"] = int(row["n"])
        for key in ("level", "domain"):
            row[key] = None if row[key] is None or (isinstance(row[key], float) and math.isnan(row[key])) else row[key]
        return Estimate(**row)

    def __iter__(self) -> Iterator[Estimate]:
        return (self._estimate(r) for r in self.frame.to_dict("records"))

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, i: int) -> Estimate:
        return self._estimate(self.frame.iloc[i].to_dict())

    def __add__(self, other: "Results") -> "Results":
        frames = [f for f in (self.frame, other.frame) if len(f)]
        return Results(pd.concat(frames, ignore_index=True) if frames else self.frame)

    def to_frame(self) -> pd.DataFrame:
        """Tidy DataFrame, one row per estimate, columns :data:`COLUMNS`."""
        return self.frame.copy()

    def records(self) -> list[dict[str, Any]]:
        """List of JSON-safe dicts."""
        return [e.record() for e in self]

    def get(self, variable: str | None = None, level=None, domain=None, statistic=None) -> Estimate:
        """The single estimate matching the given keys (None matches anything)."""
        keys = {"variable": variable, "level": level, "domain": domain, "statistic": statistic}
        mask = np.ones(len(self.frame), dtype=bool)
        for k, v in keys.items():
            if v is not None:
                mask &= (self.frame[k] == v).to_numpy()
        if mask.sum() != 1:
            raise KeyError(f"{int(mask.sum())} estimates match {keys}")
        return self[int(np.flatnonzero(mask)[0])]

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def build(statistic: str, variables: list[str], levels: list, domains: list, arrays: dict[str, np.ndarray]) -> Results:
    """Assemble Results from (D x J) arrays; ``levels[j]`` and ``domains[d]`` label them."""
    n_dom, n_var = arrays["estimate"].shape
    frame = pd.DataFrame({
        "statistic": statistic,
        "variable": np.tile(np.asarray(variables, dtype=object), n_dom),
        "level": np.tile(np.asarray(levels, dtype=object), n_dom),
        "domain": np.repeat(np.asarray(domains, dtype=object), n_var),
        **{k: np.asarray(arrays[k], dtype=float).ravel() for k in COLUMNS[4:]},
    }, columns=COLUMNS)
    frame["n"] = frame["n"].astype(np.int64)
    return Results(frame)
