"""``flask --app wsgi campaign publish CODE --decision "123/QĐ-UBND" --date YYYY-MM-DD --signer "…"``."""
from __future__ import annotations

import click

from survey_app.campaigns.cli import campaign_cli


@campaign_cli.command("publish")
@click.argument("campaign_code")
@click.option("--decision", "decision_number", required=True, help='The decision number, e.g. "123/QĐ-UBND".')
@click.option("--date", "decision_date", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="The decision's date (YYYY-MM-DD).")
@click.option("--signer", required=True, help="Who signed the decision.")
@click.option("--reason", help="Why a new version is published (required from version 2 on).")
def publish_command(campaign_code, decision_number, decision_date, signer, reason):
    """Freeze CAMPAIGN's index, report and appraisal state as its next numbered publication."""
    from survey_app.campaigns.publication import PublicationRefused, publish
    from survey_app.cli_support import campaign_or_exit

    campaign = campaign_or_exit(campaign_code)
    click.echo(f"{campaign.code}: computing the index and rendering the report…")
    try:
        found = publish(campaign, decision_number, decision_date.date(), signer, reason)
    except PublicationRefused as exc:
        raise click.ClickException(str(exc)) from None
    run = f"analysis run {found.run.number}" if found.run else "no analysis run"
    click.echo(f"{campaign.code}: version {found.version}, decision {found.decision_number} of "
               f"{found.decision_date.isoformat()} ({run}); {len(found.changes)} figures changed; "
               f"report sha256 {found.report_sha256}")
