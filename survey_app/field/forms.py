"""Forms of the field pages; every validator speaks the reader's language."""
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from survey_app.auth.passwords import PasswordPolicy
from survey_app.i18n import lazy_gettext as _l

VISIT_OUTCOMES = [SelectChoice("no_contact", _l("No contact")), SelectChoice("refused", _l("Refused")),
                  SelectChoice("ineligible", _l("Ineligible"))]
REVIEW_STATES = [SelectChoice("has_issues", _l("Has issues")),
                 SelectChoice("rejected", _l("Rejected: back to the enumerator")),
                 SelectChoice("approved", _l("Approved")), SelectChoice("", _l("Comment only"))]


class VisitForm(FlaskForm):
    """A visit that did not give an interview (*lần đến không thành công*)."""

    outcome = SelectField(_l("Outcome"), choices=VISIT_OUTCOMES,
                          validators=[DataRequired(message=_l("Choose the outcome of the visit."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000, message=_l(
        "At most %(max)d characters."))])


class ReviewForm(FlaskForm):
    """A supervisor's comment, possibly moving the review state."""

    state = SelectField(_l("New review state"), choices=REVIEW_STATES, validate_choice=True)
    #: The interview's answer keys (set by the view); the enumerator's correction opens there.
    question = SelectField(_l("About the question (optional)"), choices=[SelectChoice("", "—")],
                           default="", validate_choice=False)
    body = TextAreaField(_l("Comment"), validators=[
        DataRequired(message=_l("Write a comment for the enumerator.")),
        Length(max=4000, message=_l("At most %(max)d characters."))])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (revoke a device, draw a back-check sample)."""


class ConflictForm(FlaskForm):
    """A supervisor's decision on a send kept aside, with the reason for the record."""

    note = TextAreaField(_l("Note"), validators=[
        DataRequired(message=_l("Write why you decide so.")),
        Length(max=2000, message=_l("At most %(max)d characters."))])


class EnumeratorForm(FlaskForm):
    """An enumerator account created by a supervisor, scoped to one unit of their area."""

    username = StringField(_l("Username"), validators=[
        DataRequired(message=_l("Enter a username.")), Length(max=80),
        Regexp(r"^[a-z0-9._-]+$", message=_l("Use lowercase letters, digits, dots, dashes."))])
    full_name = StringField(_l("Full name"), validators=[
        DataRequired(message=_l("Enter the full name.")), Length(max=200)])
    unit = SelectField(_l("Area"), coerce=int, validate_choice=True)
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter a password.")),
        PasswordPolicy()])


class BackCheckDrawForm(FlaskForm):
    share = FloatField(_l("Share of each enumerator's completed interviews (%)"), default=10, validators=[
        NumberRange(min=1, max=100, message=_l("Enter a number from %(min)s to %(max)s."))])


class SampleSizeForm(FlaskForm):
    """The sample-size helper's inputs (GET form: no CSRF needed, nothing is stored)."""

    class Meta:
        csrf = False

    population = IntegerField(_l("Population N"), validators=[
        DataRequired(message=_l("Enter the population size.")),
        NumberRange(min=1, message=_l("Enter a number from %(min)s to %(max)s."))])
    margin = FloatField(_l("Margin of error e (%)"), default=5, validators=[
        NumberRange(min=0.1, max=50, message=_l("Enter a number from %(min)s to %(max)s."))])
    deff = FloatField(_l("Design effect"), default=1.0, validators=[
        NumberRange(min=1, max=20, message=_l("Enter a number from %(min)s to %(max)s."))])
    response_rate = FloatField(_l("Expected response rate (%)"), default=100, validators=[
        NumberRange(min=1, max=100, message=_l("Enter a number from %(min)s to %(max)s."))])
