"""Which submissions count (*phiếu được tính*): the one exclusion service.

The analysis table, the staff table, the export's weights, the report's quotes and every count
of interviews shown (:func:`interview_counts`: received and counted) ask here. Submissions are
read as candidates (a few columns, :data:`CANDIDATE_COLUMNS`, so a narrow query can use the
rules too) and meet the rules of their questionnaire in order; the first rule that answers with
a name keeps a submission out, counted under that name. Exclusions never delete data: they keep
a submission out of the estimates and of what is quoted from them.

Each rule is a small named function ``rule(candidates, context) -> names`` over a whole frame of
candidates at once (a name or None for each): a million submissions are sorted with a few
array operations, not an object each (:func:`exclusions_of`); one :class:`Candidate` meets the
same rules as a frame of one row (:func:`exclusion`).

pandas is imported by the functions that build or read the frames: the pages and commands that
import this service (for its names and counts) start without it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Campaign, Channel, QualityFlag, ReviewState, Submission

if TYPE_CHECKING:
    import pandas as pd

#: The questionnaires' sex answer codes and the names the population figures and weights use.
SEX_NAMES = {"1": "male", "2": "female"}
#: The age groups of the questionnaires' ``age_group`` answer and of the population figures.
AGE_GROUPS = ("18_29", "30_44", "45_59", "60_plus")


#: What the rules read of each submission, the columns of :func:`exclusions_of`'s frame.
CANDIDATE_COLUMNS = ("id", "review_state", "channel", "case_id", "selection_probability", "sex", "age_group")


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


def _named(mask, name: str) -> np.ndarray:
    """``name`` where ``mask`` holds, else None: what a rule answers for each candidate."""
    return np.where(np.asarray(mask, dtype=bool), name, None)


def rejected_in_review(items: pd.DataFrame, ctx: Context) -> np.ndarray:
    """A supervisor rejected the interview."""
    return _named(items["review_state"].to_numpy() == ReviewState.REJECTED.value, "rejected_in_review")


def quality_flag(items: pd.DataFrame, ctx: Context) -> np.ndarray:
    """A quality flag (too fast, straight-lining, …) left excluded: ``quality_flag_<kind>``."""
    import pandas as pd

    kinds = items["id"].map(ctx.flagged) if ctx.flagged else pd.Series(np.nan, index=items.index)
    return np.where(kinds.notna().to_numpy(), ("quality_flag_" + kinds.astype(str)).to_numpy(dtype=object), None)


def non_probability(channel) -> bool:
    """True for a channel whose respondents chose themselves (the open link): never in the
    official estimates, reported on their own."""
    return channel is Channel.OPEN_LINK or channel == Channel.OPEN_LINK.value


def open_link_non_probability(items: pd.DataFrame, ctx: Context) -> np.ndarray:
    """Answered from the open link: a self-selected, non-probability channel."""
    return _named(items["channel"].to_numpy() == Channel.OPEN_LINK.value, "open_link_non_probability")


def outside_sample_design(items: pd.DataFrame, ctx: Context) -> np.ndarray:
    """No sampled case with a selection probability: no design weight can be given."""
    import pandas as pd

    probability = pd.to_numeric(items["selection_probability"], errors="coerce")
    inside = items["case_id"].notna() & probability.notna() & (probability != 0)
    return _named(~inside.to_numpy(dtype=bool), "outside_sample_design")


def missing_sex_or_age(items: pd.DataFrame, ctx: Context) -> np.ndarray:
    """Sex or age group missing: the answer cannot be raked to the population."""
    age = items["age_group"]
    known = items["sex"].isin(list(SEX_NAMES)) & age.notna() & (age.astype(str) != "")
    return _named(~known.to_numpy(dtype=bool), "missing_sex_or_age")


#: The rules of each kind of questionnaire, in the order they are tried.
CITIZEN_RULES = (rejected_in_review, quality_flag, open_link_non_probability, outside_sample_design,
                 missing_sex_or_age)
STAFF_RULES = (rejected_in_review,)


def candidates(rows) -> pd.DataFrame:
    """Candidates (:class:`Candidate` objects, or tuples in its field order) as columns, the
    enums as their stored values."""
    import pandas as pd

    frame = pd.DataFrame([tuple(getattr(r, name) for name in CANDIDATE_COLUMNS) if isinstance(r, Candidate)
                          else tuple(r) for r in rows], columns=list(CANDIDATE_COLUMNS))
    for column in ("review_state", "channel"):
        frame[column] = [v.value if isinstance(v, (ReviewState, Channel)) else v for v in frame[column]]
    return frame


def exclusions_of(items: pd.DataFrame, ctx: Context, rules=CITIZEN_RULES) -> np.ndarray:
    """For each candidate (a frame with :data:`CANDIDATE_COLUMNS`), the name of the first rule
    that keeps it out, or None when it counts: every rule is tried on the whole set at once, on
    the candidates no earlier rule took (set operations, no object per submission)."""
    import pandas as pd

    found = np.full(len(items), None, dtype=object)
    open_ = np.ones(len(items), dtype=bool)
    for rule in rules:
        if not open_.any():
            break
        positions = np.flatnonzero(open_)
        names = rule(items.iloc[positions] if len(positions) < len(items) else items, ctx)
        taken = pd.notna(names)
        found[positions[taken]] = names[taken]
        open_[positions[taken]] = False
    return found


def excluded_counts(found: np.ndarray) -> dict[str, int]:
    """The count excluded per rule name (in the order first met), from :func:`exclusions_of`."""
    import pandas as pd

    names = pd.Series(found[pd.notna(found)], dtype=object)
    counts = names.value_counts(sort=False)
    return {str(name): int(counts[name]) for name in pd.unique(names)}


def exclusion(item: Candidate, ctx: Context, rules=CITIZEN_RULES) -> str | None:
    """The first rule that keeps ``item`` out, or None when it counts."""
    return exclusions_of(candidates([item]), ctx, rules)[0]


def counted(submissions, ctx: Context, rules=CITIZEN_RULES) -> tuple[list[Submission], dict[str, int]]:
    """(the submissions that count, the count excluded per rule name)."""
    submissions = list(submissions)
    found = exclusions_of(candidates([candidate(s) for s in submissions]), ctx, rules)
    kept = [s for s, name in zip(submissions, found) if name is None]
    return kept, excluded_counts(found)


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
    import pandas as pd

    from survey_app.models import Questionnaire, SampleCase
    query = (select(Submission.id, Submission.review_state, Submission.channel, Submission.case_id,
                    SampleCase.selection_probability, Submission.answers["sex"].as_string(),
                    Submission.answers["age_group"].as_string(), Submission.unit_id)
             .join(Questionnaire, Questionnaire.id == Submission.questionnaire_id)
             .outerjoin(SampleCase, SampleCase.id == Submission.case_id)
             .where(Submission.campaign_id == campaign.id,
                    Questionnaire.form_id == (form_id or survey_form(campaign))))
    rows = db.session.execute(query).all()
    items = candidates([row[:-1] for row in rows])
    units = pd.Series([row[-1] for row in rows], dtype=object)
    kept = units[pd.isna(exclusions_of(items, context(campaign), rules))]
    return InterviewCounts(received={int(u): int(n) for u, n in units.value_counts(sort=False).items()},
                           counted={int(u): int(n) for u, n in kept.value_counts(sort=False).items()})
