"""What each background job does (see :mod:`survey_app.tasks`): the report as PDF, publishing the
results (the file is the publication's report), or an export of a campaign in one format. A file
is written whole in a temporary folder (:mod:`survey_app.storage`: a full disk fails the job with
its message and leaves no partial file), then kept in the shared file store
(:mod:`survey_app.filestore`), which every web process serves it from.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import func, select

from survey_app import filestore

from survey_app.extensions import db
from survey_app.models import Questionnaire, Submission
from survey_app.queries import campaign_by_code
from survey_app.storage import whole_file

FORMATS = {"csv": ".csv", "xlsx": ".xlsx", "sav": ".sav", "dta": ".dta", "codebook": ".csv", "design": ".csv",
           "package": ".zip",
           "results": ".xlsx", "pdf": ".pdf", "letters": ".pdf", "publish": ".pdf", "plan_pdf": ".pdf"}
MEDIA_TYPES = {".csv": "text/csv", ".pdf": "application/pdf", ".sav": "application/x-spss-sav",
               ".dta": "application/x-stata-dta", ".zip": "application/zip",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _row_progress(campaign, form_id: str, progress):
    """``progress`` as a percentage of the rows of ``form_id`` the export writes."""
    total = db.session.scalar(select(func.count()).select_from(Submission)
                              .join(Questionnaire, Questionnaire.id == Submission.questionnaire_id)
                              .where(Submission.campaign_id == campaign.id, Questionnaire.form_id == form_id)) or 1
    return lambda done: progress(100 * done / total)


def _letters(campaign, params: dict, locale: str) -> bytes:
    """The invitation letters of the campaign's (or one unit's) unused, unexpired codes."""
    from survey_app.queries import unit_by_code
    from survey_app.reports.documents import letters_pdf
    unit = unit_by_code(params["unit"], campaign.year) if params.get("unit") else None
    if params.get("unit") and unit is None:
        raise LookupError(f"no unit has the code {params['unit']}")
    return letters_pdf(campaign, params["base_url"], locale, unit)


def perform(app, job_id: str, kind: str, params: dict, progress) -> tuple[str, str]:
    """Run the job; the name of the file it made and the file's SHA-256 in the file store (stored
    when the caller commits)."""
    if kind == "plan_pdf":  # an improvement plan's document (survey_app.plans.documents)
        from survey_app.plans.documents import perform_job
        with tempfile.TemporaryDirectory(prefix="parindex-job-") as folder:
            filename = perform_job(Path(folder), job_id, params, progress)
            return filename, filestore.put_file(Path(folder) / filename)
    campaign = campaign_by_code(params["campaign"])
    if campaign is None or kind not in FORMATS:
        raise LookupError("unknown campaign or format")
    filename = f"{job_id}{FORMATS[kind]}"
    if kind in ("letters", "publish"):
        progress(10)
        if kind == "letters":
            return filename, filestore.put(_letters(campaign, params, params.get("lang", "vi")))
        from survey_app.campaigns.publication import publish_job
        return filename, filestore.put(publish_job(campaign, params))
    with tempfile.TemporaryDirectory(prefix="parindex-job-") as folder:
        target = Path(folder) / filename
        _write(target, campaign, kind, params, progress)
        return filename, filestore.put_file(target)


def _write(target: Path, campaign, kind: str, params: dict, progress) -> None:
    """Write the report or export file at ``target``, whole or not at all."""
    from survey_app.exports import results, statfiles, writers
    from survey_app.exports.package import write_package
    from survey_app.exports.submissions import ExportSpec
    from survey_app.reports.render import write_pdf

    locale = params.get("lang", "vi")
    if kind == "pdf":
        progress(10)
        write_pdf(campaign, target, locale, params.get("unit") or None)
        return
    spec = ExportSpec(campaign, params.get("form", "sipas_citizen"), locale, bool(params.get("labels")))
    rows = _row_progress(campaign, spec.form_id, progress)
    with whole_file(target, prefix=".job-") as part:  # a full disk leaves no half export
        if kind == "results":
            results.write_results_xlsx(campaign, part, locale)
        elif kind in ("sav", "dta"):
            statfiles.write_statfile(spec, part, kind, rows)
        elif kind == "package":
            write_package(spec, part, progress)
        else:
            writer = {"csv": writers.write_csv, "xlsx": writers.write_xlsx,
                      "codebook": writers.write_codebook, "design": writers.write_design}
            writer[kind](spec, part, rows)
