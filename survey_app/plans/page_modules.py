"""The page modules of the plans blueprint (each registers its routes on ``plans.bp``)."""
from survey_app.plans import national_pages, pages, task_pages, unit_pages  # noqa: F401
