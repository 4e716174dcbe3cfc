from flask import Blueprint

bp = Blueprint("api", __name__)

from survey_app.api import routes  # noqa: E402,F401
from survey_app.api import sync  # noqa: E402,F401
from survey_app.api import index  # noqa: E402,F401
from survey_app.api import plan_progress  # noqa: E402,F401
from survey_app.api import plans  # noqa: E402,F401
