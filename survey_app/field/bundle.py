"""What the offline collector downloads: the enumerator's cases, their questionnaires and the
interviews sent back for correction — everything needed to work for hours without signal."""
from __future__ import annotations

from sqlalchemy import case as sql_case, select

from survey_app.extensions import db
from survey_app.field import files
from survey_app.questionnaire.types import browser_definition
from survey_app.models import (Assignment, CampaignQuestionnaire, QuestionnaireVersion, ReviewState,
                               SampleCase, Submission, User)

#: Definition keys the collector renders from (pyxform's raw JSON stays on the server).
DEFINITION_KEYS = ("form_id", "version", "title", "default_language", "languages", "questions", "pages")


def campaign_questionnaire_id(campaign_id):
    """The campaign's default form as a scalar SQL expression: its citizens' questionnaire,
    else its first (``campaign_id`` may be a column, to correlate with an outer query)."""
    citizens_first = sql_case((CampaignQuestionnaire.audience == "citizens", 0), else_=1)
    return (select(CampaignQuestionnaire.questionnaire_version_id)
            .where(CampaignQuestionnaire.campaign_id == campaign_id)
            .order_by(citizens_first, CampaignQuestionnaire.id).limit(1).scalar_subquery())


def case_questionnaire(case: SampleCase) -> QuestionnaireVersion | None:
    """The form a case is interviewed with: the sample's own choice, else the campaign's
    citizens' questionnaire, else its first."""
    chosen = (case.sample_list.parameters or {}).get("questionnaire_version_id")
    if not chosen:
        chosen = db.session.scalar(select(campaign_questionnaire_id(case.sample_list.campaign_id)))
    return db.session.get(QuestionnaireVersion, chosen) if chosen else None


def _case_json(case: SampleCase, version: QuestionnaireVersion | None) -> dict:
    return {"id": case.id, "label": case.label, "address": case.address or "",
            "unit": {"code": case.unit.code, "name": case.unit.name}, "stratum": case.stratum,
            "cluster": case.cluster, "status": case.status.value,
            "questionnaire_version_id": version.id if version else None}


def _correction_json(submission: Submission) -> dict:
    """A rejected interview to correct: the household it is about (by name and address, never
    a UUID) and the first question a supervisor commented on, where the correction opens."""
    case = submission.case
    commented = [c.question for c in submission.comments if c.question]
    return {"instance_uuid": submission.instance_uuid, "case_id": submission.case_id,
            "questionnaire_version_id": submission.questionnaire_version_id,
            "answers": submission.answers, "label": case.label if case else "",
            "address": (case.address or "") if case else "", "first_question": commented[0] if commented else None,
            "comments": [c.body for c in submission.comments]}


def bundle(user: User) -> dict:
    """The enumerator's working set, as JSON-ready data."""
    cases = list(db.session.scalars(
        select(SampleCase).join(Assignment).where(Assignment.enumerator_id == user.id)
        .order_by(SampleCase.id)))
    versions: dict[int, QuestionnaireVersion] = {}
    rows = []
    for case in cases:
        version = case_questionnaire(case)
        if version is not None:
            versions[version.id] = version
        rows.append(_case_json(case, version))
    rejected = list(db.session.scalars(select(Submission).where(
        Submission.enumerator_id == user.id, Submission.review_state == ReviewState.REJECTED)))
    return {"enumerator": {"id": user.id, "username": user.username, "full_name": user.full_name},
            "cases": rows,
            "questionnaires": [{"id": v.id, "definition": browser_definition(v.definition, DEFINITION_KEYS)}
                               for v in versions.values()],
            "corrections": [_correction_json(s) for s in rejected],
            "answer_files": files.settings()}
