"""Publishing a campaign's results from the analysts' pages (*công bố kết quả*): a confirmation
page saying what will be frozen, the decision's number, date and signer, and for a new version
its reason. The service is :func:`survey_app.campaigns.publication.publish`."""
from __future__ import annotations

from datetime import date, datetime

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from survey_app import queries
from survey_app.access import roles_required
from survey_app.analyst import bp
from survey_app.campaigns.publication import appraisal_state, check
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.i18n import lazy_gettext as _l
from survey_app.models import Role
from survey_app.results import official
from survey_app.results.runs import latest_run
from survey_app.jobs import start_job


class PublishForm(FlaskForm):
    decision_number = StringField(_l("Decision number (e.g. 123/QĐ-UBND)"), validators=[
        DataRequired(message=_l("Enter the decision number.")), Length(max=64, message=_l("At most 64 characters."))])
    decision_date = StringField(_l("Date of the decision (dd/mm/yyyy)"), validators=[
        DataRequired(message=_l("Enter the date of the decision."))])
    signer = StringField(_l("Signed by"), validators=[
        DataRequired(message=_l("Enter who signed the decision.")), Length(max=200, message=_l("At most 200 characters."))])
    reason = TextAreaField(_l("Reason for a new version"), validators=[
        Optional(), Length(max=4000, message=_l("At most 4,000 characters."))])
    publish = SubmitField(_l("Publish"))


def parse_date(text: str) -> date | None:
    """``15/03/2025`` or ``2025-03-15`` → a date; None otherwise."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime((text or "").strip(), pattern).date()
        except ValueError:
            continue
    return None


def _page(campaign, form, status: int = 200):
    publication = official.current_publication(campaign)
    return render_template("analyst/index/publish.html", campaign=campaign, form=form,
                           publication=publication, run=latest_run(campaign),
                           rounds=appraisal_state(campaign)["rounds"],
                           units=len(queries.campaign_units(campaign)),
                           versions=official.publications(campaign),
                           units_form=UnitsSeeResultsForm()), status


@bp.route("/campaigns/<code>/publish")
@roles_required(Role.ANALYST, Role.ADMIN)
def publish_page(code: str):
    return _page(queries.campaign_or_404(code), PublishForm())


@bp.route("/campaigns/<code>/publish", methods=["POST"])
@roles_required(Role.ANALYST, Role.ADMIN)
def publish_results(code: str):
    """Check the request (every problem on the page, 400), then publish in a background job:
    computing the index and rendering the report take a minute on a large campaign."""
    campaign = queries.campaign_or_404(code)
    form = PublishForm()
    if not form.validate():
        return _page(campaign, form, 400)
    day = parse_date(form.decision_date.data)
    if day is None:
        form.decision_date.errors.append(_("Write the date as dd/mm/yyyy, e.g. 15/03/2025."))
        return _page(campaign, form, 400)
    problems = check(campaign, form.decision_number.data, day, form.signer.data, form.reason.data)
    if problems:
        form.publish.errors = problems
        return _page(campaign, form, 400)
    params = {"campaign": campaign.code, "decision_number": form.decision_number.data.strip(),
              "decision_date": day.isoformat(), "signer": form.signer.data.strip(),
              "reason": (form.reason.data or "").strip() or None, "user_id": current_user.id}
    job_id = start_job("publish", params, current_user.id, _("Publication") + f" · {campaign.code}")
    return redirect(url_for("analyst.job", job_id=job_id), code=303)


class UnitsSeeResultsForm(FlaskForm):
    allow = SubmitField(_l("Let unit editors see their draft results"))
    forbid = SubmitField(_l("Hide the draft results from unit editors"))


@bp.route("/campaigns/<code>/units-see-results", methods=["POST"])
@roles_required(Role.ANALYST, Role.ADMIN)
def units_see_results(code: str):
    """Open (or close) the units' own draft results before publication."""
    campaign = queries.campaign_or_404(code)
    form = UnitsSeeResultsForm()
    if not form.validate():
        return render_template("error.html", code=400, message=_("The request could not be understood.")), 400
    campaign.units_see_results = bool(form.allow.data)
    db.session.commit()
    flash(_("Unit editors can now see their draft results.") if campaign.units_see_results
          else _("Unit editors see their results only once published."), "success")
    return redirect(url_for("analyst.publish_page", code=code))
