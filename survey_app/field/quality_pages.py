"""Quality settings per questionnaire (*ngưỡng kiểm soát chất lượng*) and the supervisor's
decision on each flag: excluded from the analysis or kept. Both are written to the audit log
(``QualitySettings.__audited__``, ``QualityFlag.__audited__``).

The settings apply to every area interviewed with the questionnaire, so only a supervisor of a
whole province using it (or an administrator) may change them.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.sample_forms import NumberField, WholeNumberField
from survey_app.field.sample_pages import SUPERVISORS
from survey_app.field.scope import can_supervise, reachable_campaigns, whole_province
from survey_app.i18n import _, lazy_gettext as _l
from survey_app.models import (CampaignQuestionnaire, QualityFlag, QualitySettings, Questionnaire,
                               QuestionnaireVersion)
from survey_app.quality.backcheck import default_keys
from survey_app.quality.intake import settings_for

RANGE = _l("Enter a number from %(min)s to %(max)s.")


def _number(label, low, high, whole=False):
    kind = WholeNumberField if whole else NumberField
    return kind(label, validators=[InputRequired(message=RANGE), NumberRange(min=low, max=high, message=RANGE)])


class QualitySettingsForm(FlaskForm):
    min_seconds_per_question = _number(_l("Minimum seconds per answered question"), 0, 600)
    straightline_share = _number(_l("Straight-lining: share of answer grids with one answer (%)"), 1, 100)
    earliest_hour = _number(_l("Usual hours: earliest start (hour)"), 0, 23, whole=True)
    latest_hour = _number(_l("Usual hours: latest start (hour)"), 1, 24, whole=True)
    location_radius_m = _number(_l("Same location: radius (m)"), 1, 10000)
    max_at_location = _number(_l("Same location: interviews that raise a flag"), 2, 1000, whole=True)
    off_area_km = _number(_l("Outside the village: distance (km)"), 0.1, 1000)
    backcheck_keys = StringField(_l("Questions re-asked in back-checks (names, separated by commas)"),
                                 validators=[Optional(), Length(max=1000)])


def _questionnaires() -> dict[int, Questionnaire]:
    """Questionnaires of campaigns whose whole province the user supervises."""
    campaigns = [c.id for c in reachable_campaigns() if whole_province(c)]
    return {q.id: q for q in db.session.scalars(
        select(Questionnaire).join(QuestionnaireVersion).join(CampaignQuestionnaire)
        .where(CampaignQuestionnaire.campaign_id.in_(campaigns)).order_by(Questionnaire.form_id))} if campaigns else {}


@bp.route("/supervision/quality")
@roles_required(*SUPERVISORS)
def quality_settings_list():
    return render_template("field/quality_list.html", questionnaires=_questionnaires().values())


def _names(questionnaire: Questionnaire) -> set[str]:
    return {q["name"] for v in questionnaire.versions for q in v.definition.get("questions", [])}


def _save(form: QualitySettingsForm, questionnaire: Questionnaire) -> bool:
    """Store the thresholds, or put the errors on the form."""
    keys = [k.strip() for k in (form.backcheck_keys.data or "").split(",") if k.strip()]
    unknown = [k for k in keys if k not in _names(questionnaire)]
    if unknown:
        form.backcheck_keys.errors = [_("Not a question of this questionnaire: %(names)s.", names=", ".join(unknown))]
    if form.earliest_hour.data >= form.latest_hour.data:
        form.latest_hour.errors = [_("The latest hour must come after the earliest.")]
    if unknown or form.earliest_hour.data >= form.latest_hour.data:
        return False
    row = settings_for(questionnaire.id)
    for name in ("min_seconds_per_question", "earliest_hour", "latest_hour", "location_radius_m",
                 "max_at_location", "off_area_km"):
        setattr(row, name, getattr(form, name).data)
    row.straightline_share = form.straightline_share.data / 100
    row.backcheck_keys = keys
    db.session.add(row)
    db.session.commit()
    return True


@bp.route("/supervision/quality/<int:questionnaire_id>", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def quality_settings(questionnaire_id: int):
    """The thresholds of the intake checks of one questionnaire; changes are audited."""
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        abort(404)
    if questionnaire_id not in _questionnaires():
        abort(403)
    current = settings_for(questionnaire.id)
    shown = {f.name: getattr(current, f.name, None) for f in QualitySettingsForm(meta={"csrf": False})}
    shown.update(straightline_share=round(current.straightline_share * 100, 4),
                 backcheck_keys=", ".join(current.backcheck_keys or []))
    form = QualitySettingsForm(data=shown)
    if form.validate_on_submit() and _save(form, questionnaire):
        flash(_("The quality settings are saved; they apply to interviews received from now on."), "success")
        return redirect(url_for("field.quality_settings", questionnaire_id=questionnaire.id))
    defaults = default_keys(questionnaire.versions[-1].definition) if questionnaire.versions else []
    status = 422 if form.is_submitted() and any(f.errors for f in form) else 200
    return render_template("field/quality_settings.html", form=form, questionnaire=questionnaire,
                           defaults=defaults), status


@bp.route("/supervision/flags/<int:flag_id>/exclusion", methods=["POST"])
@roles_required(*SUPERVISORS)
def flag_exclusion(flag_id: int):
    """Mark a quality flag as excluding its interview from the analysis, or not (audited)."""
    flag = db.session.get(QualityFlag, flag_id)
    if flag is None:
        abort(404)
    if not can_supervise(flag.submission.unit):
        abort(403)
    choice = request.form.get("excluded")
    if not FlaskForm().validate_on_submit():
        abort(400)
    if choice not in ("0", "1"):
        abort(400)
    flag.excluded = choice == "1"
    db.session.commit()
    flash(_("The interview is excluded from the analysis.") if flag.excluded
          else _("The interview is kept in the analysis despite this flag."), "success")
    return redirect(url_for("field.review", submission_id=flag.submission_id))
