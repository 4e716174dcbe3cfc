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
from survey_app.questionnaire import flow
from survey_app.questionnaire.engine import FormEngine
from survey_app.questionnaire.submit import SubmissionRefused, store_invitation_submission

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
                           pages=len(flow.pages(engine)))


@bp.route("/q/<code>/start", methods=["POST"])
def start(code: str):
    invitation = _invitation(code)
    if invitation.used_at is not None:
        return redirect(url_for("public.landing", code=invitation.code))
    draft = _draft(invitation)
    engine = _engine(invitation)
    if draft is None:
        draft = ResponseDraft(invitation_id=invitation.id, instance_uuid=str(uuid.uuid4()),
                              answers={"unit_code": invitation.unit.code})
        db.session.add(draft)
        db.session.commit()
    resume = flow.first_unanswered(engine, draft.answers)
    if resume is None:
        return redirect(url_for("public.check", code=invitation.code))
    return redirect(url_for("public.page", code=invitation.code, number=resume + 1))


def _open_draft(code: str) -> tuple[Invitation, ResponseDraft, FormEngine]:
    """The invitation, its draft and engine; a used code or a missing draft goes back to the start."""
    invitation = _invitation(code)
    draft = _draft(invitation)
    if invitation.used_at is not None or draft is None:
        abort(redirect(url_for("public.landing", code=invitation.code)))
    return invitation, draft, _engine(invitation)


def _page_view(invitation, draft, engine, index, answers, problems=(), status=200, csrf_failed=False):
    plan = flow.pages(engine)
    shown = flow.shown_pages(engine, answers)
    previous = flow.previous_page(engine, index, answers)
    page = plan[index]
    return render_template(
        "public/respond/page.html", invitation=invitation, engine=engine, page=page,
        number=index + 1, questions=flow.shown_questions(engine, page, answers), answers=answers,
        problems={p.key: p.message for p in problems}, csrf_failed=csrf_failed,
        position=(shown.index(index) + 1 if index in shown else 1), total=len(shown),
        back_url=(url_for("public.page", code=invitation.code, number=previous + 1)
                  if previous is not None else url_for("public.landing", code=invitation.code)),
        page_json=_page_json(engine, page, answers)), status


def _page_json(engine: FormEngine, page: dict, answers: dict) -> dict:
    """What the page's script needs to show, hide and check questions as the respondent answers."""
    questions = [engine.by_path[p] for p in page["questions"]]
    return {"fields": engine.fields, "answers": answers,
            "questions": [{"key": engine.keys[q["path"]], "type": q["type"],
                           "relevant": q["bind"].get("relevant"), "required": q["bind"].get("required"),
                           "constraint": q["bind"].get("constraint"),
                           "required_message": engine.text(q["bind"].get("required_message")),
                           "constraint_message": engine.text(q["bind"].get("constraint_message"))}
                          for q in questions],
            "messages": {"required": _("Answer this question."),
                         "constraint": _("This answer is not accepted."),
                         "summary": _("There is a problem")}}


@bp.route("/q/<code>/page/<int:number>", methods=["GET", "POST"])
@csrf.exempt
def page(code: str, number: int):
    invitation, draft, engine = _open_draft(code)
    plan = flow.pages(engine)
    index = number - 1
    if not 0 <= index < len(plan):
        abort(404)
    if request.method == "GET":
        if not flow.is_shown(engine, plan[index], draft.answers):
            following = flow.next_page(engine, index, draft.answers)
            target = (url_for("public.page", code=invitation.code, number=following + 1)
                      if following is not None else url_for("public.check", code=invitation.code))
            return redirect(target)
        return _page_view(invitation, draft, engine, index, draft.answers)
    answers = flow.read_page(engine, plan[index], request.form, draft.answers)
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return _page_view(invitation, draft, engine, index, answers, status=400, csrf_failed=True)
    problems = engine.page_problems(plan[index], answers)
    draft.answers = answers
    db.session.commit()
    if problems:
        return _page_view(invitation, draft, engine, index, answers, problems, status=422)
    if request.form.get("return_to") == "check":
        return redirect(url_for("public.check", code=invitation.code))
    following = flow.next_page(engine, index, answers)
    if following is None:
        return redirect(url_for("public.check", code=invitation.code))
    return redirect(url_for("public.page", code=invitation.code, number=following + 1))


def _summary(engine: FormEngine, answers: dict) -> list[dict]:
    """Every shown question with its answer as the respondent saw it, and its page."""
    rows = []
    for index in flow.shown_pages(engine, answers):
        for question in flow.shown_questions(engine, flow.pages(engine)[index], answers):
            if question["type"] == "note":
                continue
            key = engine.keys[question["path"]]
            rows.append({"key": key, "label": engine.text(question.get("labels")) or key,
                         "value": _display(engine, question, answers.get(key, ""), answers),
                         "page": index + 1})
    return rows


def _display(engine: FormEngine, question: dict, value: str, answers: dict) -> str:
    choices = {c["name"]: engine.text(c.get("labels")) or c["name"] for c in question.get("choices") or []}
    if question["type"] == "select_multiple":
        return ", ".join(choices.get(v, v) for v in value.split())
    return choices.get(value, value)


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
    pages_of = {row["key"]: row["page"] for row in _summary(engine, draft.answers)}
    return render_template("public/respond/check.html", invitation=invitation, engine=engine,
                           rows=_summary(engine, draft.answers), problems=problems,
                           pages_of=pages_of), 422 if problems else 200


@bp.route("/q/<code>/done")
def done(code: str):
    invitation = _invitation(code)
    if invitation.used_at is None:
        return redirect(url_for("public.landing", code=invitation.code))
    submission = db.session.scalar(select(Submission).where(Submission.invitation_id == invitation.id))
    return render_template("public/respond/done.html", invitation=invitation,
                           receipt=submission.receipt if submission else "")
