"""``flask --app wsgi plan periods|close-period|report|dashboard|document``: the reporting periods,
a lead unit's progress report, the Department's dashboard and the plan's documents, from the shell.
Refusals are printed as their Vietnamese message and exit with status 1."""
from __future__ import annotations

from functools import wraps
from pathlib import Path

import click
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.formatting import short_date
from survey_app.i18n import _
from survey_app.models import User
from survey_app.plans import dashboard, documents, periods, plan_cli, progress
from survey_app.refusals import Refused


def refusals_as_messages(command):
    @wraps(command)
    def wrapped(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except Refused as exc:
            db.session.rollback()
            raise click.ClickException(exc.message)
    return wrapped


def _user(username: str) -> User:
    found = db.session.scalar(select(User).where(User.username == username))
    if found is None:
        raise Refused(404, message=_("No user is called %(name)s.", name=username))
    return found


@plan_cli.command("periods")
@click.argument("code")
@click.option("--create", "kinds", default=None, help="quarter,half_year,year: add these periods.")
@click.option("--due-day", default=periods.DEFAULT_DUE_DAY, show_default=True, type=int)
@refusals_as_messages
def periods_command(code, kinds, due_day):
    """List the plan's reporting periods (or add the default ones)."""
    plan = progress.existing_plan(code)
    if kinds:
        added = periods.create_periods(plan, periods.parse_kinds(kinds.split(",")), due_day)
        click.echo(_("%(count)s reporting periods were added.", count=len(added)))
    for p in plan.periods:
        state = _("closed") if p.closed_at else _("open")
        click.echo(f"{p.label}\t{short_date(p.starts_on)} – {short_date(p.ends_on)}\t"
                   f"{_('due')} {short_date(p.due_on)}\t{state}")


@plan_cli.command("close-period")
@click.argument("code")
@click.argument("label")
@refusals_as_messages
def close_period_command(code, label):
    """Close a period: its reports and evidence can no longer change."""
    period = periods.period_of(progress.existing_plan(code), label=label)
    periods.close_period(period)
    click.echo(_("The period was closed: its reports can no longer change."))


@plan_cli.command("report")
@click.argument("code")
@click.option("--period", "label", required=True, help="The period's name, e.g. 'Quý I năm 2025'.")
@click.option("--task", "number", required=True, type=int)
@click.option("--user", "username", required=True, help="A unit editor of the task's lead unit.")
@click.option("--status", required=True, type=click.Choice([s.value for s in progress.TaskProgress]))
@click.option("--account", default="")
@click.option("--file", "paths", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@refusals_as_messages
def report_command(code, label, number, username, status, account, paths):
    """Report a task's progress for a period as its lead unit."""
    user = _user(username)
    plan = progress.plan_for(code, user)
    task = progress.task_for(plan, number, user)
    files = [(p.name, p.read_bytes()) for p in paths]
    progress.submit(task, periods.period_of(plan, label=label), user, progress.parse_status(status), account, files)
    click.echo(_("The progress report was saved."))


@plan_cli.command("dashboard")
@click.argument("code")
@click.option("--period", "label", default=None)
@refusals_as_messages
def dashboard_command(code, label):
    """Print the dashboard of a period: per lead unit and per field."""
    plan = progress.existing_plan(code)
    period = periods.period_of(plan, label=label) if label else periods.current_period(plan)
    if period is None:
        raise Refused(404, message=_("The plan has no reporting period yet."))
    found, labels = dashboard.dashboard(plan, period), dashboard.column_labels()
    click.echo(f"{period.label} · {_('Reports due by %(date)s', date=short_date(period.due_on))}")
    click.echo("\t".join([_("Task")] + [labels[c] for c in dashboard.COLUMNS] + [_("All")]))
    for tally in [found["all"]] + found["units"] + found["fields"]:
        click.echo("\t".join([tally.label] + [str(tally.counts[c]) for c in dashboard.COLUMNS] + [str(tally.total)]))


@plan_cli.command("document")
@click.argument("code")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--period", "label", default=None, help="A period's progress report instead of the plan.")
@click.option("--lang", default="vi", type=click.Choice(["vi", "en"]))
@refusals_as_messages
def document_command(code, target, label, lang):
    """Write the plan (or a period's progress report) to TARGET: .pdf or .docx."""
    plan = progress.existing_plan(code)
    period = periods.period_of(plan, label=label) if label else None
    fmt = target.suffix.lstrip(".").lower()
    documents.write(plan, fmt, target, period, lang)
    click.echo(_("Written: %(path)s", path=str(target)))
