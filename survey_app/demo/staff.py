"""Synthetic answers of civil servants and leaders (*cán bộ, công chức*) to the staff questionnaire.

Each assessed unit gets STAFF_PER_UNIT respondents (one in four a leader). Every five-point item is
"agree or fully agree" (4 or 5) with probability near the unit's base satisfaction
(``demo_truth.units[].pct_satisfied``) minus STAFF_OFFSET points: staff rate their own unit a
little more soberly than the model's citizens. Each generated answer set passes the form's own checks.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import numpy as np

from survey_app.demo import model
from survey_app.demo.collection import ICT
from survey_app.models import Channel, Submission
from survey_app.questionnaire.engine import FormEngine

STAFF_PER_UNIT = 8
STAFF_OFFSET = 5.0


def _likert(rng, pct: float) -> str:
    if rng.random() < 0.02:
        return "9"
    if rng.random() < pct / 100:
        return "5" if rng.random() < 0.35 else "4"
    return str(rng.choice([1, 2, 3], p=[0.1, 0.3, 0.6]))


def staff_answers(rng, engine: FormEngine, unit_code: str, base_pct: float) -> dict:
    """One respondent's answers, drawn question by question from the form's own choices."""
    role = "leader" if rng.random() < 0.25 else "civil_servant"
    answers = {"unit_code": unit_code, "role": role, "years_service": str(int(rng.integers(1, 30))),
               "sex": str(rng.choice(["1", "2"])), "age_group": str(rng.choice(model.AGE_GROUPS[:3])),
               "obstacles": str(rng.choice(["capacity", "funding", "ict", "staffing"]))}
    for question in engine.questions:
        if question.get("list_name") in ("agree5", "rate5") and question["name"] not in answers:
            answers[question["name"]] = _likert(rng, base_pct - STAFF_OFFSET)
    if role == "leader":
        answers["leader_priority"] = str(rng.choice(["f3", "f5", "f7"]))
    else:
        answers.pop("leader_resources", None)
    return answers


def staff_submissions(rng, campaign, version, units, base: dict[str, float]) -> list[Submission]:
    engine = FormEngine(version.definition)
    made = []
    start = datetime(campaign.year, 9, 2, 9, 0, tzinfo=ICT)
    for cu in campaign.units:
        for _ in range(STAFF_PER_UNIT):
            answers = staff_answers(rng, engine, cu.unit.code, base[cu.unit.code])
            problems = engine.problems(answers)
            if problems:
                raise ValueError(f"demo staff answers refused: {problems[:3]}")
            moment = start + timedelta(days=int(rng.integers(0, 20)), minutes=int(rng.integers(0, 480)))
            made.append(Submission(
                instance_uuid=str(uuid.UUID(bytes=rng.bytes(16), version=4)),
                questionnaire_id=version.questionnaire_id, questionnaire_version_id=version.id,
                campaign_id=campaign.id, unit_id=cu.unit_id, channel=Channel.WEB_LINK,
                answers=engine.clean(answers), paradata={}, started_at=moment,
                submitted_at=moment + timedelta(minutes=9), receipt=f"CB-{rng.integers(10**7, 10**8)}"))
    return made

