"""The demo units' self-assessment: points close to a unit's quality, with achievement bias."""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import numpy as np

from survey_app.models import (AssessmentStatus, CampaignUnit, Framework, Score, ScoringMethod,
                               SelfAssessment)
from survey_app.models.base import utcnow

EXPLANATIONS = (
    "Đã ban hành kế hoạch và tổ chức thực hiện đầy đủ, đúng thời hạn; có văn bản kèm theo.",
    "Thực hiện đạt yêu cầu; một số nhiệm vụ hoàn thành chậm so với kế hoạch.",
    "Đã triển khai; tài liệu kiểm chứng là báo cáo định kỳ của đơn vị.",
)


def _round_to_step(value: float, step: Decimal, maximum: Decimal) -> Decimal:
    steps = (Decimal(str(max(value, 0))) / step).quantize(Decimal(1), rounding=ROUND_DOWN)
    return min(steps * step, maximum)


def _self_points(rng, node, quality: float) -> Decimal:
    step = node.step or Decimal("0.25")
    if node.method is ScoringMethod.PENALTY:
        return Decimal(0) if rng.random() < 0.8 else node.step or Decimal("0.5")
    if node.method is ScoringMethod.BONUS:
        return node.max_points if rng.random() < 0.2 else Decimal(0)
    achieved = float(node.max_points) * min(1.0, quality + 0.08 + rng.normal(0, 0.08))
    return _round_to_step(achieved, step, node.max_points)


def self_assess(rng, framework: Framework, campaign_unit: CampaignUnit, quality: float) -> SelfAssessment:
    """A submitted self-assessment of every self-assessed, bonus and penalty sub-criterion."""
    assessment = SelfAssessment(campaign_id=campaign_unit.campaign_id, unit=campaign_unit.unit,
                                status=AssessmentStatus.SUBMITTED, submitted_at=utcnow())
    for node in framework.leaves(campaign_unit.framework_level):
        if node.method is ScoringMethod.SURVEY:
            continue
        assessment.scores.append(Score(node=node, self_points=_self_points(rng, node, quality),
                                       explanation=str(rng.choice(EXPLANATIONS))))
    return assessment
