"""``flask --app wsgi report CAMPAIGN [--unit CODE] [--lang vi|en] -o FILE.pdf``."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from survey_app.refusals import Refused
from survey_app.storage import write_whole


@click.command("report")
@click.argument("campaign_code")
@click.option("--unit", "unit_code", help="Only this unit's rows and profile page.")
@click.option("--lang", "locale", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The PDF file to write.")
@with_appcontext
def report_command(campaign_code, unit_code, locale, output):
    """Write CAMPAIGN's survey report as a PDF."""
    from survey_app.cli_support import campaign_or_exit
    from survey_app.reports.render import write_pdf

    campaign = campaign_or_exit(campaign_code)
    started = time.perf_counter()
    try:
        path = write_pdf(campaign, output, locale, unit_code)
    except (LookupError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{path}: {path.stat().st_size:,} bytes in {time.perf_counter() - started:.1f} s")


def campaign_and_unit(campaign_code: str, unit_code: str | None):
    """The campaign and (optionally) the unit named on a command line, or a one-line refusal."""
    from survey_app.i18n import _
    from survey_app.cli_support import campaign_or_exit
    from survey_app.queries import unit_by_code
    campaign = campaign_or_exit(campaign_code)
    unit = unit_by_code(unit_code, campaign.year) if unit_code else None
    if unit_code and unit is None:
        raise click.ClickException(_("no unit has the code “%(code)s” in %(year)d", code=unit_code,
                                     year=campaign.year))
    return campaign, unit


def _write(output: str, make) -> None:
    try:
        content = make()
    except (LookupError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        write_whole(Path(output), content, prefix=".report-")
    except Refused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{output}: {len(content):,} bytes")


@click.command("letters")
@click.argument("campaign_code")
@click.option("--base-url", required=True, help="The public site's address printed on the letters.")
@click.option("--unit", "unit_code", help="Only this unit's invitations.")
@click.option("--lang", "locale", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def letters_command(campaign_code, base_url, unit_code, locale, output):
    """Write one invitation letter per unused invitation code of CAMPAIGN (PDF)."""
    from survey_app.reports.documents import letters_pdf
    campaign, unit = campaign_and_unit(campaign_code, unit_code)
    _write(output, lambda: letters_pdf(campaign, base_url, locale, unit))


@click.command("sheets")
@click.argument("campaign_code")
@click.option("--unit", "unit_code", help="Only this unit's cases.")
@click.option("--lang", "locale", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def sheets_command(campaign_code, unit_code, locale, output):
    """Write each enumerator's sheet of assigned cases for CAMPAIGN (PDF)."""
    from survey_app.reports.documents import sheets_pdf
    campaign, unit = campaign_and_unit(campaign_code, unit_code)
    _write(output, lambda: sheets_pdf(campaign, locale, unit))


def init_app(app: Flask) -> None:
    app.cli.add_command(report_command)
    app.cli.add_command(letters_command)
    app.cli.add_command(sheets_command)
