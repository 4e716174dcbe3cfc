"""Creating a campaign (*tạo đợt đánh giá*) from the page or ``flask --app wsgi campaign create``.

One :class:`CampaignSpec` from either side, one check that collects every problem in the
reader's language, and nothing stored unless all of it is right.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from survey_app import queries
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import (AdminUnit, Campaign, CampaignQuestionnaire, CampaignStatus, CampaignUnit,
                               Framework, Questionnaire, QuestionnaireVersion, RoundDeadline, VersionStatus)
from survey_app.campaigns.refused import CampaignRefused
from survey_app.units.state import FINAL_ROUND

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,62}$")


@dataclass
class CampaignSpec:
    """What a new campaign needs; units empty means every unit of the chosen levels."""

    code: str
    title: str
    year: int
    province_code: str
    framework: str                      # CODE or CODE:VERSION (the latest version when omitted)
    levels: list[str]
    unit_codes: list[str] = field(default_factory=list)
    questionnaires: dict[str, str] = field(default_factory=dict)   # audience → form id
    self_assessment_deadline: date | None = None
    round_deadlines: list[date | None] = field(default_factory=list)
    fieldwork_start: date | None = None
    fieldwork_end: date | None = None
    sampling_plan: dict = field(default_factory=dict)


def parse_sampling_plan(text: str | None) -> dict:
    """The sampling plan written as a JSON object; ValueError with a translated message."""
    if not (text or "").strip():
        return {}
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(_("The sampling plan is not valid JSON (line %(line)s).", line=exc.lineno)) from None
    if not isinstance(plan, dict):
        raise ValueError(_("The sampling plan must be a JSON object, e.g. {\"design\": \"stratified\"}."))
    return plan


def find_framework(spec: str) -> Framework | None:
    code, _sep, version = spec.strip().partition(":")
    query = select(Framework).where(Framework.code == code)
    if version:
        query = query.where(Framework.version == version)
    return db.session.scalar(query.order_by(Framework.loaded_at.desc(), Framework.id.desc()).limit(1))


def published_version(form_id: str) -> QuestionnaireVersion | None:
    return db.session.scalar(
        select(QuestionnaireVersion).join(Questionnaire).where(
            Questionnaire.form_id == form_id.strip(), QuestionnaireVersion.status == VersionStatus.PUBLISHED)
        .order_by(QuestionnaireVersion.id.desc()).limit(1))


def _scope(spec: CampaignSpec, province: AdminUnit, framework: Framework, problems: list[str]) -> list[AdminUnit]:
    levels = [lvl.strip() for lvl in spec.levels if lvl.strip()]
    if not levels:
        problems.append(_("Choose at least one level to assess."))
    for level in levels:
        if not framework.leaves(level):
            problems.append(_("The framework %(framework)s has no sub-criteria for the level %(level)s.",
                              framework=framework.code, level=level))
    if spec.unit_codes:
        units = []
        for code in spec.unit_codes:
            unit = queries.unit_by_code(code.strip(), spec.year)
            if unit is None:
                problems.append(_("No unit %(code)s is valid in %(year)s.", code=code, year=spec.year))
            elif not unit.is_within(province) or unit.level.code not in levels:
                problems.append(_("The unit %(code)s is not a unit of the chosen levels in this province.",
                                  code=code))
            else:
                units.append(unit)
        return units
    candidates = db.session.scalars(select(AdminUnit).order_by(AdminUnit.code))
    units = [u for u in candidates if u.level.code in levels and u.valid_in(spec.year) and u.is_within(province)]
    if levels and not units:
        problems.append(_("No unit of the chosen levels is valid in %(year)s in this province.", year=spec.year))
    return units


def _dates(spec: CampaignSpec, problems: list[str]) -> None:
    rounds = list(spec.round_deadlines)
    if len(rounds) > FINAL_ROUND:
        problems.append(_("Give at most %(count)s appraisal round deadlines.", count=FINAL_ROUND))
    order = [(_("the self-assessment deadline"), spec.self_assessment_deadline)] + [
        (_("the deadline of appraisal round %(number)s", number=i + 1), d) for i, d in enumerate(rounds)]
    given = [(name, d) for name, d in order if d is not None]
    for (first, a), (second, b) in zip(given, given[1:]):
        if b < a:
            problems.append(_("The dates are out of order: %(second)s comes before %(first)s.",
                              first=first, second=second))
    if spec.fieldwork_start and spec.fieldwork_end and spec.fieldwork_end < spec.fieldwork_start:
        problems.append(_("Fieldwork ends before it starts."))


def _identity(spec: CampaignSpec, problems: list[str]) -> AdminUnit | None:
    if not CODE_RE.match(spec.code or ""):
        problems.append(_("The code has 2-63 capital letters, digits and hyphens, e.g. HNM-2025."))
    elif queries.campaign_by_code(spec.code) is not None:
        problems.append(_("A campaign with the code %(code)s already exists.", code=spec.code))
    if not (spec.title or "").strip():
        problems.append(_("Give the campaign a title."))
    if not 2000 <= spec.year <= 2100:
        problems.append(_("The year must be between 2000 and 2100."))
    province = queries.unit_by_code((spec.province_code or "").strip(), spec.year)
    if province is None or province.level.code != "province":
        problems.append(_("No province %(code)s is valid in %(year)s.", code=spec.province_code, year=spec.year))
        return None
    return province


def create_campaign(spec: CampaignSpec) -> Campaign:
    """Check ``spec`` and store the campaign in draft; :class:`CampaignRefused` lists every problem."""
    problems: list[str] = []
    province = _identity(spec, problems)
    framework = find_framework(spec.framework or "")
    if framework is None:
        problems.append(_("No framework %(framework)s is loaded.", framework=spec.framework))
    units = _scope(spec, province, framework, problems) if province and framework else []
    versions = {}
    for audience, form_id in spec.questionnaires.items():
        versions[audience] = published_version(form_id)
        if versions[audience] is None:
            problems.append(_("No published questionnaire %(form)s (audience %(audience)s).",
                              form=form_id, audience=audience))
    _dates(spec, problems)
    if problems:
        raise CampaignRefused(problems)
    campaign = Campaign(
        code=spec.code, title=spec.title.strip(), year=spec.year, province=province, framework=framework,
        status=CampaignStatus.DRAFT, self_assessment_deadline=spec.self_assessment_deadline,
        fieldwork_start=spec.fieldwork_start, fieldwork_end=spec.fieldwork_end, sampling_plan=spec.sampling_plan)
    campaign.units = [CampaignUnit(unit=u, framework_level=u.level.code) for u in units]
    campaign.questionnaires = [CampaignQuestionnaire(questionnaire_version=v, audience=a) for a, v in versions.items()]
    db.session.add(campaign)
    db.session.flush()
    db.session.add_all(RoundDeadline(campaign_id=campaign.id, number=i + 1, due=d)
                       for i, d in enumerate(spec.round_deadlines) if d)
    db.session.commit()
    return campaign
