"""The page modules of the plans blueprint (each registers its routes on ``plans.bp``)."""
from survey_app.plans import dashboard_pages, progress_pages  # noqa: E402,F401  (h17b: progress, dashboard, documents)
