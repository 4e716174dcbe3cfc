from flask import Blueprint

bp = Blueprint("admin", __name__)

from survey_app.admin import routes  # noqa: E402,F401
from survey_app.admin import questionnaires  # noqa: E402,F401
from survey_app.admin import setup_pages  # noqa: E402,F401
from survey_app.admin import campaign_copy  # noqa: E402,F401
