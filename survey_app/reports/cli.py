"""``flask --app wsgi report CAMPAIGN [--unit CODE] [--lang vi|en] -o FILE.pdf``."""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("report")
@click.argument("campaign_code")
@click.option("--unit", "unit_code", help="Only this unit's rows and profile page.")
@click.option("--lang", "locale", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The PDF file to write.")
@with_appcontext
def report_command(campaign_code, unit_code, locale, output):
    """Write CAMPAIGN's survey report as a PDF."""
    from survey_app.queries import campaign_by_code
    from survey_app.reports.render import write_pdf

    campaign = campaign_by_code(campaign_code)
    if campaign is None:
        raise click.ClickException(f"no campaign has the code {campaign_code}")
    started = time.perf_counter()
    try:
        path = write_pdf(campaign, output, locale, unit_code)
    except (LookupError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{path}: {path.stat().st_size:,} bytes in {time.perf_counter() - started:.1f} s")


def init_app(app: Flask) -> None:
    app.cli.add_command(report_command)
