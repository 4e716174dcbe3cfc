"""Sign in and out; each role lands on its own page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from survey_app.auth import bp
from survey_app.auth.forms import LoginForm, PasswordChangeForm
from survey_app.auth.passwords import same_work_for_unknown
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


def _account_key() -> str:
    """The rate-limit key of the account a sign-in names (lower case, at most 80 characters)."""
    return "login-account:" + (request.form.get("username") or "").strip().lower()[:80]


def _failed(response) -> bool:
    return response.status_code == 422


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_LIMIT"], methods=["POST"], key_func=_account_key,
               deduct_when=_failed)
def login():
    """Sign in. Limits in the shared rate-limit storage: attempts per address, failures per account;
    an unknown username costs the same password check as a known one."""
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None:
            same_work_for_unknown(form.password.data)
        if user is None or not user.check_password(form.password.data) or not user.active:
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
    """Sign out here and on the server: the session cookie and remember token stop working."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/me")
@login_required
def me():
    return redirect(landing_url(current_user))


def _password_key() -> str:
    return f"password-change:{current_user.get_id().partition('.')[0]}"


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_LIMIT"], methods=["POST"], key_func=_password_key,
               deduct_when=_failed)
def change_password():
    """A signed-in user changes their own password: the current one is asked, the new one follows
    the policy, and every other session of the account ends (this one goes on)."""
    form = PasswordChangeForm(current_user.username)
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            user = current_user._get_current_object()
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            user.set_password(form.new.data)  # a new session token: the other sessions end
            db.session.commit()
            login_user(user, remember=remembered)
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(landing_url(user))
    return render_template("auth/password.html", form=form), 200 if not form.errors else 422
