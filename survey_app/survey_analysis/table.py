"""Turn a campaign's submissions into one analysis table, with exclusions counted per rule."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey_app.extensions import db
from survey_app.models import Campaign, Channel, QualityFlag, Questionnaire, ReviewState, Submission

SEX_NAMES = {"1": "male", "2": "female"}
DESIGN_COLUMNS = ["instance_uuid", "unit_code", "stratum", "psu", "selection_probability", "sex",
                  "age_group", "mode"]
#: The collection mode of a kept answer, a variable of the analysis (a mode effect can be estimated).
MODES = {Channel.INVITATION: "self_completed", Channel.WEB_LINK: "self_completed", Channel.ENUMERATOR: "interview"}
#: Open-link answers: self-selected respondents, a non-probability channel reported on its own.
NON_PROBABILITY = "open_link_non_probability"


def non_probability(channel: Channel | None) -> bool:
    """True for a channel whose respondents chose themselves: never in the official estimates."""
    return channel is Channel.OPEN_LINK


@dataclass
class AnalysisTable:
    """Rows kept for analysis, the count excluded per rule, and the questions' labels."""

    data: pd.DataFrame
    exclusions: dict[str, int] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """SHA-256 of the table as CSV, rows in instance-UUID order: the run's input identity."""
        ordered = self.data.sort_values("instance_uuid").reindex(sorted(self.data.columns), axis=1)
        return hashlib.sha256(ordered.to_csv(index=False).encode("utf-8")).hexdigest()


def _excluded_flags(campaign: Campaign) -> dict[int, str]:
    """Submission id → the first quality flag a supervisor left excluded (by rule name)."""
    rows = db.session.execute(
        select(QualityFlag.submission_id, QualityFlag.rule).join(
            Submission, Submission.id == QualityFlag.submission_id)
        .where(Submission.campaign_id == campaign.id, QualityFlag.excluded.is_(True))
        .order_by(QualityFlag.submission_id, QualityFlag.rule))
    flagged: dict[int, str] = {}
    for submission_id, rule in rows:
        flagged.setdefault(submission_id, rule)
    return flagged


def _exclusion(submission: Submission, flagged: dict[int, str] | None = None) -> str | None:
    """The first rule that keeps a submission out of the analysis, or ``None``.

    A quality flag (too fast, straight-lining, ...) left excluded by the supervisors counts as
    ``quality_flag_<kind>``: flags never delete data, they only keep it out of the estimates.
    """
    if submission.review_state is ReviewState.REJECTED:
        return "rejected_in_review"
    if flagged and submission.id in flagged:
        return f"quality_flag_{flagged[submission.id]}"
    if non_probability(submission.channel):
        return NON_PROBABILITY
    case = submission.case
    if case is None or not case.selection_probability:
        return "outside_sample_design"
    if submission.answers.get("sex") not in SEX_NAMES or not submission.answers.get("age_group"):
        return "missing_sex_or_age"
    return None


def _row(submission: Submission) -> dict:
    scalar = {k: v for k, v in submission.answers.items() if isinstance(v, (str, int, float))}
    scalar.update(instance_uuid=submission.instance_uuid, unit_code=submission.unit.code,
                  stratum=submission.case.stratum, psu=submission.case.cluster or submission.instance_uuid,
                  selection_probability=submission.case.selection_probability,
                  sex=SEX_NAMES[submission.answers["sex"]], age_group=submission.answers["age_group"],
                  mode=MODES.get(submission.channel, submission.channel.value))
    return scalar


def _labels(questionnaire: Questionnaire) -> dict[str, dict[str, str]]:
    version = questionnaire.versions[-1]
    return {q["name"]: q.get("labels") or {} for q in version.definition.get("questions", [])}


def build_table(campaign: Campaign, form_id: str) -> AnalysisTable:
    """One row per kept submission of ``form_id``: answers as columns plus the design variables."""
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.form_id == form_id))
    if questionnaire is None:
        raise LookupError(f"no questionnaire {form_id}")
    submissions = db.session.scalars(
        select(Submission).where(Submission.campaign_id == campaign.id,
                                 Submission.questionnaire_id == questionnaire.id)
        .options(selectinload(Submission.case), selectinload(Submission.unit)))
    rows, exclusions, flagged = [], {}, _excluded_flags(campaign)
    for submission in submissions:
        rule = _exclusion(submission, flagged)
        if rule:
            exclusions[rule] = exclusions.get(rule, 0) + 1
        else:
            rows.append(_row(submission))
    data = pd.DataFrame(rows, columns=None if rows else DESIGN_COLUMNS)
    return AnalysisTable(data=data, exclusions=exclusions, labels=_labels(questionnaire))
