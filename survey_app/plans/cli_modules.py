"""The command modules of ``flask plan`` (each adds its commands to ``plans.plan_cli``)."""
from survey_app.plans import cli, progress_cli  # noqa: F401
