"""Command line: ``python -m analysis estimate ...``.

Example (R's ``dclus2``, weights implied by the fpc of both stages)::

    python -m analysis estimate --data apiclus2.csv --psu dnum --ssu snum \\
        --fpc fpc1,fpc2 --mean api00 --total enroll --format json

Weighting steps run in the order post-stratify, rake, trim.  Trimming bounds
are absolute weights; ``--trim-method additive`` is R's ``trimWeights(strict=TRUE)``.
``--df domain`` gives each ``--by`` domain its own degrees of freedom (R's
``degf(subset(...))``) instead of the design's.  Bad input prints one line on stderr and exits with 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

import pandas as pd

from .design import LONELY_RULES, SurveyDesign
from .errors import SurveyError
from .estimators import DF_RULES, svymean, svyprop, svyratio, svytotal
from .results import COLUMNS, Results
from .trimming import TRIM_METHODS, trim
from .weighting import poststratify, rake

JSON_KEYS = COLUMNS[:-1]


class _Parser(argparse.ArgumentParser):
    """Argument parser whose usage errors are one line and exit code 2."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        raise SurveyError(message)


def _margin(text: str) -> tuple[str, dict[str, float]]:
    """Parse ``COL=LEVEL:TOTAL,LEVEL:TOTAL``."""
    col, sep, rest = text.partition("=")
    if not sep or not col or not rest:
        raise SurveyError(f"margin {text!r} must look like COL=LEVEL:TOTAL,LEVEL:TOTAL")
    targets = {}
    for part in rest.split(","):
        level, colon, total = part.rpartition(":")
        try:
            targets[level] = float(total)
        except ValueError:
            colon = ""
        if not colon or not level:
            raise SurveyError(f"margin {col!r}: {part!r} must look like LEVEL:TOTAL")
    return col, targets


def _bounds(text: str) -> tuple[float, float]:
    low, _, high = text.partition(":")
    try:
        return float(low), float(high)
    except ValueError:
        raise SurveyError(f"--trim {text!r} must look like LOW:HIGH") from None


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``estimate`` command."""
    p = _Parser(prog="python -m analysis", description="Design-based survey estimates.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    e = sub.add_parser("estimate", help="means, totals, proportions and ratios with SEs")
    e.add_argument("--data", required=True, help="CSV file, one row per respondent")
    e.add_argument("--weights", help="weights column (optional when --fpc covers every stage)")
    e.add_argument("--strata")
    e.add_argument("--psu")
    e.add_argument("--ssu")
    e.add_argument("--fpc", help="fpc column(s), one per stage, comma-separated")
    e.add_argument("--lonely-psu", default="fail", choices=LONELY_RULES)
    for stat in ("mean", "total", "proportion", "ratio"):
        e.add_argument(f"--{stat}", action="append", default=[], metavar="COL" if stat != "ratio" else "NUM/DEN")
    e.add_argument("--by")
    e.add_argument("--rake", action="append", default=[], metavar="COL=LEVEL:TOTAL,...")
    e.add_argument("--poststratify", metavar="COL=LEVEL:TOTAL,...")
    e.add_argument("--trim", metavar="LOW:HIGH")
    e.add_argument("--trim-method", default="proportional", choices=TRIM_METHODS)
    e.add_argument("--df", default="design", choices=DF_RULES)
    e.add_argument("--ci", default="t", choices=("t", "normal"))
    e.add_argument("--format", default="table", choices=("json", "csv", "table"))
    return p


def _design(args: argparse.Namespace) -> SurveyDesign:
    try:
        data = pd.read_csv(args.data)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SurveyError(f"cannot read {args.data!r}: {str(exc).splitlines()[0]}") from None
    clusters = [c for c in (args.psu, args.ssu) if c]
    if args.ssu and not args.psu:
        raise SurveyError("--ssu needs --psu")
    fpc = args.fpc.split(",") if args.fpc else None
    design = SurveyDesign(data, weights=args.weights, strata=args.strata, clusters=clusters or None,
                          fpc=fpc, lonely_psu=args.lonely_psu)
    if args.poststratify:
        design = poststratify(design, *_margin(args.poststratify))
    if args.rake:
        design = rake(design, dict(_margin(m) for m in args.rake))
    if args.trim:
        design = trim(design, *_bounds(args.trim), method=args.trim_method)
    return design


def _ratio(design: SurveyDesign, spec: str, **kw) -> Results:
    num, sep, den = spec.partition("/")
    if not sep or not num or not den:
        raise SurveyError(f"--ratio {spec!r} must look like NUM/DEN")
    return svyratio(design, num, den, **kw)


ESTIMATORS: dict[str, Callable[..., Results]] = {
    "mean": svymean, "total": svytotal, "proportion": svyprop, "ratio": _ratio,
}


def estimate(args: argparse.Namespace) -> Results:
    """Run every requested estimator on the design described by ``args``."""
    requests = [(stat, col) for stat in ESTIMATORS for col in getattr(args, stat)]
    if not requests:
        raise SurveyError("nothing to estimate: give --mean, --total, --proportion or --ratio")
    design = _design(args)
    out = Results([])
    for stat, col in requests:
        out = out + ESTIMATORS[stat](design, col, by=args.by, ci=args.ci, df=args.df)
    return out


def render(results: Results, fmt: str) -> str:
    """Format results as JSON records, CSV or an aligned table."""
    if fmt == "json":
        return json.dumps([{k: r[k] for k in JSON_KEYS} for r in results.records()], indent=1)
    frame = results.to_frame()
    return frame.to_csv(index=False) if fmt == "csv" else frame.to_string(index=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0, or 2 on bad input)."""
    try:
        args = parser().parse_args(argv)
        text = render(estimate(args), args.format)
    except (SurveyError, KeyError) as exc:
        text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        message = text.splitlines()[0] if text else type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    print(text)
    return 0
