"""Back-check pages (*phúc tra*): draw a share of each enumerator's completed interviews, then
enter the answers re-asked on re-contact; the agreement goes to the dashboard."""
from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.forms import BackCheckDrawForm
from survey_app.field.sample_forms import NumberField, WholeNumberField
from survey_app.field.sample_pages import SUPERVISORS
from survey_app.field.scope import can_supervise, supervised_enumerators
from survey_app.i18n import _, lazy_gettext as _l, ngettext
from survey_app.models import BackCheck, Submission
from survey_app.models.base import utcnow
from survey_app.quality import backcheck


class SeededDrawForm(BackCheckDrawForm):
    share = NumberField(_l("Share of each enumerator's completed interviews (%)"), default=10, validators=[
        InputRequired(message=_l("Enter a number from %(min)s to %(max)s.")),
        NumberRange(min=1, max=100, message=_l("Enter a number from %(min)s to %(max)s."))])
    seed = WholeNumberField(_l("Seed (empty: random)"), validators=[Optional()])


def _list_page(form, status=200):
    ids = [u.id for u in supervised_enumerators()]
    checks = list(db.session.scalars(
        select(BackCheck).join(Submission, Submission.id == BackCheck.submission_id)
        .where(Submission.enumerator_id.in_(ids)).options(selectinload(BackCheck.submission))
        .order_by(BackCheck.checked_at.is_not(None), BackCheck.id.desc()).limit(500))) if ids else []
    names = {u.id: u.full_name for u in supervised_enumerators()}
    return render_template("field/backchecks.html", form=form, checks=checks, names=names), status


@bp.route("/supervision/backchecks")
@roles_required(*SUPERVISORS)
def backchecks():
    return _list_page(SeededDrawForm())


@bp.route("/supervision/backchecks/draw", methods=["POST"])
@roles_required(*SUPERVISORS)
def draw_backchecks():
    """Draw (or top up) each enumerator's back-check sample of the user's area."""
    form = SeededDrawForm()
    if not form.validate_on_submit():
        return _list_page(form, 422)
    seed = form.seed.data if form.seed.data is not None else secrets.randbelow(10**9)
    drawn = backcheck.draw(supervised_enumerators(), form.share.data / 100, seed, current_user.id)
    db.session.commit()
    flash(ngettext("%(num)d interview is drawn for a back-check (seed %(seed)s).",
                   "%(num)d interviews are drawn for a back-check (seed %(seed)s).", drawn, seed=seed),
          "success")
    return redirect(url_for("field.backchecks"))


def _question_fields(definition: dict, keys: list[str]) -> list[tuple[str, object]]:
    """One field per key: a select over the question's choices, else a short text."""
    locale, default = str(get_locale()), definition.get("default_language")
    by_name = {q["name"]: q for q in definition.get("questions", [])}
    fields = []
    for key in keys:
        question = by_name.get(key, {})
        label = backcheck.text_in(question.get("labels"), locale, default) or key
        if question.get("choices"):
            choices = [SelectChoice("", _("Not asked again"))] + [
                SelectChoice(c["name"], backcheck.text_in(c["labels"], locale, default) or c["name"])
                for c in question["choices"]]
            fields.append((key, SelectField(label, choices=choices, validate_choice=False)))
        else:
            fields.append((key, StringField(label, validators=[Length(max=200, message=_l(
                "At most %(max)d characters."))])))
    return fields


def _answer_form(check: BackCheck):
    class AnswerForm(FlaskForm):
        pass

    for key, field in _question_fields(check.submission.questionnaire_version.definition, check.keys):
        setattr(AnswerForm, f"q_{key}", field)
    return AnswerForm(data={f"q_{k}": v for k, v in (check.answers or {}).items()})


def _check_or_404(check_id: int) -> BackCheck:
    check = db.session.get(BackCheck, check_id)
    if check is None:
        abort(404)
    if not can_supervise(check.submission.unit):
        abort(403)
    return check


@bp.route("/supervision/backchecks/<int:check_id>", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def backcheck_entry(check_id: int):
    """Enter the re-asked answers; the comparison is shown only once they are saved."""
    check = _check_or_404(check_id)
    form = _answer_form(check)
    errors = []
    if form.validate_on_submit():
        answers = {k: (request.form.get(f"q_{k}") or "").strip() for k in check.keys}
        answers = {k: v for k, v in answers.items() if v}
        value = backcheck.agreement(check.submission.answers, answers, check.keys)
        if value is None:
            errors.append(_("Enter at least one answer given on re-contact."))
        else:
            check.answers, check.agreement = answers, value
            check.checked_by_id, check.checked_at = current_user.id, utcnow()
            db.session.commit()
            flash(_("The back-check is saved."), "success")
            return redirect(url_for("field.backcheck_entry", check_id=check.id))
    status = 422 if errors or form.errors else 200
    return render_template("field/backcheck.html", check=check, form=form, errors=errors,
                           fields=[f for f in form if f.name.startswith("q_")]), status
