"""``flask --app wsgi sample import|draw``: sample lists from the command line.

The command line acts for the whole province (no unit scope); a wrong row stops the command
with one line per row and stores nothing.
"""
from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from survey_app.extensions import db
from survey_app.samples.frame import SampleRefused
from survey_app.samples.store import METHODS, draw_sample, import_sample

sample_cli = AppGroup("sample", help="Import or draw a campaign's sample list.")


def _campaign(code: str):
    from survey_app.cli_support import campaign_or_exit

    campaign = campaign_or_exit(code)
    return campaign


def _store(make):
    """Run ``make()``, commit, and turn a refusal into a clean exit with every message."""
    try:
        sample = make()
        db.session.commit()
    except SampleRefused as exc:
        db.session.rollback()
        raise click.ClickException("\n".join(exc.errors)) from None
    return sample


def _summary(sample) -> None:
    from survey_app.samples.fieldwork import reserve_list

    reserve = sample.parameters.get("reserve_list_id")
    click.echo(f"Sample {sample.id} «{sample.name}» ({sample.method}): {len(sample.cases)} cases"
               + (f", {len(reserve_list(sample.cases[0]).cases)} in reserve" if reserve and sample.cases else ""))


@sample_cli.command("import")
@click.argument("campaign_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", default="", help="Name of the list (default: the file name).")
def sample_import(campaign_code, file, name):
    """Import FILE (CSV: household/address, unit, stratum, cluster, probability or weight)."""
    campaign = _campaign(campaign_code)
    sample = _store(lambda: import_sample(campaign, name or Path(file).name, Path(file).read_bytes(),
                                          lambda unit: True))
    _summary(sample)


def _sizes(pairs: tuple[str, ...]) -> dict[str, int]:
    sizes = {}
    for pair in pairs:
        stratum, sep, n = pair.rpartition("=")
        if not sep or not stratum or not n.isdigit():
            raise click.BadParameter(f"{pair!r}: write STRATUM=N", param_hint="--size")
        sizes[stratum] = int(n)
    return sizes


@sample_cli.command("draw")
@click.argument("campaign_code")
@click.argument("frame", type=click.Path(exists=True, dir_okay=False))
@click.option("--method", type=click.Choice(METHODS), default="srs", show_default=True)
@click.option("--per-stratum", type=click.IntRange(min=0), default=0, help="Cases per stratum.")
@click.option("--size", "sizes", multiple=True, metavar="STRATUM=N", help="Cases in one stratum.")
@click.option("--reserve", type=click.IntRange(min=0), default=0, help="Reserve cases per stratum.")
@click.option("--seed", type=int, default=None, help="Seed of the draw (printed; default random).")
@click.option("--name", default="", help="Name of the list (default: the frame's file name).")
def sample_draw(campaign_code, frame, method, per_stratum, sizes, reserve, seed, name):
    """Draw a sample from FRAME (CSV) by stratum with METHOD (srs, systematic, pps)."""
    campaign = _campaign(campaign_code)
    seed = secrets.randbelow(10**9) if seed is None else seed
    wanted = _sizes(sizes)
    sample = _store(lambda: draw_sample(campaign, name or Path(frame).name, Path(frame).read_bytes(),
                                        method, wanted, per_stratum, reserve, seed, lambda unit: True))
    _summary(sample)
    click.echo(f"seed {seed}")


def init_app(app: Flask) -> None:
    app.cli.add_command(sample_cli)
