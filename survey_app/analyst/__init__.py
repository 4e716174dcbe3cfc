from flask import Blueprint

bp = Blueprint("analyst", __name__)

from survey_app.analyst import routes  # noqa: E402,F401
