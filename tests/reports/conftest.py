"""Report fixtures: a stored analysis run of the demo, and one submission whose free-text
answer is hostile markup (removed again after each module's tests: a folder without
``__init__`` has no package scope, and the shared demo's counts must not keep it). The submission is a sampled
interview with sex and age group, so the exclusion service lets the report quote it."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Channel, SampleCase, Submission
from survey_app.queries import campaign_by_code, campaign_units
from survey_app.survey_analysis.run import analyse

HOSTILE = "<script>alert('góp ý')</script><b>Cán bộ tận tình</b> & nhanh"


@pytest.fixture(scope="package")
def demo_run(demo_app):
    """One stored analysis run of HNM-2024 (adding a run is acceptable on the shared demo)."""
    with demo_app.app_context():
        return analyse(campaign_by_code("HNM-2024")).id


@pytest.fixture(scope="module")
def hostile_unit(demo_app, demo_run):
    """The first assessed unit's code, with a submission whose ``suggestion`` is markup."""
    with demo_app.app_context():
        campaign = campaign_by_code("HNM-2024")
        unit = campaign_units(campaign)[0].unit
        version = next(link.questionnaire_version for link in campaign.questionnaires
                       if link.questionnaire_version.questionnaire.form_id == "sipas_citizen")
        case = db.session.scalar(select(SampleCase).where(SampleCase.unit_id == unit.id,
                                                          SampleCase.selection_probability.is_not(None)).limit(1))
        db.session.info["skip_audit"] = True
        submission = Submission(instance_uuid=str(uuid.uuid4()), questionnaire_id=version.questionnaire_id,
                                questionnaire_version_id=version.id, campaign_id=campaign.id, unit_id=unit.id,
                                channel=Channel.WEB_LINK, case_id=case.id,
                                answers={"suggestion": HOSTILE, "sex": "1", "age_group": "30_44"})
        db.session.add(submission)
        db.session.commit()
        db.session.info.pop("skip_audit", None)
        submission_id, code = submission.id, unit.code
    yield code
    with demo_app.app_context():
        db.session.delete(db.session.scalar(select(Submission).where(Submission.id == submission_id)))
        db.session.commit()
