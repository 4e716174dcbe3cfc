"""What a supervisor reads and decides about a send kept aside: the stored and the kept-aside
answers question by question, and the two ways to close it.

Applying the kept-aside answers is an edit of the original like an enumerator's correction:
re-validated by the server's engine, recorded as a :class:`SubmissionEdit` with before and
after, review state *edited*, audited by the ORM's flush hook. Refused answers change nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import get_locale

from survey_app.exports.codebook import label_in
from survey_app.i18n import _
from survey_app.models import ConflictStatus, ReviewState, SubmissionConflict, SubmissionEdit
from survey_app.models.base import utcnow
from survey_app.questionnaire.answers import repeat_of
from survey_app.questionnaire.engine import FormEngine, Problem
from survey_app.questionnaire.types import question_type

NO_ANSWER = ("group",)  # a repeat has answers: the list of its instances; a note has none (types/)


@dataclass(frozen=True)
class Row:
    """One question: its answer key and label, both answers as text, whether they differ."""

    key: str
    label: str
    stored: str
    kept: str
    differs: bool


def engine_of(conflict: SubmissionConflict) -> FormEngine:
    return FormEngine(conflict.submission.questionnaire_version.definition)


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def candidate(engine: FormEngine, conflict: SubmissionConflict) -> tuple[dict, list[Problem]]:
    """The kept-aside answers as applying them would store them (cleaned and calculated), or as
    sent with the engine's problems when it refuses them."""
    problems = engine.problems(conflict.answers)
    if problems:
        return conflict.answers, problems
    return engine.calculate(engine.clean(conflict.answers)), []


def comparison(engine: FormEngine, stored: dict, kept: dict) -> list[Row]:
    """Every question either side answered, in the questionnaire's order (keys the form does
    not know at the end), labelled in the reader's language."""
    locale = str(get_locale() or "vi")
    labels = {}
    for question in engine.questions:
        if (question["type"] not in NO_ANSWER and question_type(question["type"]).has_value
                and repeat_of(question, engine.by_path) is None):
            labels.setdefault(engine.keys[question["path"]], label_in(question.get("labels"), locale))
    keys = [k for k in labels if k in stored or k in kept]
    keys += sorted((set(stored) | set(kept)) - set(labels))
    return [Row(k, labels.get(k) or k, _shown(stored.get(k)), _shown(kept.get(k)),
                _shown(stored.get(k)) != _shown(kept.get(k))) for k in keys]


def _close(conflict: SubmissionConflict, user_id: int, note: str) -> None:
    conflict.status = ConflictStatus.RESOLVED
    conflict.resolved_by_id, conflict.resolved_at, conflict.note = user_id, utcnow(), note


def keep_stored(conflict: SubmissionConflict, user_id: int, note: str) -> None:
    """Close the conflict; the stored interview stays as it is."""
    _close(conflict, user_id, note)


def apply_kept(conflict: SubmissionConflict, user_id: int, note: str) -> list[Problem]:
    """Make the kept-aside answers the interview's, as an edit; the engine's problems (and
    nothing changed) when it refuses them."""
    engine = engine_of(conflict)
    answers, problems = candidate(engine, conflict)
    if problems:
        return problems
    submission = conflict.submission
    edit = SubmissionEdit(submission=submission, editor_id=user_id, before=submission.answers, after=answers,
                          reason=_("Answers kept aside after a repeated send, applied by the supervisor: %(note)s",
                                   note=note))
    submission.answers = answers
    submission.review_state = ReviewState.EDITED
    _close(conflict, user_id, note)
    conflict.submission_edit = edit
    return []
