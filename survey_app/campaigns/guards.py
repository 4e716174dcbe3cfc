"""What stops appraisal from closing, and what a bulk decision would overwrite.

An *undecided* sub-criterion is a self-scored leaf (self-assessed, bonus, penalty) of a unit in
scope without appraised points, including a unit that never entered a score.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from survey_app import queries
from survey_app.extensions import db
from survey_app.models import (AdminUnit, AppraisalComment, AppraisalRound, Campaign, FrameworkNode, Score,
                               SelfAssessment)
from survey_app.units.context import SELF_SCORED


@dataclass
class Undecided:
    """A sub-criterion of a unit the council has not decided (``score`` None: never entered)."""

    unit: AdminUnit
    node: FrameworkNode
    score: Score | None


def self_scored_leaves(campaign: Campaign, level: str) -> list[FrameworkNode]:
    return [n for n in campaign.framework.leaves(level) if n.method in SELF_SCORED]


def undecided(campaign: Campaign, units: list[AdminUnit] | None = None) -> list[Undecided]:
    """Every undecided sub-criterion of the campaign's units (or of ``units``), unit by unit."""
    wanted = None if units is None else {u.id for u in units}
    found = []
    for cu in queries.campaign_units(campaign):
        if wanted is not None and cu.unit_id not in wanted:
            continue
        assessment = queries.assessment(campaign, cu.unit)
        scores = {s.node_id: s for s in assessment.scores} if assessment else {}
        for node in self_scored_leaves(campaign, cu.framework_level):
            score = scores.get(node.id)
            if score is None or score.appraised_points is None:
                found.append(Undecided(cu.unit, node, score))
    return found


def decided_in(round_: AppraisalRound) -> set[int]:
    """The score ids with a decision (not a reply) in ``round_``."""
    return set(db.session.scalars(select(AppraisalComment.score_id).where(
        AppraisalComment.round_id == round_.id, AppraisalComment.kind != "reply")))


@dataclass
class EarlierDecision:
    """A score decided before the open round, whose points a "recognise all" would change."""

    score: Score
    comment: AppraisalComment | None
    round_number: int | None


def earlier_decisions(assessment: SelfAssessment, round_: AppraisalRound) -> list[EarlierDecision]:
    """Scores decided before ``round_`` (not in it) whose appraised points differ from the
    self-assessed ones: recognising them would overwrite the earlier decision."""
    this_round = decided_in(round_)
    numbers = dict(db.session.execute(select(AppraisalRound.id, AppraisalRound.number).where(
        AppraisalRound.campaign_id == assessment.campaign_id)).all())
    found = []
    for score in sorted(assessment.scores, key=lambda s: s.node.position):
        if score.id in this_round or score.appraised_points is None or score.self_points is None:
            continue
        if score.appraised_points == score.self_points:
            continue
        comment = db.session.scalar(select(AppraisalComment).where(
            AppraisalComment.score_id == score.id, AppraisalComment.kind != "reply")
            .order_by(AppraisalComment.at.desc(), AppraisalComment.id.desc()).limit(1))
        found.append(EarlierDecision(score, comment, numbers.get(comment.round_id) if comment else None))
    return found


def unsigned_units(campaign: Campaign) -> list[AdminUnit]:
    """The campaign's units without a sign-off of their decisions."""
    from survey_app.campaigns.council import sign_offs

    done = sign_offs(campaign)
    return [cu.unit for cu in queries.campaign_units(campaign) if cu.unit_id not in done]


def recognise_all(assessment: SelfAssessment, round_: AppraisalRound, author_id: int, reason: str,
                  overwrite: set[int]) -> int:
    """Recognise, in ``round_``, every score not decided in it; an earlier round's differing
    decision is kept unless its score id is in ``overwrite``. Returns how many were recognised."""
    keep = {e.score.id for e in earlier_decisions(assessment, round_)} - overwrite
    done = decided_in(round_) | keep
    count = 0
    for item in assessment.scores:
        if item.id in done or item.self_points is None:
            continue
        item.appraised_points, item.appraisal_reason = item.self_points, reason
        db.session.add(AppraisalComment(score_id=item.id, round_id=round_.id, author_id=author_id,
                                        kind="recognise", points=item.self_points, body=reason))
        count += 1
    db.session.commit()
    return count
