from flask import Blueprint

bp = Blueprint("units", __name__)

from survey_app.units import labels, results, rounds, routes, scores  # noqa: E402,F401
