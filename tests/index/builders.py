"""Small campaigns built in a test's own database (the ``app`` fixture), for index and units tests."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from survey_app.demo import FRAMEWORK_FILE
from survey_app.extensions import db
from survey_app.frameworks import load_framework
from survey_app.models import (AdminUnit, AnalysisEstimate, AnalysisRun, AssessmentStatus, Campaign,
                               CampaignStatus, CampaignUnit, Role, Score, ScoringMethod,
                               SelfAssessment, UnitLevel, User, UserRole)

PASSWORD = "test-password-1"


def levels() -> dict[str, UnitLevel]:
    found = {lvl.code: lvl for lvl in db.session.query(UnitLevel)}
    for rank, code in enumerate(("province", "department", "district", "commune")):
        if code not in found:
            found[code] = UnitLevel(code=code, name_vi=code, name_en=code, rank=rank)
            db.session.add(found[code])
    return found


def unit(code: str, level: str, parent=None, valid_from=1900, valid_to=None) -> AdminUnit:
    found = AdminUnit(code=code, name=f"Đơn vị {code}", level=levels()[level], parent=parent,
                      valid_from=valid_from, valid_to=valid_to)
    db.session.add(found)
    return found


def user(username: str, role: Role, scope: AdminUnit | None) -> User:
    found = User(username=username, full_name=username)
    found.set_password(PASSWORD)
    found.roles.append(UserRole(role=role, unit=scope))
    db.session.add(found)
    return found


def campaign(code: str, year: int, province: AdminUnit, members: list[AdminUnit], level="department",
             deadline: date | None = None, status=CampaignStatus.APPRAISAL) -> Campaign:
    framework = load_framework(FRAMEWORK_FILE)
    found = Campaign(code=code, title=f"Chiến dịch {code}", year=year, province=province,
                     framework=framework, status=status,
                     self_assessment_deadline=deadline or date.today() + timedelta(days=30))
    for member in members:
        found.units.append(CampaignUnit(unit=member, framework_level=level))
    db.session.add(found)
    db.session.flush()
    return found


def self_nodes(campaign: Campaign, level="department"):
    return [n for n in campaign.framework.leaves(level) if n.method is not ScoringMethod.SURVEY]


def assess(campaign: Campaign, member: AdminUnit, points, level="department", appraised=None,
           status=AssessmentStatus.SUBMITTED) -> SelfAssessment:
    """A self-assessment with ``points(node)`` self points (and ``appraised(node)`` if given)."""
    found = SelfAssessment(campaign_id=campaign.id, unit=member, status=status)
    for node in self_nodes(campaign, level):
        value = points(node)
        found.scores.append(Score(node=node, self_points=None if value is None else Decimal(str(value)),
                                  appraised_points=None if appraised is None else Decimal(str(appraised(node)))))
    db.session.add(found)
    return found


def full_marks(node):
    """Full points on self-assessed sub-criteria, no bonus, no penalty."""
    return node.max_points if node.method is ScoringMethod.SELF_ASSESSED else 0


def analysis_run(campaign: Campaign, estimates: dict[str, dict[str, tuple[float, float]]]) -> AnalysisRun:
    """A stored run with ``{unit_code: {variable: (pct_satisfied estimate, se)}}``."""
    run = AnalysisRun(campaign_id=campaign.id, number=1, respondents=100, exclusions={}, weighting={},
                      parameters={"scoring": {"questionnaire": "sipas_citizen"}},
                      software_version="test", input_fingerprint="0" * 64)
    for code, values in estimates.items():
        for variable, (estimate, se) in values.items():
            run.estimates.append(AnalysisEstimate(unit_code=code, statistic="pct_satisfied", variable=variable,
                                                  estimate=estimate, se=se, ci_low=0, ci_high=1, df=10, n=50))
    db.session.add(run)
    return run
