from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from survey_app.auth.passwords import PasswordPolicy
from survey_app.i18n import lazy_gettext as _l
from survey_app.models import Role


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(message=_l("Enter a username.")),
        Length(min=3, max=80, message=_l("A username has 3 to 80 characters.")),
        Regexp(r"^[a-z0-9._-]+$", message=_l("Use lower-case letters, digits, dots, dashes or underscores."))])
    full_name = StringField(_l("Full name"), validators=[
        DataRequired(message=_l("Enter the person's name.")), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[
        Optional(), Email(message=_l("Enter a valid e-mail address.")), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter a password.")),
        PasswordPolicy()])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value) for r in Role],
                       validators=[DataRequired(message=_l("Choose a role."))])
    unit_code = StringField(_l("Unit code (empty: the whole province)"), validators=[
        Optional(), Length(max=32)])
