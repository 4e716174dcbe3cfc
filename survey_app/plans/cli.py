"""``flask --app wsgi plan …``: the plan's year from the command line, with the same services as
the pages. A refusal prints its message and exits with code 1, nothing stored."""
from __future__ import annotations

import click

from survey_app.cli_support import import_or_exit
from survey_app.extensions import db
from survey_app.formatting import points
from survey_app.i18n import _
from survey_app.plans import plan_cli
from survey_app.plans.base import plan_by_code
from survey_app.plans.periods import DEFAULT_DUE_DAY
from survey_app.refusals import Refused


def _plan(code: str):
    found = plan_by_code(code)
    if found is None:
        raise click.ClickException(_("No plan %(code)s.", code=code))
    return found


def _run(service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except Refused as exc:  # PlanRefused and the periods' refusals alike
        db.session.rollback()
        raise click.ClickException(exc.message) from None


@plan_cli.command("create")
@click.argument("campaign")
@click.option("--code", required=True, help="The plan's code, e.g. KH-35-2025.")
@click.option("--year", type=int, help="The plan's year (default: the results' year + 1).")
@click.option("--number", help="The document number, e.g. 125/KH-UBND.")
@click.option("--date", "issued_on", help="The document date, YYYY-MM-DD.")
@click.option("--signer", help="Who signs the plan.")
@click.option("--periods", "kinds", multiple=True, type=click.Choice(["quarter", "half_year", "year"]),
              help="Reporting periods, repeatable (default: quarter and year).")
@click.option("--due-day", type=int, default=DEFAULT_DUE_DAY, show_default=True,
              help="Reports are due on this day of the month after each period.")
def create(campaign, code, year, number, issued_on, signer, kinds, due_day):
    """Create a draft plan from CAMPAIGN's published results, with its reporting periods."""
    from survey_app.plans.plans import DEFAULT_PERIODS, create_plan
    plan = _run(create_plan, campaign, code, year=year, number=number, issued_on=issued_on, signer=signer,
                period_kinds=kinds or DEFAULT_PERIODS, due_day=due_day)
    click.echo(_("Plan %(code)s created as a draft.", code=plan.code) + f" {plan.title}")
    click.echo(_("Reporting periods: %(periods)s.", periods=", ".join(p.label for p in plan.periods)))


@plan_cli.command("show")
@click.argument("code")
def show(code):
    """Print the plan's header, targets and tasks."""
    plan = _plan(code)
    click.echo(f"{plan.code} · {plan.title} · {plan.year} · {plan.status.value}")
    click.echo(f"{plan.issuing_body} · {plan.number or '—'} · {plan.issued_on or '—'} · {plan.signer or '—'}")
    for t in plan.targets:
        click.echo(f"  [{t.id}] {t.unit.code} {t.unit.name}: {t.kind.value} {t.subject} {t.value} "
                   f"({_('base')}: {t.baseline or '—'})")
    for t in plan.tasks:
        criteria = ", ".join(f"{c.node.code}: {points(c.points_at_stake)}" for c in t.criteria)
        partners = ", ".join(p.unit.code for p in t.partners) or "—"
        accepted = _("accepted") if t.accepted_at else _("not accepted")
        click.echo(f"  {t.number}. {t.title} | {t.lead_unit.code} {t.lead_unit.name} | {partners} | {t.deadline} | "
                   f"{points(t.expected_points)} | {criteria} | {accepted}")


@plan_cli.command("target")
@click.argument("code")
@click.argument("unit")
@click.argument("kind")
@click.argument("value")
@click.option("--subject", default="", help="A field's code or a survey variable, when KIND needs one.")
@click.option("--national", default=None, help="The national index: par_index, sipas, papi, pci.")
def target(code, unit, kind, value, subject, national):
    """Add a target of KIND (index_percent, grade, rank, places_gained, field_percent, survey_indicator,
    national_score, national_rank, national_group) for UNIT."""
    from survey_app.plans.targets import add_target
    found = _run(add_target, _plan(code), unit, kind, value, subject, national)
    click.echo(_("Target added.") + f" {found.unit.code}: {found.kind.value} {found.value} "
               f"({_('base')}: {found.baseline or '—'})")


@plan_cli.command("draft-tasks")
@click.argument("code")
@click.option("--mode", type=click.Choice(["lowest", "all", "chosen"]), default="lowest")
@click.option("--unit", "units", multiple=True, help="A unit's code (with --mode chosen); repeat for more.")
@click.option("--per-level", default=3, help="How many of the lowest ranked per level.")
@click.option("--per-unit", default=5, help="Sub-criteria per unit.")
@click.option("--lead", default=None, help="The lead unit of every drafted task (default: the unit itself).")
def draft(code, mode, units, per_level, per_unit, lead):
    """Draft tasks from the planner's losses."""
    from survey_app.plans.tasks import draft_tasks
    made = _run(draft_tasks, _plan(code), mode, list(units), per_level, per_unit, lead)
    click.echo(_("%(count)s draft tasks added from the planner.", count=len(made)))
    for t in made:
        click.echo(f"  {t.number}. {t.title} ({points(t.expected_points)})")


@plan_cli.command("task")
@click.argument("code")
@click.argument("number", type=int, required=False)
@click.option("--title")
@click.option("--lead", help="The lead unit's code.")
@click.option("--criteria", help="Sub-criteria codes, separated by spaces.")
@click.option("--partners", help="Cooperating units' codes, separated by spaces.")
@click.option("--deadline", help="YYYY-MM-DD.")
@click.option("--expected", help="Expected points.")
@click.option("--national", help="par_index, sipas, papi, pci.")
@click.option("--component", help="The national index's component.")
@click.option("--delete", is_flag=True, help="Delete task NUMBER.")
def task(code, number, title, lead, criteria, partners, deadline, expected, national, component, delete):
    """Add a task (no NUMBER) or change task NUMBER (options not given keep their value)."""
    from survey_app.plans.tasks import delete_task, save_task
    plan = _plan(code)
    found = next((t for t in plan.tasks if t.number == number), None) if number else None
    if number and found is None:
        raise click.ClickException(_("The plan has no task %(number)s.", number=number))
    if delete:
        if found is None:
            raise click.ClickException(_("Name the task to delete by its number."))
        _run(delete_task, plan, found)
        click.echo(_("Task %(number)s deleted.", number=number))
        return
    values = {"title": found.title, "description": found.description, "lead_unit": found.lead_unit.code,
              "criteria": " ".join(c.node.code for c in found.criteria),
              "partners": " ".join(p.unit.code for p in found.partners), "deadline": found.deadline,
              "expected_points": found.expected_points,
              "national_index": found.national_index.value if found.national_index else None,
              "national_component": found.national_component} if found else {}
    given = {"title": title, "lead_unit": lead, "criteria": criteria, "partners": partners, "deadline": deadline,
             "expected_points": expected, "national_index": national, "national_component": component}
    values.update({k: v for k, v in given.items() if v is not None})
    saved = _run(save_task, plan, found, values)
    click.echo(_("Task %(number)s saved.", number=saved.number) + f" {saved.title} · {saved.lead_unit.name}")


@plan_cli.command("issue")
@click.argument("code")
def issue(code):
    """Issue a draft plan: units see their tasks."""
    from survey_app.plans.plans import issue_plan
    _run(issue_plan, _plan(code))
    click.echo(_("The plan is issued: units see their tasks."))


@plan_cli.command("close")
@click.argument("code")
def close(code):
    """Close an issued plan: nothing in it changes any more."""
    from survey_app.plans.plans import close_plan
    _run(close_plan, _plan(code))
    click.echo(_("The plan is closed: nothing in it changes any more."))


@plan_cli.command("followup")
@click.argument("code")
def followup(code):
    """Compare each target and each task's sub-criteria with the next year's results."""
    from survey_app.plans.followup import follow_up
    from survey_app.plans.pages import plan_label, target_value
    found = follow_up(_plan(code))
    if found is None:
        raise click.ClickException(_("No results of the plan's year yet."))
    click.echo(found.campaign.code + (" · " + _("Provisional") if found.provisional else ""))
    for c in found.targets:
        actual = "—" if c.actual is None else points(c.actual) if isinstance(c.actual, float) else c.actual
        into = c.followed.result.code if c.followed.result is not None else "—"
        click.echo(f"  {c.target.unit.code} → {into}: {c.target.kind.value} {target_value(c.target)} | {actual} | "
                   f"{plan_label(c.status)}")
    for c in found.tasks:
        click.echo(f"  {c.task.number}. {points(c.gained)} / {points(c.task.expected_points)} | {plan_label(c.status)}")


@plan_cli.command("national-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def national_import(file):
    """Import national index results from FILE (CSV: index, year, province, score, rank, group)."""
    from survey_app.plans.national import import_results
    result = import_or_exit(import_results, file)
    click.echo(_("%(created)s results created, %(updated)s updated, %(unchanged)s unchanged.",
                 created=result.created, updated=result.updated, unchanged=result.unchanged))
