"""Computing a new submission's quality flags in the intake transaction.

Fingerprints of phone, name and address answers (:class:`IdentityKey`, SHA-256 of the
normalised text) and the interview's position (:class:`SubmissionPlace`) are stored beside
it so that later checks are indexed queries, not scans of every answer document.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select

from survey_app.extensions import db
from survey_app.models import (IdentityKey, QualityFlag, QualitySettings, Role, Submission,
                               SubmissionPlace, User)
from survey_app.quality import rules

#: Answer keys read as the respondent's identity, by kind.
IDENTITY_KEYS = {"phone": ("phone", "respondent_phone", "so_dien_thoai"),
                 "name": ("name", "respondent_name", "ho_ten"),
                 "address": ("address", "respondent_address", "dia_chi")}
DEGREE_M = 111_320  # metres per degree of latitude


def settings_for(questionnaire_id: int) -> QualitySettings:
    found = db.session.scalar(select(QualitySettings).where(
        QualitySettings.questionnaire_id == questionnaire_id))
    if found is None:  # the column defaults, not stored
        found = QualitySettings(questionnaire_id=questionnaire_id, backcheck_keys=[])
        for column in QualitySettings.__table__.columns:
            if getattr(found, column.key) is None and column.default is not None and column.default.is_scalar:
                setattr(found, column.key, column.default.arg)
    return found


def normalise(kind: str, value: str) -> str:
    text = unicodedata.normalize("NFC", str(value)).casefold()
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        return "0" + digits[2:] if digits.startswith("84") else digits
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _identity(submission: Submission) -> list[str]:
    """Store the fingerprints; return the receipts of earlier submissions sharing one."""
    kinds, others = [], []
    for kind, keys in IDENTITY_KEYS.items():
        value = next((submission.answers[k] for k in keys if submission.answers.get(k)), None)
        normal = normalise(kind, value) if value else ""
        if len(normal) < 4:
            continue
        digest = hashlib.sha256(f"{kind}:{normal}".encode()).hexdigest()
        matches = list(db.session.scalars(select(Submission.receipt).join(
            IdentityKey, IdentityKey.submission_id == Submission.id).where(
            IdentityKey.campaign_id == submission.campaign_id, IdentityKey.kind == kind,
            IdentityKey.digest == digest, Submission.id != submission.id)))
        db.session.add(IdentityKey(submission_id=submission.id, campaign_id=submission.campaign_id,
                                   kind=kind, digest=digest))
        if matches:
            kinds.append(kind)
            others.extend(m for m in matches if m not in others)
    return [kinds, others] if kinds else []


def _point(submission: Submission) -> tuple[float, float] | None:
    geo = (submission.paradata or {}).get("geolocation") or {}
    try:
        lat, lon = float(geo["lat"]), float(geo["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _places(submission: Submission, point, settings: QualitySettings) -> tuple[int, list]:
    """Store the position; count the enumerator's others nearby and the cluster's positions."""
    cluster = submission.case.cluster if submission.case else None
    mine = (SubmissionPlace.enumerator_id.is_(None) if submission.enumerator_id is None
            else SubmissionPlace.enumerator_id == submission.enumerator_id)
    rows = db.session.execute(select(
        SubmissionPlace.enumerator_id, SubmissionPlace.cluster, SubmissionPlace.lat, SubmissionPlace.lon)
        .where(SubmissionPlace.campaign_id == submission.campaign_id,
               or_(mine, SubmissionPlace.cluster == cluster) if cluster else mine)).all()
    db.session.add(SubmissionPlace(submission_id=submission.id, campaign_id=submission.campaign_id,
                                   enumerator_id=submission.enumerator_id, cluster=cluster,
                                   lat=point[0], lon=point[1],
                                   accuracy_m=(submission.paradata.get("geolocation") or {}).get("accuracy_m")))
    near = sum(1 for r in rows if r.enumerator_id == submission.enumerator_id
               and rules.distance_m(point, (r.lat, r.lon)) <= settings.location_radius_m)
    village = [(r.lat, r.lon) for r in rows if cluster and r.cluster == cluster]
    return near, village


def _outside_scope(submission: Submission) -> bool:
    user = db.session.get(User, submission.enumerator_id) if submission.enumerator_id else None
    return user is not None and not user.can_reach(Role.ENUMERATOR, submission.unit)


def _local_hour(submission: Submission) -> int | None:
    if submission.started_at is None:
        return None
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))
    return submission.started_at.astimezone(zone).hour


def _answered(submission: Submission, definition: dict) -> int:
    shown = _form_facts(definition)[0]
    return sum(1 for k, v in submission.answers.items() if k in shown and v not in ("", None))


#: (definition, shown question names, Likert grids) of the last definitions seen, by id(): a
#: cached questionnaire definition is the same object on every intake.
_FACTS: dict[int, tuple[dict, frozenset, list]] = {}


def _form_facts(definition: dict) -> tuple[frozenset, list]:
    """The names of questions shown on a page and the Likert grids, computed once per definition."""
    found = _FACTS.get(id(definition))
    if found is None or found[0] is not definition:
        shown = frozenset(q["name"] for q in definition["questions"] if q["type"] not in rules_no_page())
        found = (definition, shown, rules.likert_grids(definition))
        if len(_FACTS) >= 64:
            _FACTS.clear()
        _FACTS[id(definition)] = found
    return found[1], found[2]


def rules_no_page() -> tuple[str, ...]:
    return ("calculate", "hidden", "start", "end", "today", "deviceid", "username", "note",
            "group", "repeat", "simserial", "subscriberid", "phonenumber")


def evaluate(submission: Submission, definition: dict | None = None) -> dict[str, str]:
    """Reasons by rule for one submission (stores its fingerprints and position).

    ``definition``: the submission's questionnaire definition when the caller has it already.
    """
    settings = settings_for(submission.questionnaire_id)
    if definition is None:
        definition = submission.questionnaire_version.definition
    found = {"too_fast": rules.too_fast((submission.paradata or {}).get("duration_s"),
                                        _answered(submission, definition), settings.min_seconds_per_question),
             "straight_lining": rules.straight_lining(submission.answers, _form_facts(definition)[1],
                                                      settings.straightline_share),
             "unusual_hour": rules.unusual_hour(_local_hour(submission), settings.earliest_hour,
                                                settings.latest_hour)}
    same = _identity(submission)
    found["duplicate"] = rules.duplicate(*same) if same else None
    point = _point(submission)
    if point is not None:
        near, village = _places(submission, point, settings)
        found["same_location"] = rules.same_location(near, settings.location_radius_m, settings.max_at_location)
        found["off_area"] = rules.off_area(point, village, settings.off_area_km)
    if _outside_scope(submission):
        found["off_area"] = rules.outside_unit(submission.unit.name)
    return {rule: reason for rule, reason in found.items() if reason}


def on_intake(submission: Submission, definition: dict | None = None) -> list[QualityFlag]:
    """Flag a new submission (already flushed, so it has an id); never changes its data."""
    flags = [QualityFlag(submission_id=submission.id, rule=rule, reason=reason)
             for rule, reason in evaluate(submission, definition).items()]
    db.session.add_all(flags)
    return flags
