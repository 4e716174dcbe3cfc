"""``flask --app wsgi campaign create | status | advance | extend | reopen | council``."""
from __future__ import annotations

from datetime import date

import click

from survey_app.campaigns import changes, council, lifecycle
from survey_app.campaigns.cli import campaign_cli
from survey_app.cli_support import campaign_or_exit
from survey_app.campaigns.creation import CampaignRefused, CampaignSpec, create_campaign, parse_sampling_plan
from survey_app.extensions import db
from survey_app.formatting import status_label
from survey_app.units.labels import round_label
from survey_app.i18n import _

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value) -> date | None:
    return value.date() if value else None


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _refused(exc: CampaignRefused):
    db.session.rollback()
    raise click.ClickException("\n".join([_("Refused") + ":"] + [f"  - {p}" for p in exc.problems])) from None


def _campaign(code: str):
    return campaign_or_exit(code)


@campaign_cli.command("create")
@click.argument("code")
@click.option("--title", required=True)
@click.option("--year", type=int, required=True)
@click.option("--province", "province_code", required=True, help="The province's unit code.")
@click.option("--framework", required=True, help="CODE or CODE:VERSION of a loaded framework.")
@click.option("--levels", required=True, help="Levels assessed, e.g. department,commune.")
@click.option("--units", "unit_codes", help="Unit codes in scope (default: every unit of the levels).")
@click.option("--questionnaire", "questionnaires", multiple=True, help="AUDIENCE=FORM_ID, e.g. citizens=sipas_citizen.")
@click.option("--self-assessment-deadline", type=DATE)
@click.option("--round-deadline", "round_deadlines", type=DATE, multiple=True, help="Once per appraisal round.")
@click.option("--fieldwork-start", type=DATE)
@click.option("--fieldwork-end", type=DATE)
@click.option("--sampling-plan", help="A JSON object, or @FILE.json.")
def create(code, title, year, province_code, framework, levels, unit_codes, questionnaires,
           self_assessment_deadline, round_deadlines, fieldwork_start, fieldwork_end, sampling_plan):
    """Create campaign CODE in draft; every problem is listed and nothing stored when refused."""
    if sampling_plan and sampling_plan.startswith("@"):
        with open(sampling_plan[1:], encoding="utf-8") as handle:
            sampling_plan = handle.read()
    try:
        plan = parse_sampling_plan(sampling_plan)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    pairs = [q.partition("=") for q in questionnaires]
    if any(not sep for _a, sep, _f in pairs):
        raise click.ClickException("--questionnaire is AUDIENCE=FORM_ID")
    spec = CampaignSpec(code=code, title=title, year=year, province_code=province_code, framework=framework,
                        levels=_split(levels), unit_codes=_split(unit_codes),
                        questionnaires={a.strip(): f.strip() for a, _s, f in pairs},
                        self_assessment_deadline=_day(self_assessment_deadline),
                        round_deadlines=[_day(d) for d in round_deadlines], fieldwork_start=_day(fieldwork_start),
                        fieldwork_end=_day(fieldwork_end), sampling_plan=plan)
    try:
        campaign = create_campaign(spec)
    except CampaignRefused as exc:
        _refused(exc)
    click.echo(f"{campaign.code}: {len(campaign.units)} units, framework {campaign.framework.code} "
               f"{campaign.framework.version}, status {status_label(campaign.status)}")


def _echo_items(title: str, items, limit: int = 20) -> None:
    if not items:
        return
    click.echo(title)
    for item in items[:limit]:
        click.echo(f"  - {item.text}")
        if item.children:
            click.echo("      " + ", ".join(child.text.split(" ", 1)[0] for child in item.children))
    if len(items) > limit:
        click.echo("  " + _("… %(count)s more", count=len(items) - limit))


@campaign_cli.command("status")
@click.argument("code")
def status(code):
    """Print the campaign's state and what is done and not done."""
    found = lifecycle.report(_campaign(code))
    click.echo(f"{found.campaign.code} ({found.campaign.year}): {status_label(found.campaign.status)}")
    rows = [(_("Self-assessments submitted"), f"{found.submitted}/{found.units}")]
    rows += [(_("Appraisal round %(number)s", number=round_.number),
              f"{round_label(round_.status.value)} · {_('%(count)s decisions', count=decided)}")
             for round_, decided in found.rounds]
    rows += [(_("Sub-criteria undecided"), found.undecided),
             (_("Appraisal council"), _("%(members)s members, %(assigned)s of %(units)s units assigned, "
                                        "%(signed)s signed off", members=found.members, assigned=found.assigned,
                                        units=found.units, signed=found.signed_off)),
             (_("Fieldwork"), _("%(received)s interviews received, %(counted)s counted in the analysis "
                                "(target %(target)s)", received=found.interviews.total_received,
                                counted=found.interviews.total_counted, target=found.target)),
             (_("Analysis runs"), found.runs)]
    for label, value in rows:
        click.echo(f"{label}: {value}")
    _describe(found.transition)


def _describe(step: lifecycle.Transition) -> None:
    if step.target is not None:
        click.echo(f"{_('Next step')}: {status_label(step.source)} → {status_label(step.target)}")
    _echo_items(_("It will lock") + ":", [lifecycle.Item(text) for text in step.locks])
    _echo_items(_("Not done yet") + ":", step.not_done)
    _echo_items(_("This step is refused until:"), step.blockers)


@campaign_cli.command("advance")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Take the step without asking.")
@click.option("--reason", default="", help="Why, kept with the change.")
def advance(code, yes, reason):
    """Take the campaign's next step, after saying what it locks and what is not done."""
    campaign = _campaign(code)
    step = lifecycle.transition(campaign)
    _describe(step)
    if not step.allowed:
        raise click.ClickException("the step is refused")
    if not yes:
        click.confirm("Take this step?", abort=True)
    try:
        new = lifecycle.advance(campaign, step.source, reason)
    except CampaignRefused as exc:
        _refused(exc)
    click.echo(f"{campaign.code}: {status_label(new)}")


@campaign_cli.command("extend")
@click.argument("code")
@click.argument("deadline", type=click.Choice(sorted(changes.DEADLINES)))
@click.option("--to", "new", type=DATE, required=True)
@click.option("--reason", required=True)
def extend(code, deadline, new, reason):
    """Extend a DEADLINE (self_assessment, round:1, round:2, fieldwork), with a reason."""
    try:
        change = changes.extend_deadline(_campaign(code), deadline, _day(new), reason)
    except CampaignRefused as exc:
        _refused(exc)
    click.echo(f"{code}: {deadline} {change.before or '—'} → {change.after}")


@campaign_cli.command("reopen")
@click.argument("code")
@click.argument("unit_code")
@click.option("--until", type=DATE, required=True)
@click.option("--reason", required=True)
def reopen(code, unit_code, until, reason):
    """Reopen one unit's self-assessment until a date, with a reason."""
    try:
        changes.reopen(_campaign(code), unit_code, _day(until), reason)
    except CampaignRefused as exc:
        _refused(exc)
    click.echo(f"{code}: {unit_code} reopened until {_day(until).isoformat()}")


@campaign_cli.command("council")
@click.argument("code")
@click.argument("username")
@click.option("--units", "unit_codes", help="Units this member appraises, e.g. 35.S02,347.")
def council_member(code, username, unit_codes):
    """Add USERNAME (an appraiser) to the campaign's council, and give them units."""
    campaign = _campaign(code)
    try:
        council.add_member(campaign, username)
        count = council.assign(campaign, username, _split(unit_codes)) if unit_codes else 0
    except CampaignRefused as exc:
        _refused(exc)
    click.echo(f"{code}: {username} is on the council, {count} units assigned")
