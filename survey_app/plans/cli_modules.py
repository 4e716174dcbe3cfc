"""The command modules of ``flask plan`` (each adds its commands to ``plans.plan_cli``)."""
from survey_app.plans import progress_cli  # noqa: E402,F401  (h17b: periods, reports, dashboard, documents)
