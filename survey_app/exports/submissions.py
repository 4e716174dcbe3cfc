"""Submissions as rows: design variables and weights first, then every answer, as codes or as
labels in the reader's language. Rows are produced one at a time from a server-side cursor
(``yield_per``), so CSV and XLSX writers stream them with bounded memory.
"""
from __future__ import annotations

from dataclasses import dataclass

from survey_app.exports.codebook import Variable, codebook
from survey_app.exports.design import DesignWeights, design_weights, questionnaire_for, submissions_query
from survey_app.extensions import db
from survey_app.models import AdminUnit, Campaign, SampleCase, Submission

BATCH = 2000


@dataclass
class ExportSpec:
    """What to export: a campaign's form, with codes or labels, in ``locale`` (vi or en)."""

    campaign: Campaign
    form_id: str
    locale: str = "vi"
    labels: bool = False


def latest_definition(campaign: Campaign, form_id: str) -> dict:
    """The definition of the form version the campaign uses (else the form's last version)."""
    for link in campaign.questionnaires:
        if link.questionnaire_version.questionnaire.form_id == form_id:
            return link.questionnaire_version.definition
    return questionnaire_for(form_id).versions[-1].definition


def missing_codes(campaign: Campaign) -> set[str]:
    """The framework's don't-know/refusal codes (``missing_codes``, 9 by default) as choice codes."""
    settings = ((campaign.framework.settings or {}) if campaign.framework else {}).get("satisfaction") or {}
    return {str(int(c)) if float(c).is_integer() else str(c) for c in settings.get("missing_codes", [9])}


def variables(spec: ExportSpec) -> list[Variable]:
    return codebook(latest_definition(spec.campaign, spec.form_id), spec.locale, missing_codes(spec.campaign))


#: Mode of collection of each channel: an enumerator's interview, or a self-completed web form.
FACE_TO_FACE_CHANNELS = {"enumerator", "door_to_door"}


def mode_of(channel: str) -> str:
    """``face_to_face`` for an interviewer's channel, ``web`` for a self-completed one."""
    return "face_to_face" if channel in FACE_TO_FACE_CHANNELS else "web"


def _cell(variable: Variable, value, labels: bool):
    """An answer as exported: its code, or its choice label(s) when ``labels``."""
    if value is None or value == "":
        return None
    if isinstance(value, (list, dict)):
        value = " ".join(map(str, value)) if isinstance(value, list) else str(value)
    if labels and variable.choices:
        return variable.handler.export_label(str(value), variable.choices)
    return value


def _value(value) -> float | None:
    return None if value != value else float(value)


def rows(spec: ExportSpec, columns: list[Variable] | None = None, weights: DesignWeights | None = None):
    """Yield one list of cells per submission, in the order of ``columns`` (default: codebook),
    with ``weights`` (default: :func:`design_weights`, computed here)."""
    columns = columns or variables(spec)
    weights = weights or design_weights(spec.campaign, spec.form_id)
    result = db.session.execute(submissions_query(
        spec.campaign, questionnaire_for(spec.form_id), Submission.instance_uuid, AdminUnit.code,
        Submission.review_state, SampleCase.stratum, SampleCase.cluster, SampleCase.selection_probability,
        Submission.answers, Submission.channel))
    for i, (uuid, unit_code, state, stratum, cluster, probability, answers, channel) in enumerate(result):
        if weights.design == "staff":
            stratum, cluster = unit_code, uuid
        design = {"instance_uuid": uuid, "unit_code": unit_code, "review_state": state.value,
                  "channel": channel.value, "mode": mode_of(channel.value),
                  "stratum": stratum, "psu": cluster or (uuid if stratum else None),
                  "selection_probability": probability, "base_weight": _value(weights.base_weight[i]),
                  "weight": _value(weights.weight[i]), "analysed": int(weights.analysed[i])}
        yield [design.get(v.name) if v.kind == "design" else _cell(v, answers.get(v.name), spec.labels)
               for v in columns]


def header(columns: list[Variable]) -> list[str]:
    return [v.name for v in columns]
