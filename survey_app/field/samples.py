"""The sample-size helper page (*cỡ mẫu*): nothing is stored, a GET form."""
from __future__ import annotations

from flask import render_template, request

from survey_app.access import roles_required
from survey_app.field import bp
from survey_app.field.forms import SampleSizeForm
from survey_app.models import Role
from survey_app.sampling import design_adjusted_size


@bp.route("/supervision/sample-size")
@roles_required(Role.SUPERVISOR, Role.ANALYST, Role.ADMIN)
def sample_size():
    form = SampleSizeForm(request.args)
    result = None
    if request.args and form.validate():
        result = design_adjusted_size(form.population.data, form.margin.data / 100, form.deff.data,
                                      form.response_rate.data / 100)
    status = 422 if request.args and form.errors else 200
    return render_template("field/sample_size.html", form=form, result=result), status
