"""Design variables and weights of every submission, as the analysis uses them.

The same exclusion rules and the same raking as ``flask --app wsgi analyse``
(:mod:`survey_app.survey_analysis.table`, :mod:`survey_app.survey_analysis.weights`), but read
from a narrow query (ids, design columns, sex and age group) so that a large campaign's weights
do not need every answer in memory.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AdminUnit, Campaign, Questionnaire, ReviewState, SampleCase, Submission
from survey_app.survey_analysis.table import SEX_NAMES
from survey_app.survey_analysis.weights import weighted_design


def questionnaire_for(form_id: str) -> Questionnaire:
    found = db.session.scalar(select(Questionnaire).where(Questionnaire.form_id == form_id))
    if found is None:
        raise LookupError(f"no questionnaire {form_id}")
    return found


def _design_rows(campaign: Campaign, questionnaire: Questionnaire):
    sex, age = Submission.answers["sex"].as_string(), Submission.answers["age_group"].as_string()
    return db.session.execute(
        select(Submission.instance_uuid, AdminUnit.code, Submission.review_state, SampleCase.stratum,
               SampleCase.cluster, SampleCase.selection_probability, sex, age)
        .join(AdminUnit, AdminUnit.id == Submission.unit_id)
        .outerjoin(SampleCase, SampleCase.id == Submission.case_id)
        .where(Submission.campaign_id == campaign.id, Submission.questionnaire_id == questionnaire.id)
        .execution_options(yield_per=5000))


def _kept(state, probability, sex, age) -> bool:
    """The analysis table's rules (see ``table._exclusion``): reviewed, sampled, sex and age known."""
    return state is not ReviewState.REJECTED and bool(probability) and sex in SEX_NAMES and bool(age)


def design_weights(campaign: Campaign, form_id: str) -> dict[str, dict]:
    """``{instance_uuid: {stratum, psu, selection_probability, base_weight, weight, analysed}}``.

    Excluded submissions keep their design variables, with no weight and ``analysed = 0``.
    """
    questionnaire = questionnaire_for(form_id)
    out, kept = {}, []
    for uuid, unit, state, stratum, cluster, probability, sex, age in _design_rows(campaign, questionnaire):
        out[uuid] = {"stratum": stratum, "psu": cluster or (uuid if stratum else None),
                     "selection_probability": probability, "base_weight": None, "weight": None,
                     "analysed": 0}
        if _kept(state, probability, sex, age):
            kept.append((uuid, unit, stratum, cluster or uuid, probability, SEX_NAMES[sex], age))
    if kept:
        frame = pd.DataFrame(kept, columns=["instance_uuid", "unit_code", "stratum", "psu",
                                            "selection_probability", "sex", "age_group"])
        design, _ = weighted_design(frame, campaign)
        base = 1.0 / frame["selection_probability"].to_numpy(dtype=float)
        for uuid, b, w in zip(frame["instance_uuid"], base, np.asarray(design.weights, dtype=float)):
            out[uuid].update(base_weight=float(b), weight=float(w), analysed=1)
    return out
