"""Turn a campaign's submissions into one analysis table, with exclusions counted per rule
(:mod:`survey_app.survey_analysis.exclusions`)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey_app.extensions import db
from survey_app.models import Campaign, Channel, Questionnaire, Submission
from survey_app.survey_analysis import exclusions as exclusions_service
from survey_app.survey_analysis.exclusions import SEX_NAMES

DESIGN_COLUMNS = ["instance_uuid", "unit_code", "stratum", "psu", "selection_probability", "sex",
                  "age_group", "mode"]
#: The collection mode of a kept answer, a variable of the analysis (a mode effect can be estimated).
MODES = {Channel.INVITATION: "self_completed", Channel.WEB_LINK: "self_completed", Channel.ENUMERATOR: "interview"}


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
    kept, exclusions = exclusions_service.counted(submissions, exclusions_service.context(campaign))
    rows = [_row(submission) for submission in kept]
    data = pd.DataFrame(rows, columns=None if rows else DESIGN_COLUMNS)
    return AnalysisTable(data=data, exclusions=exclusions, labels=_labels(questionnaire))
