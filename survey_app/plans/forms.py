"""The plans' forms: fields and labels only. Every value is checked once, by the service
(:mod:`survey_app.plans.plans`, ``targets``, ``tasks``, ``national``), whose refusal the page shows."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from survey_app.i18n import lazy_gettext as _l
from survey_app.models import TargetKind
from survey_app.plans.national import INDICES
from survey_app.plans.targets import KIND_LABELS


def _national_choices(empty: bool):
    found = [SelectChoice(n.value, names.label) for n, names in INDICES.items()]
    return [SelectChoice("", _l("None"))] + found if empty else found


class PlanForm(FlaskForm):
    campaign = SelectField(_l("Published results the plan starts from"), validate_choice=False)
    code = StringField(_l("Plan code"))
    year = StringField(_l("Year of the plan"))
    title = StringField(_l("Title"))
    issuing_body = StringField(_l("Issuing body"))
    number = StringField(_l("Number (e.g. 125/KH-UBND)"))
    issued_on = StringField(_l("Date (YYYY-MM-DD)"))
    signer = StringField(_l("Signer"))
    purpose = TextAreaField(_l("I. Purpose and requirements"), render_kw={"rows": 8})
    organisation = TextAreaField(_l("III. Organisation of implementation"), render_kw={"rows": 8})


class TargetForm(FlaskForm):
    unit = SelectField(_l("Unit"), validate_choice=False)
    kind = SelectField(_l("Kind of target"), choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in TargetKind],
                       validate_choice=False)
    subject = StringField(_l("Field code or survey variable (when the kind needs one)"))
    value = StringField(_l("Value to reach"))
    national_index = SelectField(_l("National index"), validate_choice=False)
    note = StringField(_l("Note"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.national_index.choices = _national_choices(True)


class DraftForm(FlaskForm):
    mode = RadioField(_l("Units"), choices=[SelectChoice("lowest", _l("The lowest ranked of each level")),
                                            SelectChoice("all", _l("All units")),
                                            SelectChoice("chosen", _l("The units chosen below"))],
                      default="lowest", validate_choice=False)
    per_level = StringField(_l("How many of the lowest ranked per level"), default="3")
    units = StringField(_l("Unit codes (for “the units chosen”, separated by spaces)"))
    per_unit = StringField(_l("Sub-criteria per unit (those with the most points to regain)"), default="5")
    lead_unit = SelectField(_l("Lead unit"), validate_choice=False)
    deadline = StringField(_l("Deadline (YYYY-MM-DD)"))


class TaskForm(FlaskForm):
    title = StringField(_l("What to do"))
    description = TextAreaField(_l("Details"), render_kw={"rows": 5})
    criteria = StringField(_l("Sub-criteria served (codes, separated by spaces)"))
    lead_unit = SelectField(_l("Lead unit"), validate_choice=False)
    partners = StringField(_l("Cooperating units (codes, separated by spaces)"))
    deadline = StringField(_l("Deadline (YYYY-MM-DD)"))
    expected_points = StringField(_l("Expected points"))
    national_index = SelectField(_l("National index served"), validate_choice=False)
    national_component = StringField(_l("Component of the national index"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.national_index.choices = _national_choices(True)


class NationalForm(FlaskForm):
    index = SelectField(_l("National index"), validate_choice=False)
    year = StringField(_l("Year"))
    province = StringField(_l("Province (as the index names it)"))
    score = StringField(_l("Score"))
    rank = StringField(_l("Rank"))
    group = StringField(_l("Group"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.index.choices = _national_choices(False)


class NationalImportForm(FlaskForm):
    file = FileField(_l("National index results (CSV, UTF-8)"), validators=[FileRequired(message=_l("Choose a file."))])
