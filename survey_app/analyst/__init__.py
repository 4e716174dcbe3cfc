from flask import Blueprint

bp = Blueprint("analyst", __name__)

from survey_app.analyst import routes  # noqa: E402,F401
from survey_app.analyst import index_pages  # noqa: E402,F401
from survey_app.analyst import reports_pages  # noqa: E402,F401
from survey_app.analyst import invitation_pages  # noqa: E402,F401
from survey_app.analyst import publication_pages  # noqa: E402,F401
