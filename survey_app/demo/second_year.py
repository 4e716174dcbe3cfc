"""The demo's second year: the 2025 campaign of the merged province (*năm thứ hai*).

Hà Nam became part of Ninh Bình on 1 July 2025 and the district level ended. The campaign is
made the way a province would make it, by :func:`survey_app.campaigns.copy.build_copy` from
HNM-2024 with the two-tier framework (departments; communes and wards): units carried through
the recorded successions, districts dropped. It is in fieldwork, with submitted
self-assessments, appraisal round 1 decided and synthetic citizen and staff answers drawn as in
2024 (:mod:`survey_app.demo.collection`), so ``flask analyse NBH-2025`` and
``flask index compute NBH-2025`` run on it and a merged commune compares with its predecessors.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from survey_app.campaigns.copy import build_copy
from survey_app.demo import collection, scores, staff
from survey_app.demo.province import CONTENT
from survey_app.extensions import db
from survey_app.frameworks import load_framework
from survey_app.models import (AdminUnit, AppraisalRound, CampaignStatus, RoundStatus, UnitPopulation,
                               UnitSuccession)

FRAMEWORK_2025 = CONTENT / "frameworks" / "par_units_2025.yaml"
CODE_2025 = "NBH-2025"
TITLE_2025 = "Chỉ số CCHC và mức độ hài lòng của người dân tỉnh Ninh Bình năm 2025"
APPRAISAL_REASON = "Tài liệu kiểm chứng chưa đủ cho toàn bộ mức điểm tự chấm; công nhận một phần."


def _populations(campaign, provincial: dict) -> dict[str, dict]:
    """Adults by sex and age: a merged commune counts its predecessors (stored for its first year);
    departments serve the whole province, as in 2024."""
    found = {}
    for cu in campaign.units:
        rows = cu.unit.population
        found[cu.unit.code] = ({(r.sex, r.age_group): float(r.count) for r in rows} if rows else provincial)
    return found


def _enumerators(users: dict):
    """The enumerator of a 2025 commune is the one of its predecessors' former district."""
    def choose(unit: AdminUnit):
        if unit.level.code == "department":
            return users["dtv.so"]
        link = db.session.scalars(select(UnitSuccession).where(UnitSuccession.successor_id == unit.id)).first()
        district = link.predecessor.parent.code
        return users["enumerator"] if district == "347" else users[f"dtv.{district}"]
    return choose


def _appraise(rng, assessment) -> None:
    """Round 1: most scores recognised; about one in six lowered by one step with a reason."""
    for score in assessment.scores:
        step = score.node.step or Decimal("0.25")
        lowered = score.self_points and score.self_points >= step and rng.random() < 0.17
        score.appraised_points = score.self_points - step if lowered else score.self_points
        score.appraisal_reason = APPRAISAL_REASON if lowered else None


def load_second_year(rng, source_code: str, users: dict, versions: dict, truth: dict, document: dict,
                     provincial: dict, progress) -> None:
    """Add NBH-2025 to the demo session (the caller commits)."""
    framework = load_framework(FRAMEWORK_2025)
    db.session.flush()
    campaign = build_copy(source_code, CODE_2025, 2025, f"{framework.code}:{framework.version}",
                          TITLE_2025).campaign
    campaign.status = CampaignStatus.FIELDWORK
    campaign.province.population = [UnitPopulation(year=2025, sex=sex, age_group=age, count=int(n))
                                    for (sex, age), n in provincial.items()]
    db.session.flush()
    sample, _cases, submissions = collection.draw_sample(
        rng, campaign, campaign.units, document["demo_truth"], _populations(campaign, provincial),
        _enumerators(users), versions["citizens"], progress)
    db.session.add(sample)
    db.session.add_all(s for _, s in submissions)
    db.session.add(AppraisalRound(campaign_id=campaign.id, number=1, status=RoundStatus.CLOSED))
    for cu in campaign.units:
        assessment = scores.self_assess(rng, framework, cu, truth[cu.unit.code] / 100)
        _appraise(rng, assessment)
        db.session.add(assessment)
    db.session.add_all(staff.staff_submissions(rng, campaign, versions["staff"], None, truth))
