"""``flask --app wsgi index compute CAMPAIGN``: the ranked index as a table or JSON."""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from survey_app.index.ranking import DRAWS, SEED

index_cli = AppGroup("index", help="Compute the PAR Index of a campaign.")


def _line(u) -> str:
    interval = f"[{u.ci_low:6.2f}, {u.ci_high:6.2f}]"
    ranks = f"{u.rank_low}-{u.rank_high}"
    pending = f"  pending survey {u.pending_survey_points:g}" if u.pending_survey_points else ""
    return (f"  {u.rank:>3} ({ranks:>7})  {u.code:<8} {u.name[:34]:<34} {u.total:6.2f} "
            f"± {u.se:4.2f} {interval} {u.percent:6.2f}%  {u.grade or '-'}{pending}")


@index_cli.command("compute")
@click.argument("campaign_code")
@click.option("--level", help="Only this level (department, district, commune…).")
@click.option("--draws", default=DRAWS, show_default=True, type=click.IntRange(100, 100000),
              help="Simulation draws for the intervals.")
@click.option("--seed", default=SEED, show_default=True, type=int, help="Seed of the simulation.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's shape) instead of a table.")
@click.option("--published", is_flag=True, help="The stored publication instead of computing now.")
def compute_command(campaign_code, level, draws, seed, as_json, published):
    """Points, percentage, rank with its 95% interval and class of every unit of CAMPAIGN."""
    from survey_app.index.export import campaign_json, publication_json
    from survey_app.cli_support import campaign_or_exit
    from survey_app.results import official

    campaign = campaign_or_exit(campaign_code)
    if published and official.current_publication(campaign) is None:
        raise click.ClickException(f"{campaign_code} has no publication: flask --app wsgi campaign publish")
    index = official.campaign_index(campaign, draft=not published, draws=draws, seed=seed)
    if level and level not in index.levels:
        raise click.ClickException(f"no unit of level {level}; levels: {', '.join(index.levels)}")
    if as_json:
        document = campaign_json(index, leaves=True)
        if published:
            document = {**index.publication.document, "publication": publication_json(index.publication)}
        document["units"] = [u for u in document["units"] if not level or u["level"] == level]
        click.echo(json.dumps(document, ensure_ascii=False, indent=1))
        return
    run = f"analysis run {index.run.number}" if index.run else "no analysis run"
    if index.publication is not None:
        run += f", publication version {index.publication.version} ({index.publication.decision_number})"
    click.echo(f"{campaign.code}: {run}; {index.draws} draws, seed {index.seed}; rank (95% interval), "
               f"total ± SE [95% interval], percent, class")
    for name in index.levels:
        if level and name != level:
            continue
        click.echo(f"{name}:")
        for unit in index.level(name):
            click.echo(_line(unit))


def init_app(app: Flask) -> None:
    app.cli.add_command(index_cli)
