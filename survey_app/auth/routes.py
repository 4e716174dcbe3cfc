"""Sign in and out; each role lands on its own page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from survey_app.auth import bp
from survey_app.auth.forms import LoginForm
from survey_app.extensions import db, limiter
from survey_app.i18n import _
from survey_app.models import Role, User
from survey_app.models.base import utcnow

LANDING = {
    Role.ADMIN: "admin.index",
    Role.ANALYST: "analyst.index",
    Role.SUPERVISOR: "field.supervisor",
    Role.ENUMERATOR: "field.enumerator",
    Role.UNIT_EDITOR: "units.index",
    Role.APPRAISER: "units.appraisal",
}


def landing_url(user: User) -> str:
    role = user.primary_role()
    return url_for(LANDING[role]) if role else url_for("public.index")


def _safe_next(target: str | None) -> str | None:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None or not user.active or not user.check_password(form.password.data):
            form.password.errors.append(_("Wrong username or password."))
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or landing_url(user))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/me")
@login_required
def me():
    return redirect(landing_url(current_user))
