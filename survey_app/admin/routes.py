"""Administrators' pages: people and roles, units, frameworks and questionnaires."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
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
from survey_app.refusals import MessageRefused


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


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@roles_required(Role.ADMIN)
def end_sessions(user_id: int):
    """Sign a person out everywhere: every session cookie and remember token of theirs stops working."""
    user = _account(user_id)
    user.end_sessions()
    db.session.commit()
    flash(_("Every session of %(name)s is ended.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def set_active(user_id: int):
    """Deactivate an account (it can no longer sign in, and its sessions end) or activate it again."""
    user = _account(user_id)
    if user.active and user.id == current_user.id:
        raise MessageRefused(_("You cannot deactivate your own account."), status=409)
    user.active = not user.active
    user.end_sessions()
    db.session.commit()
    flash(_("%(name)s is activated again.", name=user.username) if user.active
          else _("%(name)s is deactivated and signed out everywhere.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/content")
@roles_required(Role.ADMIN)
def content():
    frameworks = db.session.scalars(select(Framework).order_by(Framework.code, Framework.version))
    versions = db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id))
    return render_template("admin/content.html", frameworks=list(frameworks),
                           versions=list(versions))
