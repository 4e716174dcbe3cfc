"""Forms of the campaign pages; every message in the reader's language."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from survey_app.i18n import lazy_gettext as _l

REASON = [DataRequired(message=_l("Give the reason for the change.")),
          Length(max=4000, message=_l("At most 4,000 characters."))]
DATE_MESSAGE = _l("Enter a date as dd/mm/yyyy or yyyy-mm-dd.")


class Dates(DateField):
    """A date typed the Vietnamese way (31/10/2025) or from a date picker (2025-10-31)."""

    def __init__(self, label, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d/%m/%Y"], validators=[Optional()],
                         invalid_value_message=DATE_MESSAGE, **kwargs)


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CreateForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the campaign's code.")),
                                               Length(max=64)])
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the campaign a title.")),
                                                 Length(max=300)])
    year = IntegerField(_l("Year"), validators=[InputRequired(message=_l("Enter the year, e.g. 2025.")),
                                                NumberRange(2000, 2100, message=_l("The year must be between 2000 and 2100."))])
    province = SelectField(_l("Province"), validators=[DataRequired(message=_l("Choose the province."))])
    framework = SelectField(_l("Framework version"), validators=[DataRequired(message=_l("Choose the framework."))])
    levels = CheckboxList(_l("Levels assessed"), validators=[DataRequired(message=_l("Choose at least one level to assess."))])
    units = TextAreaField(_l("Units in scope (codes separated by commas; empty: every unit of the levels valid in the year)"),
                          validators=[Optional(), Length(max=20000)])
    citizens = SelectField(_l("Questionnaire for citizens"), validators=[Optional()])
    staff = SelectField(_l("Questionnaire for civil servants"), validators=[Optional()])
    self_assessment_deadline = Dates(_l("Self-assessment deadline"))
    round_1 = Dates(_l("Deadline of appraisal round 1"))
    round_2 = Dates(_l("Deadline of appraisal round 2"))
    fieldwork_start = Dates(_l("Fieldwork starts"))
    fieldwork_end = Dates(_l("Fieldwork ends"))
    sampling_plan = TextAreaField(_l("Sampling plan (JSON)"), validators=[Optional(), Length(max=20000)])


class AdvanceForm(FlaskForm):
    expected = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=4000)])


class ExtendForm(FlaskForm):
    deadline = SelectField(_l("Deadline"), validators=[DataRequired(message=_l("Choose the deadline."))])
    new_date = Dates(_l("New date"))
    reason = TextAreaField(_l("Reason"), validators=REASON)


class ReopenForm(FlaskForm):
    unit = SelectField(_l("Unit"), validators=[DataRequired(message=_l("Choose the unit."))])
    until = Dates(_l("Open until"))
    reason = TextAreaField(_l("Reason"), validators=REASON)


class MemberForm(FlaskForm):
    username = SelectField(_l("Appraiser"), validators=[DataRequired(message=_l("Choose an appraiser."))])


class AssignForm(FlaskForm):
    member = SelectField(_l("Council member"), validators=[DataRequired(message=_l("Choose a council member."))])
    units = CheckboxList(_l("Units"), validators=[DataRequired(message=_l("Choose at least one unit."))])


class SignOffForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
