"""Which submissions count (*phiếu được tính*): the one exclusion service.

The analysis table, the staff table, the export's weights, the report's quotes and every count
of interviews shown (:func:`interview_counts`: received and counted) ask here. A submission is read as a :class:`Candidate` (a few columns, so a
narrow query can use the rules too) and meets the rules of its questionnaire in order; the first
rule that answers with a name keeps it out, counted under that name. Exclusions never delete
data: they keep a submission out of the estimates and of what is quoted from them.

Each rule is a small named function ``rule(candidate, context) -> name | None``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Campaign, Channel, QualityFlag, ReviewState, Submission

#: The questionnaires' sex answer codes and the names the population figures and weights use.
SEX_NAMES = {"1": "male", "2": "female"}
#: The age groups of the questionnaires' ``age_group`` answer and of the population figures.
AGE_GROUPS = ("18_29", "30_44", "45_59", "60_plus")


@dataclass
class Candidate:
    """What the rules read of one submission."""

    id: int
    review_state: ReviewState
    channel: object = None
    case_id: int | None = None
    selection_probability: float | None = None
    sex: str | None = None
    age_group: str | None = None


@dataclass
class Context:
    """What the rules need about the whole campaign, read once: excluded quality flags."""

    flagged: dict[int, str] = field(default_factory=dict)


def candidate(submission: Submission) -> Candidate:
    case = submission.case
    return Candidate(id=submission.id, review_state=submission.review_state, channel=submission.channel,
                     case_id=submission.case_id,
                     selection_probability=case.selection_probability if case is not None else None,
                     sex=submission.answers.get("sex"), age_group=submission.answers.get("age_group"))


def context(campaign: Campaign) -> Context:
    """Submission id → the first quality flag a supervisor left excluded (by rule name)."""
    rows = db.session.execute(
        select(QualityFlag.submission_id, QualityFlag.rule).join(
            Submission, Submission.id == QualityFlag.submission_id)
        .where(Submission.campaign_id == campaign.id, QualityFlag.excluded.is_(True))
        .order_by(QualityFlag.submission_id, QualityFlag.rule))
    flagged: dict[int, str] = {}
    for submission_id, rule in rows:
        flagged.setdefault(submission_id, rule)
    return Context(flagged)


def rejected_in_review(item: Candidate, ctx: Context) -> str | None:
    """A supervisor rejected the interview."""
    return "rejected_in_review" if item.review_state is ReviewState.REJECTED else None


def quality_flag(item: Candidate, ctx: Context) -> str | None:
    """A quality flag (too fast, straight-lining, …) left excluded: ``quality_flag_<kind>``."""
    found = ctx.flagged.get(item.id)
    return f"quality_flag_{found}" if found else None


def non_probability(channel) -> bool:
    """True for a channel whose respondents chose themselves (the open link): never in the
    official estimates, reported on their own."""
    return channel is Channel.OPEN_LINK


def open_link_non_probability(item: Candidate, ctx: Context) -> str | None:
    """Answered from the open link: a self-selected, non-probability channel."""
    return "open_link_non_probability" if non_probability(item.channel) else None


def outside_sample_design(item: Candidate, ctx: Context) -> str | None:
    """No sampled case with a selection probability: no design weight can be given."""
    return None if item.case_id is not None and item.selection_probability else "outside_sample_design"


def missing_sex_or_age(item: Candidate, ctx: Context) -> str | None:
    """Sex or age group missing: the answer cannot be raked to the population."""
    return None if item.sex in SEX_NAMES and item.age_group else "missing_sex_or_age"


#: The rules of each kind of questionnaire, in the order they are tried.
CITIZEN_RULES = (rejected_in_review, quality_flag, open_link_non_probability, outside_sample_design,
                 missing_sex_or_age)
STAFF_RULES = (rejected_in_review,)


def exclusion(item: Candidate, ctx: Context, rules=CITIZEN_RULES) -> str | None:
    """The first rule that keeps ``item`` out, or None when it counts."""
    for rule in rules:
        name = rule(item, ctx)
        if name:
            return name
    return None


def counted(submissions, ctx: Context, rules=CITIZEN_RULES) -> tuple[list[Submission], dict[str, int]]:
    """(the submissions that count, the count excluded per rule name)."""
    kept, excluded = [], {}
    for submission in submissions:
        name = exclusion(candidate(submission), ctx, rules)
        if name:
            excluded[name] = excluded.get(name, 0) + 1
        else:
            kept.append(submission)
    return kept, excluded


def survey_form(campaign: Campaign) -> str:
    """The citizen questionnaire the campaign's satisfaction is scored from (``sipas_citizen``
    when its framework scores no survey)."""
    return ((campaign.framework.settings or {}).get("satisfaction") or {}).get("questionnaire", "sipas_citizen")


@dataclass
class InterviewCounts:
    """Interviews of the campaign's citizen questionnaire per unit id: every one received
    (rejected, flagged and open-link ones too) and those that count in the analysis."""

    received: dict[int, int] = field(default_factory=dict)
    counted: dict[int, int] = field(default_factory=dict)

    @property
    def total_received(self) -> int:
        return sum(self.received.values())

    @property
    def total_counted(self) -> int:
        return sum(self.counted.values())


def interview_counts(campaign: Campaign, form_id: str | None = None, rules=CITIZEN_RULES) -> InterviewCounts:
    """Every count of interviews a page, the API or a command shows, read from a narrow query
    (no answers) of ``form_id`` (the campaign's :func:`survey_form` by default)."""
    from survey_app.models import Questionnaire, SampleCase
    query = (select(Submission.id, Submission.review_state, Submission.channel, Submission.case_id,
                    SampleCase.selection_probability, Submission.answers["sex"].as_string(),
                    Submission.answers["age_group"].as_string(), Submission.unit_id)
             .join(Questionnaire, Questionnaire.id == Submission.questionnaire_id)
             .outerjoin(SampleCase, SampleCase.id == Submission.case_id)
             .where(Submission.campaign_id == campaign.id,
                    Questionnaire.form_id == (form_id or survey_form(campaign))))
    ctx, found = context(campaign), InterviewCounts()
    for *columns, unit_id in db.session.execute(query):
        found.received[unit_id] = found.received.get(unit_id, 0) + 1
        if exclusion(Candidate(*columns), ctx, rules) is None:
            found.counted[unit_id] = found.counted.get(unit_id, 0) + 1
    return found
