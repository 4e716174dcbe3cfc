from flask import Blueprint

bp = Blueprint("public", __name__)

from survey_app.public import routes  # noqa: E402,F401
from survey_app.public import respond  # noqa: E402,F401
from survey_app.public import results  # noqa: E402,F401
