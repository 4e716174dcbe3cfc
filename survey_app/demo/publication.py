"""The demo's 2024 campaign ends the year published: analysed, then frozen under a decision of
the Provincial People's Committee (*quyết định công bố*), as a province's real year does.

The demo's publication keeps no report PDF: rendering the 54 units' report takes a minute,
which the demo loader should not. ``flask --app wsgi campaign publish`` (and the analysts'
page) always render it and keep its SHA-256.
"""
from __future__ import annotations

from datetime import date

DECISION_NUMBER = "512/QĐ-UBND"
DECISION_DATE = date(2025, 3, 28)
SIGNER = "Chủ tịch UBND tỉnh Hà Nam"


def publish_demo(campaign) -> bool:
    """Analyse the campaign's survey and publish its results as version 1.

    With another seed than the shipped one the raking may not converge on some unit's draw; the
    demo is then left unpublished, in appraisal (False), rather than not loaded at all.
    """
    from flask import current_app

    from analysis.errors import SurveyError
    from survey_app.campaigns.publication import publish
    from survey_app.extensions import db
    from survey_app.survey_analysis.run import analyse
    try:
        analyse(campaign)
    except SurveyError as exc:
        db.session.rollback()
        current_app.logger.warning("demo left unpublished: the analysis failed (%s)", exc)
        return False
    publish(campaign, DECISION_NUMBER, DECISION_DATE, SIGNER, render_report=False)
    return True
