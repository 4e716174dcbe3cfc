"""The citizen's questionnaire: invitation code or open link → landing page → one page at a time
→ check your answers → submit → receipt (*trả lời phiếu khảo sát trực tuyến*).

Works without JavaScript: the server evaluates relevance and validation page by page and keeps
the answers in a :class:`ResponseDraft`, so the respondent can stop and resume with the same code
(or, on an open link, the same browser). A page form whose CSRF token expired is shown again with
the answers kept, never lost.

An unknown code answers 404, a used or expired one 410, each with a page saying what to do; a
draft started before its code expired may be finished during the grace period
(:mod:`survey_app.invitations.status`). An open link starts at most ``OPEN_LINK_LIMIT`` new
questionnaires per address (default 5 an hour), and its pages' posts 30 a minute.
"""
from __future__ import annotations

import re
import uuid

from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError

from survey_app.extensions import csrf, db, limiter
from survey_app.formtext import form_text
from survey_app.i18n import _
from survey_app.invitations.guessing import count_miss, refuse_when_guessing
from survey_app.invitations.status import CodeState, code_state, last_valid_day
from survey_app.models import Invitation, ResponseDraft, Submission
from survey_app.public import bp
from survey_app.public.respond_summary import problem_links, sections, step_heading, step_url, summary
from survey_app.public.tickets import Ticket, code_ticket, open_ticket
from survey_app.questionnaire import flow
from survey_app.questionnaire.engine import FormEngine, Problem
from survey_app.questionnaire.submit import (CaseAlreadyCompleted, SubmissionRefused, store_invitation_submission,
                                             store_open_submission)
from survey_app.questionnaire.types import browser_types, question_type
from survey_app.questionnaire.uploads import UploadRefused, store_answer_file

CODE_RE = re.compile(r"[^A-Z0-9]")
CODE_PREFIX = "/q/<code>"
OPEN_PREFIX = "/open/<campaign_code>/<unit_code>"


def normalise_code(raw: str) -> str:
    """Codes are printed in groups (``HNM-7K3P-Q9TX``); case, spaces and dashes do not matter."""
    return CODE_RE.sub("", (raw or "").upper())


def _find(code: str) -> Invitation | None:
    """The invitation of ``code``; a miss counts against the guessing limits (429 past them, for
    a found code too: the limits check its own campaign)."""
    code = normalise_code(code)
    found = db.session.scalar(select(Invitation).where(Invitation.code == code)) if len(code) <= 32 else None
    refuse_when_guessing(code, found.campaign_id if found else None)
    if found is None:
        count_miss(code)
    return found


def _unknown_code():
    return make_response(render_template("public/respond/unknown.html"), 404)


def _open_link_closed():
    return make_response(render_template("public/respond/open_closed.html"), 404)


def _ticket(where: dict) -> Ticket:
    """The code's or open link's ticket; a clear 404 page when there is none."""
    if "code" in where:
        invitation = _find(where["code"])
        if invitation is None:
            abort(_unknown_code())
        return code_ticket(invitation)
    ticket = open_ticket(where["campaign_code"], where["unit_code"])
    if ticket is None:
        abort(_open_link_closed())
    return ticket


def _state(ticket: Ticket, draft: ResponseDraft | None) -> CodeState:
    if ticket.invitation is None:
        return CodeState.OPEN
    return code_state(ticket.invitation, started=draft is not None)


def _answering(rule: str, **options):
    """Register a step view under both the code's and the open link's addresses."""
    def decorator(view):
        bp.add_url_rule(CODE_PREFIX + rule, view.__name__, view, **options)
        bp.add_url_rule(OPEN_PREFIX + rule, "open_" + view.__name__, view, **options)
        return view
    return decorator


def _reached_with_a_code() -> bool:
    return "code" in (request.view_args or {})


def _open_link_limit() -> str:
    return current_app.config["OPEN_LINK_LIMIT"]


def _too_many_started() -> str:
    return _("Too many questionnaires were started from your connection. Please try again in an hour. "
             "If you have an invitation letter, you can also answer with its code.")


#: Posts on an open link's pages, per address; the code's pages are reached only with a code.
open_posts = limiter.limit("30 per minute", methods=["POST"], exempt_when=_reached_with_a_code)


def _engine(ticket: Ticket) -> FormEngine:
    definition = ticket.version.definition
    wanted = str(get_locale())
    language = next((lang["name"] for lang in definition.get("languages", [])
                     if lang.get("code") == wanted), None)
    return FormEngine(definition, language)


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def enter_code():
    error = None
    if request.method == "POST":
        typed = request.form.get("code", "")
        found = _find(typed) if normalise_code(typed) else None
        if found is not None:
            return redirect(url_for("public.landing", code=found.code))
        error = (_("We could not find this code. Check it on your invitation letter.") if normalise_code(typed)
                 else _("Enter the invitation code printed on your letter."))
    return render_template("public/respond/code.html", error=error), 422 if error else 200


def _closed_code(ticket: Ticket, state: CodeState, draft: ResponseDraft | None):
    """410 with what to do: a used code, or an expired one (with or without answers begun)."""
    template = {CodeState.USED: "public/respond/used.html", CodeState.AT_THE_DOOR: "public/respond/at_the_door.html"}.get(
        state, "public/respond/expired.html")
    return render_template(template, ticket=ticket, campaign=ticket.campaign, started=draft is not None,
                           valid_until=last_valid_day(ticket.invitation)), 410


def _landing(ticket: Ticket):
    draft = ticket.draft()
    state = _state(ticket, draft)
    if state is CodeState.USED and ticket.sent_here():
        return redirect(ticket.url("done"))
    if state is not CodeState.OPEN:
        return _closed_code(ticket, state, draft)
    engine = _engine(ticket)
    return render_template("public/respond/landing.html", ticket=ticket, campaign=ticket.campaign,
                           title=engine.definition.get("title"), draft=draft,
                           valid_until=last_valid_day(ticket.invitation) if ticket.invitation else None,
                           pages=len(flow.steps(engine, flow.sync_repeats(engine, {}))))


@bp.route(CODE_PREFIX)
def landing(code: str):
    invitation = _find(code)
    if invitation is None:
        return _unknown_code()
    return _landing(code_ticket(invitation))


@bp.route(OPEN_PREFIX)
def open_landing(campaign_code: str, unit_code: str):
    return _landing(_ticket({"campaign_code": campaign_code, "unit_code": unit_code}))


def _new_draft(ticket: Ticket, engine: FormEngine) -> ResponseDraft:
    answers = flow.sync_repeats(engine, flow.with_defaults(engine, {"unit_code": ticket.unit.code}))
    if ticket.invitation is not None:
        draft = ResponseDraft(invitation_id=ticket.invitation.id, instance_uuid=str(uuid.uuid4()), answers=answers)
    else:
        draft = ResponseDraft(campaign_id=ticket.campaign.id, unit_id=ticket.unit.id,
                              questionnaire_version_id=ticket.version.id, instance_uuid=str(uuid.uuid4()),
                              answers=answers)
    db.session.add(draft)
    db.session.commit()
    return draft


def _begin(ticket: Ticket):
    """Open a new draft at its first page, or resume an existing one where it stopped."""
    draft = ticket.draft()
    if _state(ticket, draft) is not CodeState.OPEN:
        return redirect(ticket.url("landing"))
    engine = _engine(ticket)
    if draft is None:
        draft = _new_draft(ticket, engine)
        if ticket.open_link:
            ticket.remember(draft)
            g.open_draft_started = True
        shown = flow.steps(engine, draft.answers)
        return redirect(step_url(ticket, shown[0]) if shown else ticket.url("check"))
    resume = flow.first_unanswered(engine, draft.answers, _closed(draft))
    if resume is None:
        return redirect(ticket.url("check"))
    return redirect(step_url(ticket, resume))


@bp.route(CODE_PREFIX + "/start", methods=["POST"])
def start(code: str):
    return _begin(_ticket({"code": code}))


@bp.route(OPEN_PREFIX + "/start", methods=["POST"])
@limiter.limit(_open_link_limit, deduct_when=lambda response: bool(g.get("open_draft_started")),
               error_message=_too_many_started)
def open_start(campaign_code: str, unit_code: str):
    """Only a questionnaire actually started counts towards the address's limit, not a resume."""
    return _begin(_ticket({"campaign_code": campaign_code, "unit_code": unit_code}))


def _closed(draft: ResponseDraft) -> tuple:
    """Repeats the respondent said "no more" to."""
    return tuple((draft.paradata or {}).get("closed_repeats", []))


def _set_closed(draft: ResponseDraft, name: str, closed: bool) -> None:
    names = set(_closed(draft)) - {name} | ({name} if closed else set())
    draft.paradata = dict(draft.paradata or {}, closed_repeats=sorted(names))


def _open_draft(where: dict) -> tuple[Ticket, ResponseDraft, FormEngine]:
    """The ticket, its draft and engine; a used or expired code or a missing draft goes back to the start."""
    ticket = _ticket(where)
    draft = ticket.draft()
    if draft is None or _state(ticket, draft) is not CodeState.OPEN:
        abort(redirect(ticket.url("done" if ticket.sent_here() else "landing")))
    return ticket, draft, _engine(ticket)


def _after(ticket, engine, step, answers):
    """Where the respondent goes once a step is accepted."""
    if request.form.get("return_to") == "check":
        return redirect(ticket.url("check"))
    following = flow.neighbour(engine, step, answers, +1)
    if following is None:
        return redirect(ticket.url("check"))
    return redirect(step_url(ticket, following))


def _page_view(ticket, engine, step, answers, problems=(), status=200, csrf_failed=False):
    shown = flow.steps(engine, answers)
    previous = flow.neighbour(engine, step, answers, -1)
    page = flow.page_of_step(engine, step)
    path = step.repeat_path(engine)
    values = flow.values_of(engine, step, answers)
    prefix = "" if step.instance is None else f"{flow.repeat_of(engine, step)['name']}[{step.instance + 1}]/"
    return render_template(
        "public/respond/page.html", ticket=ticket, engine=engine, page=page, step=step, question_type=question_type,
        heading=step_heading(engine, step), action=step_url(ticket, step),
        questions=flow.shown_questions(engine, step, answers), answers=values, scope=answers,
        repeat_path=path, problems={p.key[len(prefix):]: p.message for p in problems},
        labels={engine.keys[q]: plain_label(engine, engine.by_path[q]) for q in page["questions"]},
        csrf_failed=csrf_failed, position=(shown.index(step) + 1 if step in shown else 1),
        total=len(shown), multipart=any(question_type(engine.by_path[q]["type"]).takes_file for q in page["questions"]),
        back_url=(step_url(ticket, previous) if previous is not None else ticket.url("landing")),
        page_json=_page_json(engine, page, values, answers, path)), status


def plain_label(engine: FormEngine, question: dict) -> str:
    """The question's label as plain text: what an error summary names it by."""
    return form_text(engine.text(question.get("labels"))).striptags() or engine.keys[question["path"]]


def _page_json(engine: FormEngine, page: dict, values: dict, answers: dict, path) -> dict:
    """What the page's script needs to show, hide and check questions as the respondent answers."""
    questions = [engine.by_path[p] for p in page["questions"]]
    return {"fields": sorted(engine.fields), "answers": answers, "repeat_path": path,
            "types": browser_types(q["type"] for q in questions),
            "questions": [{"key": engine.keys[q["path"]], "type": q["type"], "label": plain_label(engine, q),
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
        if question_type(question["type"]).takes_file and upload and upload.filename:
            try:
                stored[key] = store_answer_file(question["type"], upload)
            except UploadRefused as refused:
                problems.append(Problem(key, str(refused)))
    return stored, problems


def _handle_step(where: dict, step: flow.Step):
    ticket, draft, engine = _open_draft(where)
    if step not in flow.steps(engine, draft.answers):
        following = flow.neighbour(engine, step, draft.answers, +1)
        return redirect(step_url(ticket, following) if following else ticket.url("check"))
    if request.method == "GET":
        return _page_view(ticket, engine, step, draft.answers)
    files, file_problems = _read_files(engine, flow.page_of_step(engine, step))
    answers = flow.read_step(engine, step, request.form, draft.answers, files)
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        return _page_view(ticket, engine, step, answers, status=400, csrf_failed=True)
    problems = file_problems + flow.step_problems(engine, step, answers)
    draft.answers = answers
    db.session.commit()
    if problems:
        return _page_view(ticket, engine, step, answers, problems, status=422)
    return _after(ticket, engine, step, answers)


@_answering("/page/<int:number>", methods=["GET", "POST"])
@csrf.exempt
@open_posts
def page(number: int, **where):
    ticket, draft, engine = _open_draft(where)
    if not 0 < number <= len(flow.plan(engine)):
        abort(404)
    if flow.plan(engine)[number - 1]["kind"] == "repeat":
        following = flow.neighbour(engine, flow.Step(number - 1, -1, -1), draft.answers, +1)
        return redirect(step_url(ticket, following) if following else ticket.url("check"))
    return _handle_step(where, flow.Step(number - 1))


@_answering("/page/<int:number>/<int:instance>/<int:sub>", methods=["GET", "POST"])
@csrf.exempt
@open_posts
def repeat_page(number: int, instance: int, sub: int, **where):
    return _handle_step(where, flow.Step(number - 1, instance - 1, sub - 1))


@_answering("/page/<int:number>/more", methods=["GET", "POST"])
@open_posts
def more(number: int, **where):
    """Add another instance of a repeat the respondent sizes, or go on."""
    ticket, draft, engine = _open_draft(where)
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
            return redirect(step_url(ticket, added[0]) if added else step_url(ticket, step))
        if choice == "no":
            _set_closed(draft, repeat["name"], True)
            db.session.commit()
            return _after(ticket, engine, step, draft.answers)
        error = _("Choose yes or no.")
    shown = flow.steps(engine, draft.answers)
    previous = flow.neighbour(engine, step, draft.answers, -1)
    return render_template("public/respond/more.html", ticket=ticket, error=error,
                           label=engine.text(repeat.get("labels")) or repeat["name"], count=len(existing),
                           position=shown.index(step) + 1, total=len(shown),
                           back_url=step_url(ticket, previous) if previous
                           else ticket.url("landing")), 422 if error else 200


@_answering("/page/<int:number>/<int:instance>/remove", methods=["POST"])
@open_posts
def remove_instance(number: int, instance: int, **where):
    ticket, draft, engine = _open_draft(where)
    page = flow.plan(engine)[number - 1] if 0 < number <= len(flow.plan(engine)) else None
    if page is None or page["kind"] != "repeat" or page["repeat_count"]:
        abort(404)
    repeat = engine.by_path[page["repeat"]]
    kept = [dict(i) for i in flow.instances(engine, repeat, draft.answers)]
    if 0 < instance <= len(kept):
        del kept[instance - 1]
        draft.answers = dict(draft.answers, **{repeat["name"]: kept})
        db.session.commit()
    return redirect(ticket.url("check"))


def _submit(ticket: Ticket, draft: ResponseDraft, engine: FormEngine) -> None:
    if ticket.invitation is not None:
        store_invitation_submission(ticket.invitation, draft, engine)
        ticket.mark_sent()
        return
    ticket.forget(store_open_submission(ticket.campaign.id, ticket.unit, ticket.version, draft, engine))


@_answering("/check", methods=["GET", "POST"])
@open_posts
def check(**where):
    ticket, draft, engine = _open_draft(where)
    problems = []
    if request.method == "POST":
        try:
            _submit(ticket, draft, engine)
        except SubmissionRefused as refused:
            problems = refused.problems
        except CaseAlreadyCompleted:
            return render_template("public/respond/at_the_door.html", ticket=ticket, campaign=ticket.campaign,
                                   kept=True), 409
        else:
            return redirect(ticket.url("done"))
    rows = [dict(r, url=step_url(ticket, r["step"], return_to="check"))
            for r in summary(engine, draft.answers)]
    repeats = [{"label": engine.text(engine.by_path[p["repeat"]].get("labels")) or p["repeat"],
                "number": i + 1, "count": len(flow.instances(engine, engine.by_path[p["repeat"]], draft.answers))}
               for i, p in enumerate(flow.plan(engine)) if p["kind"] == "repeat" and not p["repeat_count"]]
    return render_template("public/respond/check.html", ticket=ticket, sections=sections(rows), repeats=repeats,
                           problems=problem_links(ticket, engine, draft.answers, problems)), \
        422 if problems else 200


@bp.route(CODE_PREFIX + "/done")
def done(code: str):
    ticket = _ticket({"code": code})
    if ticket.invitation.used_at is None:
        return redirect(ticket.url("landing"))
    submission = db.session.scalar(select(Submission).where(Submission.invitation_id == ticket.invitation.id))
    return render_template("public/respond/done.html", ticket=ticket,
                           receipt=submission.receipt if submission else "")


@bp.route(OPEN_PREFIX + "/done")
def open_done(campaign_code: str, unit_code: str):
    ticket = _ticket({"campaign_code": campaign_code, "unit_code": unit_code})
    receipt = ticket.receipt()
    if not receipt:
        return redirect(ticket.url("landing"))
    return render_template("public/respond/done.html", ticket=ticket, receipt=receipt)
