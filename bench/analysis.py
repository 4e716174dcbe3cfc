"""Benchmark of the analysis engine on a synthetic national SIPAS survey.

1,000,000 respondents, 34 provinces, ~3,000 communes (strata), 10 villages per
commune (PSUs), sex, 5 age groups and 22 five-point items in 5 factors
(don't know = 8, refusal = 9 in ~3% of answers).  The pipeline: build the
design, rake to sex and age margins within each province, trim the weights
(totals kept per province), then % satisfied and mean score for every item,
factor and overall, in every province and every commune, with SEs that use the
raking residuals.  Prints wall time and peak memory of the pipeline, then the
province % satisfied estimates through ``svy`` (same weights, taken as fixed on
both sides, since svy does not linearise the raking) with the largest
differences.

A regression check then compares the pipeline's histogram path with the block
path of the previous implementation on a smaller sample (``--check-n``,
default 200,000; differences must stay below 1e-12 relative).

Run: ``.venv/bin/python bench/analysis.py [--n 1000000] [--no-svy] [--check-n 200000]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import SurveyDesign, rake, satisfaction_scores, satisfaction_scores_by, svymean, trim  # noqa: E402

N_PROV, N_COMMUNE, VILLAGES, N_ITEMS = 34, 3000, 10, 22
FACTORS = {f"F{k + 1}": [f"q{j + 1}" for j in range(start, stop)]
           for k, (start, stop) in enumerate([(0, 5), (5, 10), (10, 14), (14, 18), (18, 22)])}
FRAMEWORK = {"factors": FACTORS, "aggregation": "mean_of_criteria"}


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    """One row per respondent with design columns and 22 item answers."""
    rng = np.random.default_rng(seed)
    commune = np.sort(rng.integers(0, N_COMMUNE, n))
    province = commune * N_PROV // N_COMMUNE
    village = commune * VILLAGES + rng.integers(0, VILLAGES, n)
    sex = rng.integers(0, 2, n)
    age = np.minimum(rng.poisson(1.6, n), 4)
    base = 20 + 80 * rng.random(N_COMMUNE)
    latent = rng.normal(0, 1, n) + 0.3 * (province % 5) / 4 + 0.2 * sex
    data = {"province": province, "commune": commune, "village": village, "sex": sex, "age": age,
            "w0": base[commune] * (1 + 0.2 * rng.random(n))}
    for j in range(N_ITEMS):
        score = np.clip(np.round(3.4 + latent + rng.normal(0, 1, n)), 1, 5).astype(np.int8)
        score[rng.random(n) < 0.03] = rng.choice(np.array([8, 9], dtype=np.int8))
        data[f"q{j + 1}"] = score
    frame = pd.DataFrame(data)
    frame["prov_sex"] = frame["province"] * 10 + frame["sex"]
    frame["prov_age"] = frame["province"] * 10 + frame["age"]
    return frame


def margins(frame: pd.DataFrame) -> dict:
    """Population totals: province sizes split by census-like sex and age shares."""
    pop = 1e6 * (1 + np.arange(N_PROV) % 7)
    sex_share, age_share = np.array([0.49, 0.51]), np.array([0.22, 0.3, 0.24, 0.15, 0.09])
    return {"prov_sex": {p * 10 + s: pop[p] * sex_share[s] for p in range(N_PROV) for s in range(2)},
            "prov_age": {p * 10 + a: pop[p] * age_share[a] for p in range(N_PROV) for a in range(5)}}


def pipeline(frame: pd.DataFrame) -> tuple[SurveyDesign, pd.DataFrame, pd.DataFrame]:
    design = SurveyDesign(frame, weights="w0", strata="commune", clusters="village")
    raked = rake(design, margins(frame))
    final = trim(raked, 0.3, 3.0, by="province", relative=True)
    by_province, by_commune = (r.to_frame() for r in satisfaction_scores_by(final, FRAMEWORK, ["province", "commune"]))
    return final, by_province, by_commune


def svy_province(frame: pd.DataFrame, weights: np.ndarray) -> tuple[tuple[float, float], pd.DataFrame]:
    """Province % satisfied per item through svy (weights as fixed); returns (wall, CPU) time and table."""
    import polars as pl
    import svy

    items = [f"q{j + 1}" for j in range(N_ITEMS)]
    sat = {f"s{j + 1}": np.where(frame[i] >= 8, np.nan, (frame[i] >= 4).astype(float))
           for j, i in enumerate(items)}
    data = pl.DataFrame({"province": frame["province"].to_numpy(), "commune": frame["commune"].to_numpy(),
                         "village": frame["village"].to_numpy(), "w": weights,
                         **{k: pl.Series(v).fill_nan(None) for k, v in sat.items()}})
    sample = svy.Sample(data, svy.Design(stratum="commune", psu="village", wgt="w"))
    start, cpu = time.perf_counter(), time.process_time()
    res = sample.estimation.mean(list(sat), by="province", drop_nulls=True)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    rows = [r.to_polars().to_pandas().assign(variable=f"q{k + 1}") for k, r in enumerate(res)]
    return (elapsed, cpu), pd.concat(rows)


def compare(frame: pd.DataFrame, final: SurveyDesign) -> None:
    """Our province item estimates (weights fixed) against svy's."""
    fixed = final.ignoring_calibration().with_columns(
        {f"s{j + 1}": np.where(frame[f"q{j + 1}"] >= 8, np.nan, (frame[f"q{j + 1}"] >= 4) * 1.0)
         for j in range(N_ITEMS)})
    start, cpu = time.perf_counter(), time.process_time()
    ours = svymean(fixed, [f"s{j + 1}" for j in range(N_ITEMS)], by="province").to_frame()
    t_ours, c_ours = time.perf_counter() - start, time.process_time() - cpu
    (t_svy, c_svy), theirs = svy_province(frame, final.weights)
    ours["variable"] = ours["variable"].str.replace("s", "q")
    theirs["domain"] = theirs["province"].astype(str)
    m = ours.merge(theirs, on=["variable", "domain"])
    d_est = np.max(np.abs(m["estimate"] - m["est"]) / np.abs(m["est"]))
    d_se = np.max(np.abs(m["se_x"] - m["se_y"]) / m["se_y"])
    print(f"province item estimates, weights fixed: ours {t_ours:.3f} s wall / {c_ours:.3f} s CPU, svy "
          f"{t_svy:.3f} s wall / {c_svy:.3f} s CPU ({t_svy / t_ours:.0f}x wall, {c_svy / c_ours:.0f}x CPU; "
          f"load average {os.getloadavg()[0]:.1f}); {len(m)} estimates matched; max relative difference "
          f"estimate {d_est:.2e}, SE {d_se:.2e}")


def regression_check(n: int) -> None:
    """Histogram path (the pipeline's) against the block path of the previous implementation
    (``_generic_scores``: influence values row by row, one variance pass) on ``n`` respondents."""
    from analysis.estimators import domains
    from analysis.satisfaction import _generic_scores, _Setup

    frame = synthetic(n, seed=2)
    design = SurveyDesign(frame, weights="w0", strata="commune", clusters="village", lonely_psu="adjust")
    final = trim(rake(design, margins(frame)), 0.3, 3.0, by="province", relative=True)
    start = time.process_time()
    fast = satisfaction_scores_by(final, FRAMEWORK, ["province", "commune"])
    t_fast, start = time.process_time() - start, time.process_time()
    setup = _Setup(final, FRAMEWORK, (8, 9))
    slow = [_generic_scores(final, setup, *domains(final, by), 0.95, "t") for by in ("province", "commune")]
    t_slow = time.process_time() - start
    worst = {}
    for a, b in zip(fast, slow):
        a, b = a.to_frame(), b.to_frame()
        assert a[["statistic", "variable", "domain"]].equals(b[["statistic", "variable", "domain"]])
        for col in ("estimate", "se", "ci_low", "ci_high", "deff", "n", "cv"):
            x, y = a[col].to_numpy(float), b[col].to_numpy(float)
            assert (np.isnan(x) == np.isnan(y)).all(), col
            ok = ~np.isnan(y) & (y != 0)
            rel = np.abs(x[ok] - y[ok]) / np.abs(y[ok])
            worst[col] = max(worst.get(col, 0.0), float(rel.max(initial=0.0)))
    print(f"regression check, n={n:,}: histogram path {t_fast:.2f} s CPU, block path {t_slow:.2f} s CPU; "
          "max relative difference " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    if max(worst.values()) > 1e-12:
        raise SystemExit("regression check failed: differences above 1e-12 relative")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--no-svy", action="store_true")
    ap.add_argument("--check-n", type=int, default=200_000,
                    help="sample size of the regression check against the block path (0: skip)")
    args = ap.parse_args()
    frame = synthetic(args.n)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu0 = time.perf_counter(), time.process_time()
    final, prov, comm = pipeline(frame)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"n={args.n:,}, PSUs={final.n_psu:,}, strata={final.n_strata:,}; estimates: "
          f"{len(prov):,} province + {len(comm):,} commune")
    print(f"pipeline wall time {wall:.2f} s (CPU {cpu:.2f} s, load average {os.getloadavg()[0]:.1f}); "
          f"peak RSS {peak:.0f} MB (data alone {rss0:.0f} MB)")
    print(prov[prov.variable.isin(["F1", "overall"]) & (prov.domain == "0")].to_string(index=False))
    if not args.no_svy:
        compare(frame, final)
    if args.check_n:
        regression_check(args.check_n)


if __name__ == "__main__":
    main()
