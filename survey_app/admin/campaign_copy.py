"""The page of ``flask campaign copy``: last year's campaign copied to a new draft campaign,
its units carried through the recorded successions and its framework chosen again."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from survey_app import queries
from survey_app.access import roles_required
from survey_app.admin import bp
from survey_app.campaigns.copy import CopyRefused, copy_campaign
from survey_app.extensions import db
from survey_app.i18n import _, lazy_gettext as _l
from survey_app.models import Framework, Role


class CopyForm(FlaskForm):
    code = StringField(_l("Code of the new campaign"), validators=[
        DataRequired(message=_l("Enter a code.")), Length(max=64)])
    year = IntegerField(_l("Year"), validators=[
        DataRequired(message=_l("Enter the year.")),
        NumberRange(min=2000, max=2100, message=_l("Enter a year between 2000 and 2100."))])
    framework = SelectField(_l("Framework"), validators=[DataRequired(message=_l("Choose a framework."))])
    title = StringField(_l("Title (empty: last year's with the new year)"), validators=[Optional(), Length(max=300)])


@bp.route("/campaigns/<code>/copy", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def campaign_copy(code):
    source = queries.campaign_by_code(code)
    if source is None:
        abort(404)
    form = CopyForm()
    frameworks = db.session.scalars(select(Framework).order_by(Framework.code, Framework.id))
    form.framework.choices = [(f"{f.code}:{f.version}", f"{f.code} {f.version} · {f.title}") for f in frameworks]
    if not form.is_submitted():
        form.framework.data = f"{source.framework.code}:{source.framework.version}"
        form.year.data = source.year + 1
    elif form.validate():
        try:
            result = copy_campaign(code, form.code.data.strip(), form.year.data, form.framework.data,
                                   form.title.data or None)
        except CopyRefused as exc:
            db.session.rollback()
            form.code.errors.append(str(exc))
        else:
            flash(_("Campaign %(code)s created in draft with %(units)s units.",
                    code=result.campaign.code, units=len(result.campaign.units)), "success")
            if result.dropped:
                flash(_("Not carried over (no successor the framework scores): %(units)s",
                        units=", ".join(f"{u.code} {u.name}" for u in result.dropped)), "info")
            return redirect(url_for("admin.index"))
    return render_template("admin/campaign_copy.html", form=form, source=source), 422 if form.errors else 200
