"""Administrators' pages: people and roles, units, frameworks and questionnaires."""
from flask import flash, redirect, render_template, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey_app import queries
from survey_app.access import roles_required
from survey_app.admin import bp
from survey_app.admin.forms import UserForm
from survey_app.extensions import db
from survey_app.formatting import role_label
from survey_app.i18n import _
from survey_app.models import (AdminUnit, AuditEntry, Framework, QuestionnaireVersion, Role, User,
                               UserRole)


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    counts = {
        "units": db.session.query(AdminUnit).count(),
        "frameworks": db.session.query(Framework).count(),
        "questionnaires": db.session.query(QuestionnaireVersion).count(),
    }
    audit = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(20))
    return render_template("admin/index.html", counts=counts, audit=list(audit),
                           campaigns=queries.campaigns())


def _user_form() -> UserForm:
    form = UserForm()
    form.role.choices = [SelectChoice(r.value, role_label(r)) for r in Role]
    return form


def _check_new_account(form: UserForm):
    """Checks that need the database, run even when other fields are wrong, so all errors show."""
    unit = None
    if form.unit_code.data and not form.unit_code.errors:
        unit = queries.unit_by_code(form.unit_code.data.strip())
        if unit is None:
            form.unit_code.errors.append(_("No unit has this code."))
    if form.username.data and db.session.scalar(select(User).where(User.username == form.username.data)):
        form.username.errors.append(_("This username is taken."))
    return unit


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def users():
    form = _user_form()
    if form.is_submitted():
        form.validate()
        unit = _check_new_account(form)
        if not form.errors:
            user = User(username=form.username.data, full_name=form.full_name.data,
                        email=form.email.data or None)
            user.set_password(form.password.data)
            user.roles.append(UserRole(role=Role(form.role.data), unit=unit))
            db.session.add(user)
            db.session.commit()
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    people = db.session.scalars(select(User).order_by(User.username))
    status = 422 if form.errors else 200
    return render_template("admin/users.html", form=form, users=list(people)), status


@bp.route("/content")
@roles_required(Role.ADMIN)
def content():
    frameworks = db.session.scalars(select(Framework).order_by(Framework.code, Framework.version))
    versions = db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id))
    return render_template("admin/content.html", frameworks=list(frameworks),
                           versions=list(versions))
