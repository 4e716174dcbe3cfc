"""The report quotes, and the analysts' counts show, only interviews the analysis counts: the
exclusion service decides all three."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Channel, ReviewState, SampleCase, Submission
from survey_app.queries import campaign_by_code, campaign_units
from survey_app.reports.profiles import suggestions
from survey_app.survey_analysis import exclusions
from survey_app.survey_analysis.table import build_table

REJECTED = "Trích dẫn từ một phiếu đã bị loại"


def test_a_rejected_interview_is_neither_analysed_nor_quoted(demo_app, hostile_unit):
    with demo_app.app_context():
        campaign = campaign_by_code("HNM-2024")
        unit = next(cu.unit for cu in campaign_units(campaign) if cu.unit.code == hostile_unit)
        case = db.session.scalar(select(SampleCase).where(SampleCase.unit_id == unit.id,
                                                          SampleCase.selection_probability.is_not(None)).limit(1))
        version = next(link.questionnaire_version for link in campaign.questionnaires
                       if link.questionnaire_version.questionnaire.form_id == "sipas_citizen")
        db.session.info["skip_audit"] = True
        rejected = Submission(instance_uuid=str(uuid.uuid4()), questionnaire_id=version.questionnaire_id,
                              questionnaire_version_id=version.id, campaign_id=campaign.id, unit_id=unit.id,
                              channel=Channel.WEB_LINK, case_id=case.id, review_state=ReviewState.REJECTED,
                              answers={"suggestion": REJECTED, "sex": "2", "age_group": "18_29"})
        db.session.add(rejected)
        db.session.commit()
        try:
            quotes = suggestions(campaign, unit.id)
            table = build_table(campaign, "sipas_citizen")
            assert REJECTED not in quotes and any("góp ý" in q for q in quotes)
            assert rejected.instance_uuid not in set(table.data["instance_uuid"])
            counted = exclusions.interview_counts(campaign, "sipas_citizen").counted
            assert counted[unit.id] == int((table.data["unit_code"] == unit.code).sum())
            assert sum(counted.values()) == len(table.data)
            assert exclusions.exclusion(exclusions.candidate(rejected), exclusions.context(campaign)) \
                == "rejected_in_review"
        finally:
            db.session.delete(rejected)
            db.session.commit()
            db.session.info.pop("skip_audit", None)
