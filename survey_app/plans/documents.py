"""The plan and each period's progress report in the official Vietnamese administrative form
(Nghị định 30/2020/NĐ-CP, Phụ lục I): the issuing body and number left, the national motto and
the place and date right, the title, the numbered sections, the signature and the appendix table.

One content builder per document (:func:`plan_content`, :func:`progress_content`) feeds two
writers: the PDF through the report machinery (WeasyPrint, the shipped font, NFC text) and the
editable Word document (:mod:`survey_app.plans.word`), since offices finish these in Word.
The Word file takes a fifth of a second for a plan of 60 tasks and is made on request; the PDF
takes 2-4 s for the same plan on a busy server, so the pages make it as a job
(:func:`start_pdf_job`, run by :mod:`survey_app.tasks`); the CLI writes either directly.
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import force_locale

from survey_app.formatting import points, short_date
from survey_app.i18n import _
from survey_app.models.plans import ImprovementPlan, ReportingPeriod, TargetKind, TaskProgress
from survey_app.plans import dashboard, progress
from survey_app.plans.national import name_in_text
from survey_app.refusals import Refused
from survey_app.reports.documents import document_pdf
from survey_app.reports.render import LANGUAGES, nfc
from survey_app.storage import write_whole

FORMATS = ("pdf", "docx")


def target_text(target) -> str:
    """A target written out as the plans write it, with its baseline."""
    values = {"value": target.value, "subject": target.subject, "index": name_in_text(target.national_index)}
    wording = {
        TargetKind.INDEX_PERCENT: _("the PAR Index at least %(value)s%% of the maximum points"),
        TargetKind.GRADE: _("classed %(value)s or better"),
        TargetKind.RANK: _("ranked %(value)s or better among units of the same level"),
        TargetKind.PLACES_GAINED: _("at least %(value)s places up in the ranking"),
        TargetKind.FIELD_PERCENT: _("field %(subject)s at least %(value)s%% of its maximum points"),
        TargetKind.SURVEY_INDICATOR: _("survey indicator %(subject)s at least %(value)s"),
        TargetKind.NATIONAL_SCORE: _("%(index)s at least %(value)s points"),
        TargetKind.NATIONAL_RANK: _("%(index)s ranked %(value)s or better nationally"),
        TargetKind.NATIONAL_GROUP: _("%(index)s in the group: %(value)s"),
    }[target.kind] % values
    if target.baseline:
        wording += " " + _("(base year: %(baseline)s)", baseline=target.baseline)
    return wording


def place(plan: ImprovementPlan) -> str:
    name = plan.province.name
    for prefix in ("Tỉnh ", "Thành phố "):
        name = name.removeprefix(prefix)
    return name


def heading(plan: ImprovementPlan, kind_code: str, when) -> dict:
    """The two columns of the heading: issuing body and number, motto and place and date."""
    body = plan.issuing_body or _("People's Committee of %(province)s", province=plan.province.name)
    number = plan.number if kind_code == "KH" and plan.number else f"…/{kind_code}-UBND"
    date_line = (_("%(place)s, day %(day)s month %(month)s year %(year)s", place=place(plan),
                   day=f"{when.day:02d}", month=f"{when.month:02d}", year=when.year) if when else
                 _("%(place)s, day … month … year %(year)s", place=place(plan), year=plan.year))
    return {"body": body.upper(), "number": _("No.: %(number)s", number=number),
            "nation": _("Socialist Republic of Viet Nam").upper(),
            "motto": _("Independence - Freedom - Happiness"), "date_line": date_line}


def task_row(task) -> dict:
    return {"number": task.number, "title": task.title,
            "criteria": ", ".join(c.node.code for c in sorted(task.criteria, key=lambda c: c.node.code)),
            "lead": task.lead_unit.name, "partners": ", ".join(p.unit.name for p in task.partners),
            "deadline": short_date(task.deadline),
            "points": points(task.expected_points) if task.expected_points is not None else ""}


def _targets(plan) -> list[tuple[str, list[str]]]:
    grouped: dict = {}
    for target in plan.targets:
        grouped.setdefault(target.unit, []).append(target_text(target))
    order = sorted(grouped, key=lambda u: (u.id != plan.province_id, u.name))
    return [(unit.name, grouped[unit]) for unit in order]


def _by_field(plan, locale) -> list[tuple[str, list]]:
    fields: dict = {}
    for task in plan.tasks:
        for code, name in dashboard.task_fields(task, locale):
            fields.setdefault((code, f"{code}. {name}" if code else name), []).append(task)
    return [(label, tasks) for (_code, label), tasks in sorted(fields.items())]


def _duties(plan) -> list[tuple[str, list[int]]]:
    leads: dict = {}
    for task in plan.tasks:
        leads.setdefault(task.lead_unit.name, []).append(task.number)
    return sorted(leads.items())


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def plan_content(plan: ImprovementPlan, locale: str = "vi") -> dict:
    """Everything the plan's document says, in ``locale``."""
    return {
        "heading": heading(plan, "KH", plan.issued_on),
        "kind": _("PLAN"), "subject": _("Improving the Public Administration Reform Index in %(year)s",
                                         year=plan.year),
        "purpose": paragraphs(plan.purpose), "organisation": paragraphs(plan.organisation),
        "targets": _targets(plan),
        "fields": [(label, len(tasks), [task_row(t) for t in tasks]) for label, tasks in _by_field(plan, locale)],
        "duties": [_("%(unit)s leads tasks %(numbers)s and reports their progress on every reporting period.",
                     unit=unit, numbers=", ".join(str(n) for n in numbers)) for unit, numbers in _duties(plan)],
        "periods": [_("%(label)s: reports due by %(date)s", label=p.label, date=short_date(p.due_on))
                    for p in plan.periods],
        "signer": plan.signer or "", "recipients": [unit for unit, _n in _duties(plan)],
        "tasks": [task_row(t) for t in plan.tasks],
    }


def progress_content(plan: ImprovementPlan, period: ReportingPeriod, locale: str = "vi") -> dict:
    """Per lead unit of ``period``: the count of each status and the tasks with their accounts."""
    units: dict = {}
    for row in progress.rows(plan.tasks, period):
        units.setdefault(row.task.lead_unit.name, []).append(row)
    sections = []
    for unit, found in sorted(units.items()):
        counts = [(progress.progress_label(s), sum(r.status is s for r in found)) for s in TaskProgress]
        counts.append((_("Not reported"), sum(r.report is None for r in found)))
        sections.append({"unit": unit, "counts": counts, "rows": [
            {**task_row(r.task), "status": progress.progress_label(r.status),
             "flag": progress.flag_label(r.flag), "account": r.report.account if r.report else ""}
            for r in found]})
    return {"heading": heading(plan, "BC", None), "kind": _("REPORT"),
            "subject": _("Progress of the plan for improving the Public Administration Reform Index in %(year)s",
                         year=plan.year), "period": period.label,
            "due": short_date(period.due_on), "sections": sections, "signer": plan.signer or ""}


def _content(plan, period, locale):
    with force_locale(locale):
        found = plan_content(plan, locale) if period is None else progress_content(plan, period, locale)
    return nfc_all(found)


def nfc_all(value):
    """Every text of the content in composed form (NFC), for the PDF's and the DOCX's text alike."""
    if isinstance(value, dict):
        return {k: nfc_all(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(nfc_all(v) for v in value)
    return nfc(str(value)) if isinstance(value, str) or hasattr(value, "__html__") else value


def render(plan: ImprovementPlan, fmt: str, period: ReportingPeriod | None = None, locale: str = "vi") -> bytes:
    """The plan (``period`` None) or a period's progress report as ``fmt`` (pdf or docx) bytes."""
    if fmt not in FORMATS:
        raise Refused(400, message=_("Choose PDF or Word (docx)."))
    if locale not in LANGUAGES:
        raise Refused(400, message=_("Choose Vietnamese or English."))
    content = _content(plan, period, locale)
    template = "plan.html" if period is None else "plan_progress.html"
    if fmt == "pdf":
        return document_pdf(template, locale, doc=content, progress=period is not None)
    from survey_app.plans import word
    return word.plan_docx(content) if period is None else word.progress_docx(content)


def filename(plan: ImprovementPlan, fmt: str, period: ReportingPeriod | None = None) -> str:
    suffix = "" if period is None else f"-bao-cao-{period.id}"
    return f"ke-hoach-{plan.code}{suffix}.{fmt}"


def write(plan: ImprovementPlan, fmt: str, target: Path, period: ReportingPeriod | None = None,
          locale: str = "vi") -> Path:
    write_whole(Path(target), render(plan, fmt, period, locale), prefix=".plan-")
    return Path(target)


def start_pdf_job(plan: ImprovementPlan, user_id: int, period: ReportingPeriod | None = None,
                  locale: str = "vi") -> str:
    """Queue the PDF of the plan (or of a period's progress report); returns the job's id."""
    from survey_app.jobs import start_job
    if locale not in LANGUAGES:
        raise Refused(400, message=_("Choose Vietnamese or English."))
    title = _("The plan (PDF)") if period is None else _("Progress report (PDF)") + f" · {period.label}"
    return start_job("plan_pdf", {"plan": plan.code, "period": period.id if period else None, "lang": locale},
                     user_id, f"{title} · {plan.code}")


def perform_job(folder: Path, job_id: str, params: dict, progress_done) -> str:
    """The job's work (see :func:`survey_app.exports.jobs.perform`): write the PDF, return its name."""
    from sqlalchemy import select

    from survey_app.extensions import db
    plan = db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == params["plan"]))
    if plan is None:
        raise LookupError(f"no plan has the code {params['plan']}")
    period = next((p for p in plan.periods if p.id == params.get("period")), None)
    if params.get("period") and period is None:
        raise LookupError("the plan has no such reporting period")
    progress_done(10)
    filename = f"{job_id}.pdf"
    write(plan, "pdf", folder / filename, period, params.get("lang", "vi"))
    return filename
