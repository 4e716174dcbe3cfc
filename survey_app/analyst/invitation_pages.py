"""The invitations page of a campaign, for the people who run the survey (analysts and
administrators): codes made, used and expired per unit; a form to make a batch; the codes as
CSV; the letters as a PDF made by a background job; the open link and the hotline."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from survey_app import queries
from survey_app.access import roles_required
from survey_app.analyst import bp
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.invitations.codes import BatchRequest, InvitationRefused, default_expiry, generate
from survey_app.invitations.export import counts, csv_text
from survey_app.invitations.forms import BatchForm, LettersForm, OpenLinkForm
from survey_app.models import Role
from survey_app.jobs import start_job

RUNS_THE_SURVEY = (Role.ANALYST, Role.ADMIN)


def _unit_choices(units, everyone: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(cu.unit.code, f"{cu.unit.code} · {cu.unit.name}") for cu in units]
    return ([SelectChoice("", everyone)] if everyone else []) + choices


def _forms(campaign, units, formdata=None):
    batch = BatchForm(formdata=formdata, prefix="batch")
    batch.unit.choices = _unit_choices(units)
    letters = LettersForm(prefix="letters")
    letters.unit.choices = _unit_choices(units, _("All units"))
    settings = OpenLinkForm(prefix="settings", open_link=campaign.open_link, helpline=campaign.helpline)
    return batch, letters, settings


def _page(campaign, batch=None, settings=None, status=200):
    units = queries.campaign_units(campaign)
    default_batch, letters, default_settings = _forms(campaign, units)
    return render_template("analyst/invitations.html", campaign=campaign, units=units, counts=counts(campaign),
                           batch_form=batch or default_batch, letters_form=letters,
                           settings_form=settings or default_settings,
                           default_expiry=default_expiry(campaign)), status


@bp.route("/campaigns/<code>/invitations")
@roles_required(*RUNS_THE_SURVEY)
def invitations(code: str):
    return _page(queries.campaign_or_404(code))


def _unit_of(campaign, unit_code: str):
    return next((cu.unit for cu in queries.campaign_units(campaign) if cu.unit.code == unit_code), None)


@bp.route("/campaigns/<code>/invitations", methods=["POST"])
@roles_required(*RUNS_THE_SURVEY)
def invitations_generate(code: str):
    """Make a batch; a refused one shows the page again with the reason (422), nothing stored."""
    campaign = queries.campaign_or_404(code)
    form, _letters, _settings = _forms(campaign, queries.campaign_units(campaign), request.form)
    if not form.validate():
        return _page(campaign, batch=form, status=422 if "csrf_token" not in form.errors else 400)
    unit = _unit_of(campaign, form.unit.data)
    if unit is None:
        form.unit.errors = [_("Choose one of the campaign's units.")]
        return _page(campaign, batch=form, status=422)
    try:
        made = generate(BatchRequest(campaign, unit, form.count.data, form.expires.data))
    except InvitationRefused as refused:
        form.count.errors = [str(refused)]
        return _page(campaign, batch=form, status=422)
    flash(_("%(count)d new codes for %(unit)s.", count=len(made), unit=unit.name), "success")
    return redirect(url_for("analyst.invitations", code=campaign.code), code=303)


@bp.route("/campaigns/<code>/invitations.csv")
@roles_required(*RUNS_THE_SURVEY)
def invitations_csv(code: str):
    campaign = queries.campaign_or_404(code)
    unit_code = request.args.get("unit") or None
    unit = _unit_of(campaign, unit_code) if unit_code else None
    if unit_code and unit is None:
        return render_template("analyst/reports/form_error.html",
                               messages=[_("Choose one of the campaign's units.")]), 400
    text = csv_text(campaign, lambda c: url_for("public.landing", code=c, _external=True), unit)
    name = f"{campaign.code}-{unit.code}-codes.csv" if unit else f"{campaign.code}-codes.csv"
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/campaigns/<code>/invitations/letters", methods=["POST"])
@roles_required(*RUNS_THE_SURVEY)
def invitations_letters(code: str):
    """Start the letters' PDF as a background job; its page shows the progress, then the file."""
    campaign = queries.campaign_or_404(code)
    units = queries.campaign_units(campaign)
    form = LettersForm(request.form, prefix="letters")
    form.unit.choices = _unit_choices(units, _("All units"))
    unit_code = form.unit.data or None
    unknown_unit = unit_code and _unit_of(campaign, unit_code) is None
    if not form.validate() or form.lang.data not in ("vi", "en") or unknown_unit:
        messages = [_("This form has expired or was sent from elsewhere. Please submit it again.")] \
            if "csrf_token" in form.errors else [_("Choose one of the options.")]
        return render_template("analyst/reports/form_error.html", messages=messages), 400
    params = {"campaign": campaign.code, "unit": unit_code, "lang": form.lang.data,
              "base_url": request.host_url.rstrip("/")}
    title = _("Invitation letters (PDF)") + f" · {campaign.code}" + (f" · {unit_code}" if unit_code else "")
    job_id = start_job("letters", params, current_user.id, title)
    return redirect(url_for("analyst.job", job_id=job_id), code=303)


@bp.route("/campaigns/<code>/invitations/settings", methods=["POST"])
@roles_required(*RUNS_THE_SURVEY)
def invitations_settings(code: str):
    campaign = queries.campaign_or_404(code)
    form = OpenLinkForm(request.form, prefix="settings")
    if not form.validate():
        return _page(campaign, settings=form, status=422 if "csrf_token" not in form.errors else 400)
    campaign.open_link = bool(form.open_link.data)
    campaign.helpline = (form.helpline.data or "").strip() or None
    db.session.commit()
    flash(_("Settings saved."), "success")
    return redirect(url_for("analyst.invitations", code=campaign.code), code=303)
