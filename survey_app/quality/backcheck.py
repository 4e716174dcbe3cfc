"""Back-checks (*phúc tra*): a share of each enumerator's completed interviews drawn for
re-contact, a few key questions asked again, and the agreement of the answers.

Drawing: for an enumerator with m completed interviews (not rejected) and a share s, the
back-check sample holds ⌈s·m⌉ of them, drawn by simple random sampling without replacement
with a seed per enumerator (``random.Random(f"{seed}:{enumerator id}")``), so the draw can be
reproduced and a second draw only tops the sample up. Agreement of one back-check: the share of
re-asked keys whose answer equals the original; an enumerator's agreement is the mean over
their checks, with the standard error s/√k of a mean over k checks (Cochran, *Sampling
Techniques*, 1977, §2.4). Low agreement is the usual signal of curbstoning (AAPOR,
*Interviewer Falsification in Survey Research*, 2003; Kreuter 2013, ch. 9).
"""
from __future__ import annotations

import math
import random
from statistics import mean, stdev

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import BackCheck, ReviewState, Submission, User
from survey_app.questionnaire.languages import language_code
from survey_app.quality.intake import settings_for
from survey_app.quality.rules import likert_grids

#: Demographic keys re-asked when the questionnaire has them; three satisfaction items follow.
DEMOGRAPHIC_KEYS = ("sex", "age_group")
SATISFACTION_ITEMS = 3


def default_keys(definition: dict) -> list[str]:
    """Sex and age group when the form asks them, and the first three Likert-grid items."""
    names = {q["name"] for q in definition.get("questions", [])}
    items = [name for grid in likert_grids(definition) for name in grid][:SATISFACTION_ITEMS]
    return [k for k in DEMOGRAPHIC_KEYS if k in names] + items


def keys_for(submission: Submission) -> list[str]:
    """The questionnaire's chosen back-check keys, else the defaults."""
    chosen = settings_for(submission.questionnaire_id).backcheck_keys or []
    return list(chosen) or default_keys(submission.questionnaire_version.definition)


def _completed(enumerator: User) -> list[Submission]:
    return list(db.session.scalars(select(Submission).where(
        Submission.enumerator_id == enumerator.id, Submission.review_state != ReviewState.REJECTED)
        .order_by(Submission.id)))


def draw(enumerators: list[User], share: float, seed: int, drawn_by_id: int | None) -> int:
    """Top up each enumerator's back-check sample to ⌈share·m⌉; returns how many were drawn."""
    drawn = 0
    for enumerator in enumerators:
        done = _completed(enumerator)
        already = set(db.session.scalars(select(BackCheck.submission_id).where(
            BackCheck.submission_id.in_([s.id for s in done])))) if done else set()
        need = math.ceil(share * len(done) - 1e-9) - len(already)
        pool = [s for s in done if s.id not in already]
        rng = random.Random(f"{seed}:{enumerator.id}")
        for submission in rng.sample(pool, max(0, min(need, len(pool)))):
            db.session.add(BackCheck(submission_id=submission.id, drawn_by_id=drawn_by_id,
                                     keys=keys_for(submission)))
            drawn += 1
    db.session.flush()
    return drawn


def agreement(original: dict, reasked: dict, keys: list[str]) -> float | None:
    """Share of the re-asked keys answered as in the interview; ``None`` if none was re-asked."""
    compared = [k for k in keys if str(reasked.get(k) or "").strip()]
    if not compared:
        return None
    return sum(str(original.get(k, "")).strip() == str(reasked[k]).strip() for k in compared) / len(compared)


def summary(agreements: list[float]) -> tuple[float | None, float | None]:
    """Mean agreement in percent and its standard error s/√k (None below two checks)."""
    if not agreements:
        return None, None
    se = 100 * stdev(agreements) / math.sqrt(len(agreements)) if len(agreements) > 1 else None
    return 100 * mean(agreements), se


def text_in(texts: dict | None, locale: str, default: str | None) -> str:
    """A label in the reader's language, else the form's default language, else any."""
    texts = texts or {}
    for key, value in texts.items():
        if language_code(key) == locale:
            return value
    return texts.get(default or "") or next(iter(texts.values()), "")
