from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from survey_app.auth.passwords import PasswordPolicy

from survey_app.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(message=_l("Enter your username.")), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))


class PasswordChangeForm(FlaskForm):
    """A signed-in user's new password: the current one, then the new one twice (the policy's)."""

    current = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password."))])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Enter a new password.")), PasswordPolicy()])
    repeat = PasswordField(_l("New password again"), validators=[
        DataRequired(message=_l("Enter the new password again.")),
        EqualTo("new", message=_l("The two new passwords are not the same."))])

    def __init__(self, account_name: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_name = account_name  # the policy refuses a password containing it
