from flask import Blueprint

bp = Blueprint("field", __name__)

from survey_app.field import collector, conflict_pages, routes, samples, supervision  # noqa: E402,F401
from survey_app.field import backchecks, quality_pages, sample_pages, sample_upload  # noqa: E402,F401
from survey_app.field import letter_pages  # noqa: E402,F401
