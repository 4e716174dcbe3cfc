"""Turn a campaign's submissions into one analysis table, with exclusions counted per rule
(:mod:`survey_app.survey_analysis.exclusions`): one query reads the design variables and the
answers as columns (:mod:`survey_app.survey_analysis.columns`), the exclusion rules sort the
whole set at once, and the kept rows become the table: no object per submission."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AdminUnit, Campaign, Channel, Questionnaire, SampleCase, Submission
from survey_app.survey_analysis import columns
from survey_app.survey_analysis import exclusions as exclusions_service
from survey_app.survey_analysis.exclusions import SEX_NAMES
from survey_app.survey_analysis.fingerprint import table_digest

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
    #: Answer columns read as numbers (whole numbers written as text): in the fingerprint they
    #: are written as the text they were read from.
    numeric: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """SHA-256 of the table as CSV, rows in instance-UUID order: the run's input identity
        (:func:`~survey_app.survey_analysis.fingerprint.table_digest`)."""
        return table_digest(self.data, self.numeric)


#: The columns read beside the answers: the exclusion rules' candidate, then the design's.
FIXED = {"id": Submission.id, "review_state": Submission.review_state, "channel": Submission.channel,
         "case_id": Submission.case_id, "selection_probability": SampleCase.selection_probability,
         "instance_uuid": Submission.instance_uuid, "unit_code": AdminUnit.code, "stratum": SampleCase.stratum,
         "cluster": SampleCase.cluster}
#: The answers read with them, by key (the exclusion rules and the raking read them).
FIXED_ANSWERS = ("sex", "age_group")
#: Every column :func:`read_fixed` reads besides the answers of its keys.
FIXED_NAMES = [*FIXED, *FIXED_ANSWERS]


def _labels(questionnaire: Questionnaire) -> dict[str, dict[str, str]]:
    version = questionnaire.versions[-1]
    return {q["name"]: q.get("labels") or {} for q in version.definition.get("questions", [])}


def read_fixed(campaign: Campaign, questionnaire: Questionnaire, rules, keys=None):
    """The questionnaire's submissions in the campaign read as columns (one query, by id) and
    the exclusion of each (:func:`~survey_app.survey_analysis.exclusions.exclusions_of`, None
    where it counts): (the Arrow table, the exclusions)."""
    connection = db.session.connection()
    query = columns.submission_columns(campaign.id, questionnaire.id, FIXED, keys, connection.dialect.name,
                                       FIXED_ANSWERS)
    table = columns.read_table(connection, query, keys or (), FIXED_ANSWERS)
    items = columns.as_frame(table, ["review_state", "channel", "sex", "age_group"])
    for name, kind in (("id", pa.int64()), ("case_id", pa.float64()), ("selection_probability", pa.float64())):
        items[name] = pc.cast(table.column(name), kind).to_numpy(zero_copy_only=False)
    items = items[list(exclusions_service.CANDIDATE_COLUMNS)]
    return table, exclusions_service.exclusions_of(items, exclusions_service.context(campaign), rules)


def read_kept(campaign: Campaign, questionnaire: Questionnaire, rules, skip=(), only=None) -> tuple:
    """The submissions ``rules`` keep, with their answers: (kept rows' fixed columns as a frame,
    their answers {key: array}, the answer keys read as numbers, the count excluded per rule).
    ``only`` names the answer keys to read (every key of the questionnaire when None)."""
    keys = columns.questionnaire_keys(questionnaire)
    if only is not None:
        keys = [k for k in keys if k in set(only)]
    table, found = read_fixed(campaign, questionnaire, rules, keys)
    kept = pd.isna(found)
    table = table if kept.all() else table.filter(pa.array(kept))
    fixed = columns.as_frame(table, FIXED_NAMES)
    answers, numeric = {}, []
    read = [(i, key) for i, key in enumerate(keys) if key not in skip]
    typed = columns.each_column(columns.typed_answers, [table.column(f"a{i}") for i, _ in read])
    for (_, key), (values, is_number) in zip(read, typed):
        if values is not None:
            answers[key] = values
            numeric += [key] if is_number else []
    return fixed, answers, numeric, exclusions_service.excluded_counts(found)


def build_table(campaign: Campaign, form_id: str, only=None) -> AnalysisTable:
    """One row per kept submission of ``form_id``: answers as columns plus the design variables;
    only the answers named in ``only`` when given (an analysis reads the questions it scores)."""
    questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.form_id == form_id))
    if questionnaire is None:
        raise LookupError(f"no questionnaire {form_id}")
    fixed, answers, numeric, excluded = read_kept(campaign, questionnaire, exclusions_service.CITIZEN_RULES,
                                                  skip=DESIGN_COLUMNS, only=only)
    if fixed.empty:
        return AnalysisTable(pd.DataFrame(columns=DESIGN_COLUMNS), excluded, _labels(questionnaire))
    data = pd.DataFrame({**answers, **design_variables(fixed)})
    return AnalysisTable(data=data, exclusions=excluded, labels=_labels(questionnaire), numeric=tuple(numeric))


def design_variables(fixed: pd.DataFrame) -> dict[str, np.ndarray]:
    """The design variables (:data:`DESIGN_COLUMNS`) of kept submissions read by :func:`read_fixed`:
    the village is the PSU, or the respondent where the case has none."""
    return {"instance_uuid": fixed["instance_uuid"].array, "unit_code": fixed["unit_code"].array,
            "stratum": fixed["stratum"].array,
            "psu": fixed["cluster"].where(fixed["cluster"].fillna("") != "", fixed["instance_uuid"]).array,
            "selection_probability": pd.to_numeric(fixed["selection_probability"]).to_numpy(dtype=float),
            "sex": _recoded(fixed["sex"], SEX_NAMES), "age_group": fixed["age_group"].array,
            "mode": _recoded(fixed["channel"], {c.value: MODES.get(c, c.value) for c in Channel})}


def _recoded(column: pd.Series, names: dict[str, str]):
    """``column``'s codes renamed (missing where ``names`` has none), one lookup per distinct code."""
    codes, uniques = pd.factorize(column)
    renamed = pd.array([names.get(u) for u in uniques] + [None], dtype=columns.TEXT)
    return renamed.take(np.where(codes < 0, len(uniques), codes))
