"""Translated names of round states, decisions and audit entries, as template filters."""
from __future__ import annotations

from survey_app.i18n import _
from survey_app.units import bp


def _lookup(labels: dict, key) -> str:
    key = getattr(key, "value", key)
    return labels.get(key, key)


@bp.app_template_filter()
def round_label(status) -> str:
    return _lookup({"open": _("open for appraisal"), "unit_reply": _("waiting for the units' replies"),
                    "closed": _("round closed")}, status)


@bp.app_template_filter()
def round_step_label(step) -> str:
    return _lookup({"open_1": _("Open appraisal round 1"), "reply": _("Send round 1 to the units for reply"),
                    "open_2": _("Open appraisal round 2"), "close": _("Close appraisal (final)")}, step)


@bp.app_template_filter()
def method_label(method) -> str:
    return _lookup({"self_assessed": _("self-assessed"), "survey": _("survey-scored"), "bonus": _("bonus"),
                    "penalty": _("penalty")}, method)


@bp.app_template_filter()
def decision_label(kind) -> str:
    return _lookup({"recognise": _("Recognised"), "adjust": _("Adjusted"), "reply": _("Unit's reply")}, kind)


@bp.app_template_filter()
def entity_label(entity) -> str:
    return _lookup({"score": _("points of the score"), "appraisal_comment": _("appraisal"), "evidence": _("evidence")}, entity)


@bp.app_template_filter()
def action_label(action) -> str:
    return _lookup({"insert": _("added"), "update": _("changed"), "delete": _("removed")}, action)


@bp.app_template_filter()
def source_label(source) -> str:
    return _lookup({"appraised": _("appraised"), "self": _("self-assessed, not yet appraised"),
                    "missing": _("no points entered"), "survey": _("survey estimate"),
                    "no_survey_result": _("no survey result")}, source)
