"""Improvement plans (*Kế hoạch cải thiện Chỉ số CCHC*): targets, tasks from the planner,
progress reports per period, the plan's documents and the follow-up against next year's results.

Pages live under ``/plans`` (blueprint ``plans``); commands under ``flask --app wsgi plan …``
(:data:`plan_cli`). Each page module registers its routes on :data:`bp`; each command module adds
its commands to :data:`plan_cli`.
"""
from flask import Blueprint
from flask.cli import AppGroup

bp = Blueprint("plans", __name__)
plan_cli = AppGroup("plan", help="Improvement plans: targets, tasks, progress, documents, follow-up.")


def init_cli(app) -> None:
    from survey_app.plans import cli_modules  # noqa: F401  (adds the commands)
    app.cli.add_command(plan_cli)


from survey_app.plans import page_modules  # noqa: E402,F401
