"""Operational commands: ``flask --app wsgi <command>``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role, User, UserRole

questionnaire_cli = AppGroup("questionnaire", help="Import and list questionnaires (XLSForm).")
framework_cli = AppGroup("framework", help="Load index frameworks from their data files.")
user_cli = AppGroup("user", help="Create accounts and give roles.")


@questionnaire_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--publish", is_flag=True, help="Publish the version at once (it becomes immutable).")
def questionnaire_import(files, publish):
    """Import XLSForm FILES (.xlsx, .xls, .csv, .md)."""
    from survey_app.questionnaire.importer import ImportRefused, import_form

    for name in files:
        try:
            version = import_form(name, Path(name).read_bytes(), publish=publish)
            db.session.commit()
        except ImportRefused as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        click.echo(f"{version.questionnaire.form_id} {version.version}: {version.status.value}")


@framework_cli.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def framework_load(files):
    """Load framework FILES (YAML, see questionnaires/README.md)."""
    from survey_app.frameworks import FrameworkError, load_framework

    for name in files:
        try:
            framework = load_framework(name)
            db.session.commit()
        except FrameworkError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        click.echo(f"{framework.code} {framework.version}: {len(framework.nodes)} nodes")


@user_cli.command("create")
@click.argument("username")
@click.option("--role", "role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--unit", "unit_code", help="Unit code the role is limited to (default: everywhere).")
@click.option("--name", "full_name", default="", help="Full name.")
@click.password_option()
def user_create(username, role, unit_code, full_name, password):
    """Create USERNAME with a role."""
    from survey_app.queries import unit_by_code

    if db.session.scalar(select(User).where(User.username == username)):
        raise click.ClickException(f"the username {username} is taken")
    unit = unit_by_code(unit_code) if unit_code else None
    if unit_code and unit is None:
        raise click.ClickException(f"no unit has the code {unit_code}")
    from survey_app.auth.passwords import password_problem

    problem = password_problem(password, username)
    if problem:
        raise click.ClickException(str(problem))
    user = User(username=username, full_name=full_name or username)
    user.set_password(password)
    user.roles.append(UserRole(role=Role(role), unit=unit))
    db.session.add(user)
    db.session.commit()
    click.echo(f"{username}: {role}" + (f" ({unit.name})" if unit else ""))


@user_cli.command("end-sessions")
@click.argument("username")
def user_end_sessions(username):
    """End every session of USERNAME on every device (its cookies and remember tokens stop working)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user is called {username}")
    user.end_sessions()
    db.session.commit()
    click.echo(f"{username}: every session ended")


@click.command("demo")
@with_appcontext
@click.option("--seed", default=2024, show_default=True, help="Seed of the synthetic answers.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
@click.option("--force", is_flag=True, help="Load the demo outside development (its accounts share one password).")
def demo_command(seed, if_empty, force):
    """Load the demo province, its campaign, users and synthetic submissions."""
    from flask import current_app

    if current_app.config["ENV"] not in ("development", "testing") and not force:
        raise click.ClickException("the demo loads only with PARINDEX_ENV=development: its accounts share "
                                   "one known password (give --force to load it anyway)")
    from survey_app.demo import (DemoError, database_is_empty, demo_invitation_codes, demo_logins,
                                 load_demo)

    if if_empty and not database_is_empty():
        click.echo("The database already has data; the demo is not loaded again.")
        logins = demo_logins()
    else:
        try:
            logins = load_demo(seed=seed, progress=click.progressbar)
        except DemoError as exc:
            raise click.ClickException(str(exc)) from None
    if logins:
        click.echo("Demo logins (username / password):")
        for role, username, password in logins:
            click.echo(f"  {role:<12} {username:<14} {password}")
    codes = demo_invitation_codes()
    if codes:
        click.echo("Citizen invitation codes (enter at /code): " + ", ".join(codes))


STEPS = ("table", "weights", "estimates", "store", "index")


@click.command("analyse")
@click.argument("campaign_code")
@with_appcontext
def analyse_command(campaign_code):
    """Weight and score CAMPAIGN's submissions; store the result as a numbered analysis run."""
    from survey_app.cli_support import campaign_or_exit
    from survey_app.survey_analysis.run import analyse

    campaign = campaign_or_exit(campaign_code)
    with click.progressbar(length=len(STEPS), label="Analysis") as bar:
        try:
            run = analyse(campaign, step=lambda label: bar.update(1))
        except (ValueError, LookupError) as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
    click.echo(f"Run {run.number} of {campaign.code}: {run.respondents} respondents, "
               f"{len(run.estimates)} estimates, input {run.input_fingerprint[:12]}")
    for rule, count in sorted(run.exclusions.items()) or [("none", 0)]:
        click.echo(f"  excluded, {rule}: {count}")
    summary = run.weighting["summary"]
    click.echo(f"  weights: Kish effect {summary['kish_weighting_effect']:.2f}, "
               f"effective n {summary['effective_sample_size']:.0f}, "
               f"collapsed margins {len(run.weighting['collapsed'])}")


def init_app(app: Flask) -> None:
    app.cli.add_command(analyse_command)
    app.cli.add_command(questionnaire_cli)
    app.cli.add_command(framework_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(demo_command)
    from survey_app.units_cli import units_cli
    app.cli.add_command(units_cli)
    from survey_app.population_cli import population_cli
    app.cli.add_command(population_cli)
    from survey_app import framework_versions  # noqa: F401  (framework diff)
    from survey_app.backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from survey_app.filestore_cli import files_cli
    app.cli.add_command(files_cli)
    from survey_app.index.cli import init_app as index_cli; index_cli(app)
    from survey_app.reports.cli import init_app as reports_cli; reports_cli(app)
    from survey_app.samples.cli import init_app as samples_cli; samples_cli(app)
    from survey_app.invitations.cli import init_app as invitations_cli; invitations_cli(app)
    from survey_app.campaigns.cli import init_app as campaigns_cli; campaigns_cli(app)
    from survey_app.plans import init_cli as plans_cli; plans_cli(app)
