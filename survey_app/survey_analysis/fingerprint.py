"""The analysis table's fingerprint: SHA-256 of the table as pandas writes it to CSV (columns in
name order, rows in instance-UUID order), the run's input identity.

pandas' ``to_csv`` formats a million rows of 85 columns in well over a minute; Polars writes the
same bytes in seconds once every column holds what pandas would print: whole numbers as they are,
floats as Python's ``repr``, missing values and empty text as nothing. Where the two writers
would differ (a carriage return in a text, which Polars quotes and pandas does not) the
fingerprint is pandas' own.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

ROWS = 100_000


def table_digest(data: pd.DataFrame, numeric=()) -> str:
    """SHA-256 of ``data`` as CSV (``to_csv(index=False)``), sorted as the fingerprint sorts it;
    ``numeric`` columns held as floats (whole numbers with gaps) are written as whole numbers."""
    ordered = data.reindex(sorted(data.columns), axis=1)
    ordered = ordered.astype({c: "Int64" for c in numeric if ordered[c].dtype.kind == "f"})
    printed = {c: _printed(ordered[c]) for c in ordered.columns}
    if any(s is None for s in printed.values()) or not len(ordered):
        return _pandas_digest(ordered)
    table = pl.DataFrame(printed)
    table = table[pl.from_arrow(pc.sort_indices(table["instance_uuid"].to_arrow()))]  # Arrow sorts text faster
    digest = hashlib.sha256()
    for start in range(0, table.height, ROWS):
        digest.update(table.slice(start, ROWS).write_csv(include_header=start == 0).encode("utf-8"))
    return digest.hexdigest()


def _pandas_digest(ordered: pd.DataFrame) -> str:
    text = ordered.sort_values("instance_uuid").to_csv(index=False) if len(ordered) else ordered.to_csv(index=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _printed(column: pd.Series) -> pl.Series | None:
    """The column as Polars writes what pandas prints; None where they would differ."""
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and column.dtype.kind in "iu" \
            or column.dtype.kind in "iu":
        return pl.from_pandas(column)
    if isinstance(column.dtype, pd.StringDtype):
        series = pl.from_arrow(pa.array(column.array)).cast(pl.Utf8)
        return _printed_text(series)
    values = column.to_numpy()
    if column.dtype.kind == "f":
        return _floats(values)
    if column.dtype.kind == "b":
        return pl.Series([str(bool(x)) for x in values], dtype=pl.Utf8)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        series = pl.from_pandas(pd.Series(values, dtype=object)).cast(pl.Utf8)
    else:
        series = pl.Series([None if v is None or (isinstance(v, float) and v != v) else v if type(v) is str
                            else str(v) for v in values], dtype=pl.Utf8)
    return _printed_text(series)


def _printed_text(series: pl.Series) -> pl.Series | None:
    """Text as pandas prints it: empty as missing; None where Polars would quote differently."""
    series = pl.select(pl.when(series == "").then(None).otherwise(series)).to_series()
    return None if series.str.contains("\r", literal=True).any() else series


def _floats(values: np.ndarray) -> pl.Series:
    """Floats as Python's ``repr`` (as pandas prints them), one ``repr`` per distinct value."""
    distinct, positions = np.unique(values, return_inverse=True)
    printed = pl.Series([None if x != x else repr(float(x)) for x in distinct], dtype=pl.Utf8)
    return printed.gather(positions.ravel())
