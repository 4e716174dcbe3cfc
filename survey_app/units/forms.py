"""Forms of self-assessment and appraisal; every message in the reader's language."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from survey_app.i18n import _
from survey_app.i18n import lazy_gettext as _l

REASON = Length(max=4000, message=_l("At most 4,000 characters."))


def parse_points(text: str | None) -> Decimal | None:
    """``"0,75"`` or ``"0.75"`` → ``Decimal("0.75")``; empty → None; ValueError otherwise."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def check_points(value: Decimal, maximum: Decimal, step: Decimal) -> str | None:
    """The translated problem with ``value`` for a sub-criterion, or None."""
    from survey_app.formatting import points

    if value < 0:
        return _("Points cannot be negative.")
    if value > maximum:
        return _("At most %(max)s points.", max=points(maximum))
    if step and value % step != 0:
        return _("Points go in steps of %(step)s.", step=points(step))
    return None


class PointsValidator:
    """Validate a points field against its sub-criterion's maximum and step."""

    def __init__(self, maximum: Decimal, step: Decimal):
        self.maximum, self.step = maximum, step

    def __call__(self, form, field):
        try:
            value = parse_points(field.data)
        except ValueError:
            raise ValidationError(_("Enter a number of points, e.g. 0,75.")) from None
        if value is not None:
            problem = check_points(value, self.maximum, self.step)
            if problem:
                raise ValidationError(problem)


def self_assessment_form(nodes, default_step: Decimal, formdata=None, data=None):
    """A form with a points field and an explanation per self-scored sub-criterion."""
    class SelfAssessmentForm(FlaskForm):
        save = SubmitField(_l("Save draft"))
        submit_final = SubmitField(_l("Submit self-assessment"))

    for node in nodes:
        step = node.step or default_step
        setattr(SelfAssessmentForm, f"p_{node.id}", StringField(
            _l("Self-assessed points"), validators=[Optional(), PointsValidator(node.max_points, step)]))
        setattr(SelfAssessmentForm, f"e_{node.id}", TextAreaField(_l("Explanation"), validators=[REASON]))
    return SelfAssessmentForm(formdata=formdata, data=data)


class DecisionForm(FlaskForm):
    """The council's decision on one score: recognise or adjust, always with a reason."""

    decision = RadioField(_l("Appraisal decision"), choices=[SelectChoice("recognise", _l("Recognise the self-assessed points")),
                                                    SelectChoice("adjust", _l("Adjust the points"))],
                          validators=[DataRequired(message=_l("Choose recognise or adjust."))])
    points = StringField(_l("Appraised points"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for the decision"), validators=[
        DataRequired(message=_l("Give the reason for the decision.")), REASON])
    save_decision = SubmitField(_l("Record the decision"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Reply to the appraisal"), validators=[
        DataRequired(message=_l("Write the reply.")), REASON])
    send_reply = SubmitField(_l("Send the reply"))


class EvidenceForm(FlaskForm):
    file = FileField(_l("Evidence file (PDF, image or office document)"),
                     validators=[FileRequired(message=_l("Choose a file."))])
    upload = SubmitField(_l("Attach"))


class RecogniseAllForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the decision"), validators=[
        DataRequired(message=_l("Give the reason for the decision.")), REASON])
    reviewed = HiddenField()
    recognise_all = SubmitField(_l("Recognise every undecided score"))


class RoundForm(FlaskForm):
    step = HiddenField(validators=[DataRequired()])
    go = SubmitField(_l("Confirm"))
