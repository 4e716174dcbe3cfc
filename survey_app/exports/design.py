"""Weights of every submission, as the analysis computes them, for the exports.

The same exclusion rules and the same raking as ``flask --app wsgi analyse``
(:mod:`survey_app.survey_analysis.table`, :mod:`survey_app.survey_analysis.weights`), but read
from a narrow query (design columns, sex and age group) and kept as arrays in submission-id
order, so a large campaign's weights cost a few bytes per row and never its answers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AdminUnit, Campaign, Questionnaire, ReviewState, SampleCase, Submission
from survey_app.survey_analysis.table import SEX_NAMES, non_probability
from survey_app.survey_analysis.weights import weighted_design

DESIGN_COLUMNS = ["unit_code", "stratum", "psu", "selection_probability", "sex", "age_group"]


@dataclass
class DesignWeights:
    """Per submission, in ``Submission.id`` order: base weight, final weight, analysed (1/0)."""

    base_weight: np.ndarray
    weight: np.ndarray
    analysed: np.ndarray


def questionnaire_for(form_id: str) -> Questionnaire:
    found = db.session.scalar(select(Questionnaire).where(Questionnaire.form_id == form_id))
    if found is None:
        raise LookupError(f"no questionnaire {form_id}")
    return found


def submissions_query(campaign: Campaign, questionnaire: Questionnaire, *columns):
    """``columns`` of the campaign's submissions of one form with their unit and case, by id."""
    return (select(*columns).join(AdminUnit, AdminUnit.id == Submission.unit_id)
            .outerjoin(SampleCase, SampleCase.id == Submission.case_id)
            .where(Submission.campaign_id == campaign.id, Submission.questionnaire_id == questionnaire.id)
            .order_by(Submission.id).execution_options(yield_per=5000))


def _kept(state, probability, sex, age, channel=None) -> bool:
    """The analysis table's rules (see ``table._exclusion``): reviewed, not self-selected, sampled,
    sex and age known."""
    return (state is not ReviewState.REJECTED and not non_probability(channel) and bool(probability)
            and sex in SEX_NAMES and bool(age))


def design_weights(campaign: Campaign, form_id: str) -> DesignWeights:
    """Raked weights of the analysed submissions; NaN for the excluded ones."""
    query = submissions_query(
        campaign, questionnaire_for(form_id), Submission.instance_uuid, AdminUnit.code,
        Submission.review_state, SampleCase.stratum, SampleCase.cluster, SampleCase.selection_probability,
        Submission.answers["sex"].as_string(), Submission.answers["age_group"].as_string(), Submission.channel)
    positions, kept = [], []
    count = 0
    for uuid, unit, state, stratum, cluster, probability, sex, age, channel in db.session.execute(query):
        if _kept(state, probability, sex, age, channel):
            positions.append(count)
            kept.append((unit, stratum, cluster or uuid, probability, SEX_NAMES[sex], age))
        count += 1
    out = DesignWeights(np.full(count, np.nan), np.full(count, np.nan), np.zeros(count, dtype=np.int8))
    if kept:
        frame = pd.DataFrame(kept, columns=DESIGN_COLUMNS)
        del kept
        design, _ = weighted_design(frame, campaign)
        index = np.asarray(positions)
        out.base_weight[index] = 1.0 / frame["selection_probability"].to_numpy(dtype=float)
        out.weight[index] = np.asarray(design.weights, dtype=float)
        out.analysed[index] = 1
    return out
