"""Forms of the invitations page; every message in the reader's language (WTForms has no Vietnamese)."""
from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from survey_app.i18n import lazy_gettext as _l
from survey_app.invitations.codes import MAX_BATCH

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


class CountField(IntegerField):
    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            try:
                self.data = int(str(valuelist[0]).strip().replace(".", "").replace(",", ""))
            except ValueError:
                raise ValueError(_l("Enter a whole number.")) from None


class DayField(StringField):
    """A day typed as 2024-09-15 (the phone's date picker) or 15/09/2024."""

    def process_formdata(self, valuelist):
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        for pattern in DATE_FORMATS:
            try:
                self.data = datetime.strptime(text, pattern).date()
                return
            except ValueError:
                continue
        raise ValueError(_l("Write the date as dd/mm/yyyy, for example 15/09/2024."))

    def _value(self):
        return self.data.isoformat() if self.data else ""


class BatchForm(FlaskForm):
    """A batch of codes for one unit (*tạo mã mời*)."""

    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)
    count = CountField(_l("Number of codes"), validators=[
        InputRequired(message=_l("Enter the number of codes.")),
        NumberRange(min=1, max=MAX_BATCH, message=_l("Enter a whole number from %(min)s to %(max)s."))])
    expires = DayField(_l("Valid until"), validators=[Optional()])


class LettersForm(FlaskForm):
    """Print the letters of the unused codes (one unit or all)."""

    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)
    lang = SelectField(_l("Language"), validate_choice=False,
                       choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")])


class OpenLinkForm(FlaskForm):
    """Whether anyone may answer without a code, and the hotline shown to respondents."""

    open_link = BooleanField(_l("Anyone may answer from the unit's public link, without a code"))
    helpline = StringField(_l("Hotline for respondents (optional)"), validators=[
        Optional(), Length(max=64, message=_l("At most %(max)d characters.")),
        Regexp(r"^[0-9 +().-]+$", message=_l("Use only digits, spaces and + ( ) . -"))])
