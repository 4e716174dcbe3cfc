"""The citizen's questionnaire: invitation code → landing page → one page at a time → check your
answers → submit → receipt (*trả lời phiếu khảo sát trực tuyến*).

Works without JavaScript: the server evaluates relevance and validation page by page and keeps
the answers in a :class:`ResponseDraft`, so the respondent can stop and resume with the same code.
A page form whose CSRF token expired is shown again with the answers kept, never lost.
"""
from __future__ import annotations

import re
import uuid

from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError

from survey_app.extensions import csrf, db, limiter
from survey_app.i18n import _
from survey_app.models import Campaign, Invitation, QuestionnaireVersion, ResponseDraft, Submission
from survey_app.public import bp
from survey_app.public.respond_summary import problem_links, step_url, summary
from survey_app.questionnaire import flow
from survey_app.questionnaire.engine import FormEngine, Problem
from survey_app.questionnaire.submit import SubmissionRefused, store_invitation_submission
from survey_app.questionnaire.uploads import FILE_TYPES, UploadRefused, store_answer_file

CODE_RE = re.compile(r"[^A-Z0-9]")


def normalise_code(raw: str) -> str:
    """Codes are printed in groups (``HNM-7K3P-Q9TX``); case, spaces and dashes do not matter."""
    return CODE_RE.sub("", (raw or "").upper())


def _invitation(code: str) -> Invitation:
    found = db.session.scalar(select(Invitation).where(Invitation.code == normalise_code(code)))
    if found is None:
        abort(404)
    return found


def _engine(invitation: Invitation) -> FormEngine:
    definition = db.session.get(QuestionnaireVersion, invitation.questionnaire_version_id).definition
    wanted = str(get_locale())
    language = next((lang["name"] for lang in definition.get("languages", [])
                     if lang.get("code") == wanted), None)
    return FormEngine(definition, language)


def _draft(invitation: Invitation) -> ResponseDraft | None:
    return db.session.scalar(select(ResponseDraft).where(ResponseDraft.invitation_id == invitation.id))


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def enter_code():
    error = None
    if request.method == "POST":
        code = normalise_code(request.form.get("code", ""))
        if db.session.scalar(select(Invitation.id).where(Invitation.code == code)):
            return redirect(url_for("public.landing", code=code))
        error = _("We could not find this code. Check it on your invitation letter.")
    return render_template("public/respond/code.html", error=error), 422 if error else 200


@bp.route("/q/<code>")
def landing(code: str):
    invitation = _invitation(code)
    if invitation.used_at is not None:
        return render_template("public/respond/used.html", invitation=invitation)
    campaign = db.session.get(Campaign, invitation.campaign_id)
    engine = _engine(invitation)
    return render_template("public/respond/landing.html", invitation=invitation, campaign=campaign,
                           title=engine.definition.get("title"), draft=_draft(invitation),
                           pages=len(flow.steps(engine, flow.sync_repeats(engine, {}))))


@bp.route("/q/<code>/start", methods=["POST"])
def start(code: str):
    invitation = _invitation(code)
    if invitation.used_at is not None:
        return redirect(url_for("public.landing", code=invitation.code))
    draft = _draft(invitation)
    engine = _engine(invitation)
    if draft is None:
        draft = ResponseDraft(invitation_id=invitation.id, instance_uuid=str(uuid.uuid4()),
                              answers=flow.sync_repeats(engine, flow.with_defaults(
                                  engine, {"unit_code": invitation.unit.code})))
        db.session.add(draft)
        db.session.commit()
        shown = flow.steps(engine, draft.answers)
        return redirect(step_url(invitation.code, shown[0]) if shown
                        else url_for("public.check", code=invitation.code))
    resume = flow.first_unanswered(engine, draft.answers, _closed(draft))
    if resume is None:
        return redirect(url_for("public.check", code=invitation.code))
    return redirect(step_url(invitation.code, resume))


def _closed(draft: ResponseDraft) -> tuple:
    """Repeats the respondent said "no more" to."""
    return tuple((draft.paradata or {}).get("closed_repeats", []))


def _set_closed(draft: ResponseDraft, name: str, closed: bool) -> None:
    names = set(_closed(draft)) - {name} | ({name} if closed else set())
    draft.paradata = dict(draft.paradata or {}, closed_repeats=sorted(names))


def _open_draft(code: str) -> tuple[Invitation, ResponseDraft, FormEngine]:
    """The invitation, its draft and engine; a used code or a missing draft goes back to the start."""
    invitation = _invitation(code)
    draft = _draft(invitation)
    if invitation.used_at is not None or draft is None:
        abort(redirect(url_for("public.landing", code=invitation.code)))
    return invitation, draft, _engine(invitation)


def _after(invitation, engine, step, answers):
    """Where the respondent goes once a step is accepted."""
    if request.form.get("return_to") == "check":
        return redirect(url_for("public.check", code=invitation.code))
    following = flow.neighbour(engine, step, answers, +1)
    if following is None:
        return redirect(url_for("public.check", code=invitation.code))
    return redirect(step_url(invitation.code, following))


def _heading(engine: FormEngine, step: flow.Step) -> str:
    page = flow.page_of_step(engine, step)
    title = ""
    if page and page["kind"] in ("group", "grid"):
        title = engine.text(engine.by_path[page["group"]].get("labels"))
    if step.instance is not None:
        repeat = engine.text(flow.repeat_of(engine, step).get("labels")) or flow.repeat_of(engine, step)["name"]
        title = f"{repeat} {step.instance + 1}" + (f": {title}" if title else "")
    return title


def _page_view(invitation, engine, step, answers, problems=(), status=200, csrf_failed=False):
    shown = flow.steps(engine, answers)
    previous = flow.neighbour(engine, step, answers, -1)
    page = flow.page_of_step(engine, step)
    path = step.repeat_path(engine)
    values = flow.values_of(engine, step, answers)
    prefix = "" if step.instance is None else f"{flow.repeat_of(engine, step)['name']}[{step.instance + 1}]/"
    return render_template(
        "public/respond/page.html", invitation=invitation, engine=engine, page=page, step=step,
        heading=_heading(engine, step), action=step_url(invitation.code, step),
        questions=flow.shown_questions(engine, step, answers), answers=values, scope=answers,
        repeat_path=path, problems={p.key[len(prefix):]: p.message for p in problems},
        csrf_failed=csrf_failed, position=(shown.index(step) + 1 if step in shown else 1),
        total=len(shown), multipart=any(engine.by_path[q]["type"] in FILE_TYPES for q in page["questions"]),
        back_url=(step_url(invitation.code, previous) if previous is not None
                  else url_for("public.landing", code=invitation.code)),
        page_json=_page_json(engine, page, values, answers, path)), status


def _page_json(engine: FormEngine, page: dict, values: dict, answers: dict, path) -> dict:
    """What the page's script needs to show, hide and check questions as the respondent answers."""
    questions = [engine.by_path[p] for p in page["questions"]]
    return {"fields": sorted(engine.fields), "answers": answers, "repeat_path": path,
            "questions": [{"key": engine.keys[q["path"]], "type": q["type"],
                           "relevant": q["bind"].get("relevant"), "required": q["bind"].get("required"),
                           "constraint": q["bind"].get("constraint"),
                           "required_message": engine.text(q["bind"].get("required_message")),
                           "constraint_message": engine.text(q["bind"].get("constraint_message"))}
                          for q in questions],
            "messages": {"required": _("Answer this question."),
                         "locate": _("Use my current location"),
                         "locating": _("Finding your location…"),
                         "no_location": _("Your location could not be found. Type it in, or try again outdoors."),
                         "constraint": _("This answer is not accepted."),
                         "summary": _("There is a problem")}}


def _read_files(engine: FormEngine, page: dict) -> tuple[dict, list[Problem]]:
    stored, problems = {}, []
    for path in page["questions"]:
        question, key = engine.by_path[path], engine.keys[path]
        upload = request.files.get(key)
        if question["type"] in FILE_TYPES and upload and upload.filename:
            try:
                stored[key] = store_answer_file(question["type"], upload)
            except UploadRefused as refused:
                problems.append(Problem(key, str(refused)))
    return stored, problems


def _handle_step(code: str, step: flow.Step):
    invitation, draft, engine = _open_draft(code)
    if step not in flow.steps(engine, draft.answers):
        following = flow.neighbour(engine, step, draft.answers, +1)
        return redirect(step_url(invitation.code, following) if following
                        else url_for("public.check", code=invitation.code))
    if request.method == "GET":
        return _page_view(invitation, engine, step, draft.answers)
    files, file_problems = _read_files(engine, flow.page_of_step(engine, step))
    answers = flow.read_step(engine, step, request.form, draft.answers, files)
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return _page_view(invitation, engine, step, answers, status=400, csrf_failed=True)
    problems = file_problems + flow.step_problems(engine, step, answers)
    draft.answers = answers
    db.session.commit()
    if problems:
        return _page_view(invitation, engine, step, answers, problems, status=422)
    return _after(invitation, engine, step, answers)


@bp.route("/q/<code>/page/<int:number>", methods=["GET", "POST"])
@csrf.exempt
def page(code: str, number: int):
    invitation, draft, engine = _open_draft(code)
    if not 0 < number <= len(flow.plan(engine)):
        abort(404)
    if flow.plan(engine)[number - 1]["kind"] == "repeat":
        following = flow.neighbour(engine, flow.Step(number - 1, -1, -1), draft.answers, +1)
        return redirect(step_url(invitation.code, following) if following
                        else url_for("public.check", code=invitation.code))
    return _handle_step(code, flow.Step(number - 1))


@bp.route("/q/<code>/page/<int:number>/<int:instance>/<int:sub>", methods=["GET", "POST"])
@csrf.exempt
def repeat_page(code: str, number: int, instance: int, sub: int):
    return _handle_step(code, flow.Step(number - 1, instance - 1, sub - 1))


@bp.route("/q/<code>/page/<int:number>/more", methods=["GET", "POST"])
def more(code: str, number: int):
    """Add another instance of a repeat the respondent sizes, or go on."""
    invitation, draft, engine = _open_draft(code)
    step = flow.Step(number - 1, more=True)
    if step not in flow.steps(engine, draft.answers):
        abort(404)
    repeat = flow.repeat_of(engine, step)
    existing = flow.instances(engine, repeat, draft.answers)
    error = None
    if request.method == "POST":
        choice = request.form.get("add")
        if choice == "yes" and len(existing) < flow.MAX_INSTANCES:
            draft.answers = dict(draft.answers, **{repeat["name"]: [dict(i) for i in existing] + [{}]})
            _set_closed(draft, repeat["name"], False)
            db.session.commit()
            added = [s for s in flow.steps(engine, draft.answers)
                     if s.index == step.index and s.instance == len(existing)]
            return redirect(step_url(invitation.code, added[0]) if added else step_url(invitation.code, step))
        if choice == "no":
            _set_closed(draft, repeat["name"], True)
            db.session.commit()
            return _after(invitation, engine, step, draft.answers)
        error = _("Choose yes or no.")
    shown = flow.steps(engine, draft.answers)
    previous = flow.neighbour(engine, step, draft.answers, -1)
    return render_template("public/respond/more.html", invitation=invitation, error=error,
                           label=engine.text(repeat.get("labels")) or repeat["name"], count=len(existing),
                           position=shown.index(step) + 1, total=len(shown),
                           back_url=step_url(invitation.code, previous) if previous
                           else url_for("public.landing", code=invitation.code)), 422 if error else 200


@bp.route("/q/<code>/page/<int:number>/<int:instance>/remove", methods=["POST"])
def remove_instance(code: str, number: int, instance: int):
    invitation, draft, engine = _open_draft(code)
    page = flow.plan(engine)[number - 1] if 0 < number <= len(flow.plan(engine)) else None
    if page is None or page["kind"] != "repeat" or page["repeat_count"]:
        abort(404)
    repeat = engine.by_path[page["repeat"]]
    kept = [dict(i) for i in flow.instances(engine, repeat, draft.answers)]
    if 0 < instance <= len(kept):
        del kept[instance - 1]
        draft.answers = dict(draft.answers, **{repeat["name"]: kept})
        db.session.commit()
    return redirect(url_for("public.check", code=invitation.code))


@bp.route("/q/<code>/check", methods=["GET", "POST"])
def check(code: str):
    invitation, draft, engine = _open_draft(code)
    problems = []
    if request.method == "POST":
        try:
            store_invitation_submission(invitation, draft, engine)
        except SubmissionRefused as refused:
            problems = refused.problems
        else:
            return redirect(url_for("public.done", code=invitation.code))
    rows = [dict(r, url=step_url(invitation.code, r["step"], return_to="check"))
            for r in summary(engine, draft.answers)]
    repeats = [{"label": engine.text(engine.by_path[p["repeat"]].get("labels")) or p["repeat"],
                "number": i + 1, "count": len(flow.instances(engine, engine.by_path[p["repeat"]], draft.answers))}
               for i, p in enumerate(flow.plan(engine)) if p["kind"] == "repeat" and not p["repeat_count"]]
    return render_template("public/respond/check.html", invitation=invitation, rows=rows,
                           repeats=repeats, problems=problem_links(invitation.code, engine,
                                                                    draft.answers, problems)), \
        422 if problems else 200


@bp.route("/q/<code>/done")
def done(code: str):
    invitation = _invitation(code)
    if invitation.used_at is None:
        return redirect(url_for("public.landing", code=invitation.code))
    submission = db.session.scalar(select(Submission).where(Submission.invitation_id == invitation.id))
    return render_template("public/respond/done.html", invitation=invitation,
                           receipt=submission.receipt if submission else "")
