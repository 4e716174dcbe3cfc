"""Weights of every submission, as the analysis computes them, for the exports.

The citizens' questionnaire: the same exclusion rules (:mod:`survey_app.survey_analysis.exclusions`)
and the same raking as ``flask --app wsgi analyse`` (:mod:`survey_app.survey_analysis.table`,
:mod:`survey_app.survey_analysis.weights`), but read from a narrow query (design columns, sex and
age group) and kept as arrays in submission-id order, so a large campaign's weights cost a few bytes
per row and never its answers.
Another questionnaire the framework scores (the staff and leaders' one): the staff design of
:mod:`survey_app.survey_analysis.staff` (stratum = unit, PSU = respondent, weight 1). Any other
form of the campaign is exported without weights (not analysed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Campaign, Questionnaire
from survey_app.survey_analysis import columns, exclusions
from survey_app.survey_analysis.table import FIXED, FIXED_NAMES, design_variables, read_fixed
from survey_app.survey_analysis.staff import framework_questionnaires, staff_table
from survey_app.survey_analysis.weights import raking_margins, weighted_design

DESIGN_COLUMNS = ["unit_code", "stratum", "psu", "selection_probability", "sex", "age_group"]


@dataclass
class DesignWeights:
    """Per submission, in ``Submission.id`` order: base weight, final weight, analysed (1/0), its
    design columns as read with the weights (:data:`SUBMISSION_COLUMNS`, text) and its id (an
    export reads the answers in batches of ids and finds each row's design by its id), and which
    design they come from (``citizen``, ``staff``, or ``None`` for a form not analysed)."""

    base_weight: np.ndarray
    weight: np.ndarray
    analysed: np.ndarray
    submissions: pa.Table
    design: str | None = "citizen"
    #: The raking targets ``{margin: {"unit|level": adults}}`` (:func:`raking_margins`); empty
    #: for a design without raking.
    targets: dict = field(default_factory=dict)

    @cached_property
    def ids(self) -> np.ndarray:
        return pc.cast(self.submissions.column("id"), pa.int64()).to_numpy()


#: The columns of each submission read with the weights that an export writes (or derives its
#: design variables from), as :data:`~survey_app.survey_analysis.table.FIXED` reads them.
SUBMISSION_COLUMNS = ["id", "instance_uuid", "unit_code", "review_state", "channel", "stratum", "cluster",
                      "selection_probability"]


def campaign_forms(campaign: Campaign) -> list[Questionnaire]:
    """Every questionnaire of the campaign (citizens', staff and leaders', any imported form), once."""
    found: dict[str, Questionnaire] = {}
    for link in campaign.questionnaires:
        questionnaire = link.questionnaire_version.questionnaire
        found.setdefault(questionnaire.form_id, questionnaire)
    return list(found.values())


def design_of(campaign: Campaign, form_id: str) -> str | None:
    """``citizen`` for the SIPAS questionnaire, ``staff`` for another one the framework scores."""
    if form_id == ((campaign.framework.settings or {}).get("satisfaction") or {}).get("questionnaire"):
        return "citizen"
    return "staff" if form_id in framework_questionnaires(campaign) else None


def questionnaire_for(form_id: str) -> Questionnaire:
    found = db.session.scalar(select(Questionnaire).where(Questionnaire.form_id == form_id))
    if found is None:
        raise LookupError(f"no questionnaire {form_id}")
    return found


def design_weights(campaign: Campaign, form_id: str) -> DesignWeights:
    """Weights of the analysed submissions (:func:`design_of`); NaN for the excluded ones."""
    kind = design_of(campaign, form_id)
    if kind != "citizen":
        return _staff_weights(campaign, form_id, kind)
    table, found = read_fixed(campaign, questionnaire_for(form_id), exclusions.CITIZEN_RULES)
    count, positions = table.num_rows, np.flatnonzero(pd.isna(found))
    kept = table.take(pa.array(positions, pa.int64()))
    out = DesignWeights(np.full(count, np.nan), np.full(count, np.nan), np.zeros(count, dtype=np.int8),
                        table.select(SUBMISSION_COLUMNS))
    if len(positions):
        frame = pd.DataFrame(design_variables(columns.as_frame(kept, FIXED_NAMES)))[DESIGN_COLUMNS]
        del kept, table
        design, _ = weighted_design(frame, campaign)
        out.targets = raking_margins(frame, campaign)[1]
        index = positions
        out.base_weight[index] = 1.0 / frame["selection_probability"].to_numpy(dtype=float)
        out.weight[index] = np.asarray(design.weights, dtype=float)
        out.analysed[index] = 1
    return out


def _staff_weights(campaign: Campaign, form_id: str, kind: str | None) -> DesignWeights:
    """Weight 1 for the staff table's rows (rejected reviews left out); nothing for a form not analysed."""
    connection = db.session.connection()
    table = columns.read_table(connection, columns.submission_columns(
        campaign.id, questionnaire_for(form_id).id, {n: FIXED[n] for n in SUBMISSION_COLUMNS},
        dialect=connection.dialect.name))
    kept = set(staff_table(campaign, form_id)[0].get("respondent", [])) if kind == "staff" else set()
    analysed = pc.is_in(table.column("instance_uuid"), pa.array(list(kept), pa.string())).to_numpy(
        zero_copy_only=False).astype(np.int8)
    weight = np.where(analysed == 1, 1.0, np.nan)
    return DesignWeights(weight, weight.copy(), analysed, table, kind)
