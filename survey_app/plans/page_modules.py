"""The page modules of the plans blueprint (each registers its routes on ``plans.bp``)."""
from survey_app.plans import (dashboard_pages, national_pages, pages, progress_pages,  # noqa: F401
                              report_section, task_pages, unit_pages)
