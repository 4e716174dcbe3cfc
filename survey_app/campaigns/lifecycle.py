"""A campaign's states and the steps between them (*các giai đoạn của đợt đánh giá*).

draft → self-assessment → appraisal → fieldwork → analysis → published. Each step first
describes itself (:func:`transition`: what it will lock, what is not done yet, what stops it),
the confirmation page and ``campaign advance`` show that, then :func:`advance` takes it. The
last step is the publication (``campaign publish``), not an advance.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from survey_app import queries
from survey_app.campaigns import guards
from survey_app.campaigns.refused import CampaignRefused, actor_id
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.models import (AppraisalRound, AssessmentStatus, Campaign, CampaignStatus, LifecycleChange,
                               RoundStatus, SelfAssessment)
from survey_app.models.base import utcnow
from survey_app.survey_analysis.exclusions import InterviewCounts, interview_counts
from survey_app.units import state

S = CampaignStatus


@dataclass
class Item:
    """One line of a confirmation page, with the page that deals with it."""

    text: str
    endpoint: str | None = None
    args: dict = field(default_factory=dict)
    children: list[Item] = field(default_factory=list)


@dataclass
class Transition:
    campaign: Campaign
    source: CampaignStatus
    target: CampaignStatus | None
    locks: list[str] = field(default_factory=list)
    not_done: list[Item] = field(default_factory=list)
    blockers: list[Item] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.target is not None and not self.blockers


def _unit_link(campaign, unit) -> dict:
    return {"campaign_code": campaign.code, "unit_code": unit.code}


def _not_submitted(campaign: Campaign) -> list[Item]:
    items = []
    for cu in queries.campaign_units(campaign):
        found = queries.assessment(campaign, cu.unit)
        if found is None or found.status is AssessmentStatus.DRAFT:
            items.append(Item(_("%(unit)s has not submitted its self-assessment.", unit=cu.unit.name),
                              "units.assessment", _unit_link(campaign, cu.unit)))
    return items


def undecided_items(campaign: Campaign) -> list[Item]:
    """One line per unit with undecided sub-criteria, each sub-criterion linked to its page."""
    by_unit: dict[int, Item] = {}
    for row in guards.undecided(campaign):
        unit_item = by_unit.get(row.unit.id)
        if unit_item is None:
            unit_item = by_unit[row.unit.id] = Item(row.unit.name, "units.assessment", _unit_link(campaign, row.unit))
        text = f"{row.node.code} {row.node.name_vi}"
        if row.score is None:
            unit_item.children.append(Item(text))
        else:
            unit_item.children.append(Item(text, "units.score", {**_unit_link(campaign, row.unit),
                                                                 "node_code": row.node.code}))
    for item in by_unit.values():
        item.text = _("%(unit)s: %(count)s sub-criteria not decided", unit=item.text, count=len(item.children))
    return list(by_unit.values())


def _to_self_assessment(t: Transition) -> None:
    t.locks.append(_("The units in scope, the framework and the questionnaires stay as they are for the year."))
    if not queries.campaign_units(t.campaign):
        t.blockers.append(Item(_("No unit is in the campaign's scope.")))
    if t.campaign.self_assessment_deadline is None:
        t.not_done.append(Item(_("No self-assessment deadline is set.")))
    if not t.campaign.questionnaires:
        t.not_done.append(Item(_("No questionnaire is chosen for the survey.")))


def _to_appraisal(t: Transition) -> None:
    t.locks += [_("Units can no longer change their self-assessed points "
                  "(one unit can be reopened, with a reason)."), _("Appraisal round 1 opens.")]
    t.not_done += _not_submitted(t.campaign)


def _to_fieldwork(t: Transition) -> None:
    t.locks.append(_("Appraisal is final: every score of every unit is locked."))
    found = state.current_round(t.campaign)
    if found is None or found.number < state.FINAL_ROUND or found.status is not RoundStatus.OPEN:
        t.blockers.append(Item(_("Appraisal round %(number)s is not open: the final round is closed from it.",
                                 number=state.FINAL_ROUND), "units.appraisal"))
    t.blockers += undecided_items(t.campaign)
    for unit in guards.unsigned_units(t.campaign):
        t.blockers.append(Item(_("%(unit)s is not signed off by its appraiser.", unit=unit.name),
                               "units.assessment", _unit_link(t.campaign, unit)))


def _to_analysis(t: Transition) -> None:
    t.locks.append(_("Invitation codes and the open link no longer accept answers."))
    counts = interview_counts(t.campaign).counted
    for cu in queries.campaign_units(t.campaign):
        if cu.target_sample and counts.get(cu.unit_id, 0) < cu.target_sample:
            t.not_done.append(Item(_("%(unit)s: %(count)s of %(target)s interviews.", unit=cu.unit.name,
                                     count=counts.get(cu.unit_id, 0), target=cu.target_sample)))


STEPS = {S.DRAFT: (S.SELF_ASSESSMENT, _to_self_assessment), S.SELF_ASSESSMENT: (S.APPRAISAL, _to_appraisal),
         S.APPRAISAL: (S.FIELDWORK, _to_fieldwork), S.FIELDWORK: (S.ANALYSIS, _to_analysis)}


def transition(campaign: Campaign) -> Transition:
    """The next step of ``campaign``, described, without taking it."""
    if campaign.status not in STEPS:
        found = Transition(campaign, campaign.status, None)
        if campaign.status is S.ANALYSIS:
            found.blockers.append(Item(_("Publication is its own step: flask --app wsgi campaign publish "
                                         "%(code)s --decision … (or the publication page).", code=campaign.code)))
        return found
    target, describe = STEPS[campaign.status]
    found = Transition(campaign, campaign.status, target)
    describe(found)
    return found


def _close_appraisal(campaign: Campaign) -> None:
    found = state.current_round(campaign)
    found.status, found.closed_at = RoundStatus.CLOSED, utcnow()
    for assessment in db.session.scalars(select(SelfAssessment).where(SelfAssessment.campaign_id == campaign.id)):
        assessment.status, assessment.reopened_until = AssessmentStatus.LOCKED, None


def advance(campaign: Campaign, expected: CampaignStatus | None = None, reason: str = "") -> CampaignStatus:
    """Take the next step; :class:`CampaignRefused` with every blocker when it cannot be taken.

    ``expected`` is the status the confirmation page was shown for: a step confirmed twice or
    after someone else took it is refused instead of taking the following one.
    """
    found = transition(campaign)
    if expected is not None and expected is not found.source:
        raise CampaignRefused([_("This step has already been taken or is not possible now.")], 409)
    if not found.allowed:
        raise CampaignRefused([item.text for item in found.blockers], 409)
    if found.target is S.APPRAISAL and state.current_round(campaign) is None:
        db.session.add(AppraisalRound(campaign_id=campaign.id, number=1, status=RoundStatus.OPEN))
    if found.target is S.FIELDWORK:
        _close_appraisal(campaign)
    campaign.status = found.target
    db.session.add(LifecycleChange(campaign_id=campaign.id, kind="advance", target="status",
                                   before=found.source.value, after=found.target.value, reason=reason.strip(),
                                   user_id=actor_id()))
    db.session.commit()
    return campaign.status


@dataclass
class Report:
    """What is done and not done in a campaign: the status page and ``campaign status``."""

    campaign: Campaign
    units: int
    submitted: int
    rounds: list[tuple[AppraisalRound, int]]
    undecided: int
    signed_off: int
    members: int
    assigned: int
    interviews: InterviewCounts
    target: int
    runs: int
    transition: Transition


def report(campaign: Campaign) -> Report:
    from survey_app.campaigns import council
    from survey_app.models import AnalysisRun

    units = queries.campaign_units(campaign)
    rounds = list(db.session.scalars(select(AppraisalRound).where(AppraisalRound.campaign_id == campaign.id)
                                     .order_by(AppraisalRound.number)))
    return Report(
        campaign=campaign, units=len(units), submitted=len(units) - len(_not_submitted(campaign)),
        rounds=[(r, len(guards.decided_in(r))) for r in rounds], undecided=len(guards.undecided(campaign)),
        signed_off=len(council.sign_offs(campaign)), members=len(council.members(campaign)),
        assigned=len(council.assignments(campaign)), interviews=interview_counts(campaign),
        target=sum(cu.target_sample or 0 for cu in units),
        runs=db.session.scalar(select(func.count()).select_from(AnalysisRun)
                               .where(AnalysisRun.campaign_id == campaign.id)),
        transition=transition(campaign))
