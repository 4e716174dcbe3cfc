"""Importing a sample list or drawing one from a frame, from the browser. A wrong row is
shown with its number and reason, and nothing is stored."""
from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from survey_app.access import roles_required
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.sample_forms import SampleDrawForm, SampleImportForm
from survey_app.field.sample_pages import SUPERVISORS
from survey_app.field.scope import can_supervise, reachable_campaigns
from survey_app.i18n import _, ngettext
from survey_app.samples import SampleRefused
from survey_app.samples.store import draw_sample, import_sample


def _with_campaigns(form):
    """Offer the campaigns in reach; returns them by id."""
    campaigns = {c.id: c for c in reachable_campaigns()}
    form.campaign.choices = [SelectChoice(c.id, f"{c.code} · {c.title}") for c in campaigns.values()]
    return campaigns


def _store(form, campaigns: dict, make) -> tuple[object | None, list[str]]:
    """Validate, call ``make(campaign, name, data)`` and commit; or the errors to show."""
    if not form.validate_on_submit():
        return None, []
    campaign = campaigns.get(form.campaign.data)
    if campaign is None:
        form.campaign.errors = [_("Choose a campaign of your area.")]
        return None, []
    name = form.name.data or form.file.data.filename or _("Sample list")
    try:
        sample = make(campaign, name, form.file.data.read())
    except SampleRefused as exc:
        db.session.rollback()
        return None, exc.errors
    db.session.commit()
    flash(ngettext("The sample list is stored: %(num)d case.", "The sample list is stored: %(num)d cases.",
                   len(sample.cases)), "success")
    return sample, []


@bp.route("/supervision/samples/import", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def import_samples():
    """A sample list as CSV: household/address, unit, stratum, cluster, probability or weight."""
    form = SampleImportForm()
    campaigns = _with_campaigns(form)
    sample, errors = _store(form, campaigns,
                            lambda campaign, name, data: import_sample(campaign, name, data, can_supervise))
    if sample is not None:
        return redirect(url_for("field.sample", sample_id=sample.id))
    status = 422 if errors or form.errors else 200
    return render_template("field/sample_import.html", form=form, errors=errors), status


@bp.route("/supervision/samples/draw", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def draw_samples():
    """A draw by stratum from a frame (CSV), reproducible from its seed (kept with the list)."""
    form = SampleDrawForm()
    campaigns = _with_campaigns(form)
    seed = form.seed.data if form.seed.data is not None else secrets.randbelow(10**9)

    def make(campaign, name, data):
        return draw_sample(campaign, name, data, form.method.data, form.size_map(), form.per_stratum.data,
                           form.reserve.data or 0, seed, can_supervise)

    if form.is_submitted() and form.method.data not in ("srs", "systematic", "pps"):
        form.method.errors = [_("Choose a method of the list.")]
        sample, errors = None, []
    else:
        sample, errors = _store(form, campaigns, make)
    if sample is not None:
        return redirect(url_for("field.sample", sample_id=sample.id))
    status = 422 if errors or form.errors else 200
    return render_template("field/sample_draw.html", form=form, errors=errors), status
