"""``flask --app wsgi invitations generate|issue|export``: batches of codes, one code per
sampled case (mixed mode), and their CSV."""
from __future__ import annotations

import os
import sys
from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from survey_app.reports.cli import campaign_and_unit

invitations_cli = AppGroup("invitations", help="Invitation codes for the citizens' questionnaire.")


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter("write the date as YYYY-MM-DD, e.g. 2024-09-15") from None


@invitations_cli.command("generate")
@click.argument("campaign_code")
@click.option("--unit", "unit_code", required=True, help="The unit whose services the codes assess.")
@click.option("--count", required=True, type=int, help="How many codes (1 to 20000).")
@click.option("--expires", callback=_date, help="Last day the codes work (YYYY-MM-DD); "
              "default: the campaign's last day of fieldwork.")
@with_appcontext
def generate_command(campaign_code, unit_code, count, expires):
    """Make COUNT new single-use codes for CAMPAIGN and a unit."""
    from survey_app.invitations.codes import BatchRequest, InvitationRefused, generate
    campaign, unit = campaign_and_unit(campaign_code, unit_code)
    request = BatchRequest(campaign, unit, count, expires)
    try:
        with click.progressbar(length=count, label="codes", show_pos=True,
                               hidden=count < 2000, file=sys.stderr) as bar:
            codes = generate(request, bar.update)
    except InvitationRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"{len(codes)} codes for {unit.code} {unit.name} in {campaign.code}")


@invitations_cli.command("issue")
@click.argument("campaign_code")
@click.option("--unit", "unit_code", help="Only this unit's (and its sub-units') sampled cases.")
@with_appcontext
def issue_command(campaign_code, unit_code):
    """One code per open sampled case of CAMPAIGN that has none yet: the household's letter."""
    from survey_app.invitations.cases import cases_without_letter, issue_for_cases
    from survey_app.invitations.codes import InvitationRefused
    campaign, unit = campaign_and_unit(campaign_code, unit_code)
    waiting = len(cases_without_letter(campaign, unit))
    try:
        with click.progressbar(length=waiting, label="letters", show_pos=True,
                               hidden=waiting < 2000, file=sys.stderr) as bar:
            issued = issue_for_cases(campaign, unit, progress=bar.update)
    except InvitationRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"{issued} codes for sampled cases in {campaign.code}"
               + (f" ({unit.code} {unit.name})" if unit else ""))


@invitations_cli.command("export")
@click.argument("campaign_code")
@click.option("--unit", "unit_code", help="Only this unit's codes.")
@click.option("--base-url", default=lambda: os.environ.get("PUBLIC_BASE_URL"),
              help="The public site's address for the links (default: $PUBLIC_BASE_URL).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(campaign_code, unit_code, base_url, output):
    """Write CAMPAIGN's codes as CSV (UTF-8 with BOM, for Excel)."""
    from survey_app.invitations.export import csv_text
    campaign, unit = campaign_and_unit(campaign_code, unit_code)
    base = (base_url or "").rstrip("/")
    if not base:
        click.echo("no --base-url (or PUBLIC_BASE_URL): the links are written as paths, /q/CODE", err=True)
    text = csv_text(campaign, lambda code: f"{base}/q/{code}", unit)
    with open(output, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    click.echo(f"{output}: {text.count(chr(10)) - 1} codes")


def init_app(app: Flask) -> None:
    app.cli.add_command(invitations_cli)
