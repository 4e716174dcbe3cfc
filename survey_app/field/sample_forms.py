"""Forms of the sample pages: import, draw, assignment. Every message in the reader's language."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FloatField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from survey_app.i18n import lazy_gettext as _l

METHOD_CHOICES = [SelectChoice("srs", _l("Simple random")), SelectChoice("systematic", _l("Systematic")),
                  SelectChoice("pps", _l("Probability proportional to size"))]
SIZES_RE = r"^\s*([^=;]+=\s*\d+\s*(;\s*|$))*$"


def whole(value) -> int:
    """A select's value as an int; 0 (no such row) for anything else, so that a tampered value
    gets our own translated message instead of WTForms' English one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class WholeNumberField(IntegerField):
    """An integer field whose parse error is translated (WTForms has no Vietnamese)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            try:
                self.data = int(str(valuelist[0]).strip())
            except ValueError:
                raise ValueError(_l("Enter a whole number.")) from None


class NumberField(FloatField):
    """A decimal field read the English or the Vietnamese way ("2.5", "2,5"), its parse error
    translated."""

    def process_formdata(self, valuelist):
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if text:
            try:
                self.data = float(text.replace(",", ".") if "." not in text else text)
            except ValueError:
                raise ValueError(_l("Enter a number.")) from None


def _number_message():
    return _l("Enter a whole number from %(min)s to %(max)s.")


class SampleImportForm(FlaskForm):
    """A sample list as a CSV file (*nhập danh sách mẫu*)."""

    campaign = SelectField(_l("Campaign"), coerce=whole, validate_choice=False)
    name = StringField(_l("Name of the list"), validators=[Optional(), Length(max=180, message=_l(
        "At most %(max)d characters."))])
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])


class SampleDrawForm(SampleImportForm):
    """A draw from a frame by stratum (*chọn mẫu từ khung mẫu*)."""

    method = SelectField(_l("Method"), choices=METHOD_CHOICES, validate_choice=False)
    per_stratum = WholeNumberField(_l("Cases per stratum"), default=10, validators=[
        DataRequired(message=_l("Enter the number of cases per stratum.")),
        NumberRange(min=1, max=100000, message=_number_message())])
    sizes = StringField(_l("Other sizes by stratum (e.g. 347=20; 349=15)"), validators=[
        Optional(), Regexp(SIZES_RE, message=_l("Write stratum=number, separated by semicolons."))])
    reserve = WholeNumberField(_l("Reserve cases per stratum"), default=0, validators=[
        Optional(), NumberRange(min=0, max=100000, message=_number_message())])
    seed = WholeNumberField(_l("Seed (empty: random)"), validators=[
        Optional(), NumberRange(min=0, max=2**31, message=_number_message())])

    def size_map(self) -> dict[str, int]:
        pairs = [p for p in (self.sizes.data or "").split(";") if p.strip()]
        return {k.strip(): int(v) for k, _, v in (p.partition("=") for p in pairs)}


class AssignForm(FlaskForm):
    """Give the ticked cases to one enumerator (the case ids come as the ``cases`` list)."""

    enumerator = SelectField(_l("Enumerator"), coerce=whole, validate_choice=False, validators=[
        DataRequired(message=_l("Choose an enumerator."))])


class RespondentsForm(FlaskForm):
    """How many respondents of one household the campaign interviews (its sampling plan's
    ``respondents_per_household``): each with its own line number, the case open until then."""

    respondents = WholeNumberField(_l("Respondents per household"), validators=[
        NumberRange(min=1, max=10, message=_number_message())])
