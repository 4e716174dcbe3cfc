from flask import Blueprint

bp = Blueprint("api", __name__)

from survey_app.api import routes  # noqa: E402,F401
