"""What the offline collector downloads: the enumerator's cases, their questionnaires and the
interviews sent back for correction — everything needed to work for hours without signal."""
from __future__ import annotations

from sqlalchemy import case as sql_case, select

from survey_app.extensions import db
from survey_app.field import files
from survey_app.questionnaire.types import browser_definition
from survey_app.models import (Assignment, Campaign, CampaignQuestionnaire, QuestionnaireVersion, ReviewState,
                               SampleCase, SampleList, Submission, User)

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


def _case_json(case: SampleCase, version: QuestionnaireVersion | None, respondents: int,
               lines: list[int]) -> dict:
    """``respondents``: how many interviews the household gives (the campaign's sampling plan);
    ``lines``: the respondent lines already stored, so the phone offers the next one."""
    return {"id": case.id, "label": case.label, "address": case.address or "",
            "unit": {"code": case.unit.code, "name": case.unit.name}, "stratum": case.stratum,
            "cluster": case.cluster, "status": case.status.value,
            "questionnaire_version_id": version.id if version else None,
            "respondents": respondents, "lines": lines}


def _household_plans(cases: list[SampleCase]) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Per sample list, its campaign's respondents per household; per case, its stored lines."""
    ids = [c.id for c in cases]
    plans = dict(db.session.execute(select(SampleList.id, Campaign.sampling_plan).join(Campaign).where(
        SampleList.id.in_({c.sample_list_id for c in cases}))).all()) if ids else {}
    allowed = {sid: int((plan or {}).get("respondents_per_household") or 1) for sid, plan in plans.items()}
    lines: dict[int, list[int]] = {}
    for start in range(0, len(ids), 500):
        for case_id, line in db.session.execute(select(Submission.case_id, Submission.respondent_line).where(
                Submission.case_id.in_(ids[start:start + 500]))):
            lines.setdefault(case_id, []).append(line or 1)
    return allowed, lines


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
    allowed, lines = _household_plans(cases)
    for case in cases:
        version = case_questionnaire(case)
        if version is not None:
            versions[version.id] = version
        rows.append(_case_json(case, version, allowed.get(case.sample_list_id, 1), sorted(lines.get(case.id, []))))
    rejected = list(db.session.scalars(select(Submission).where(
        Submission.enumerator_id == user.id, Submission.review_state == ReviewState.REJECTED)))
    return {"enumerator": {"id": user.id, "username": user.username, "full_name": user.full_name},
            "cases": rows,
            "questionnaires": [{"id": v.id, "definition": browser_definition(v.definition, DEFINITION_KEYS)}
                               for v in versions.values()],
            "corrections": [_correction_json(s) for s in rejected],
            "answer_files": files.settings()}
