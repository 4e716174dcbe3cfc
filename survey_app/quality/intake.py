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
from sqlalchemy import select

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
    rows = list(db.session.scalars(select(SubmissionPlace).where(
        SubmissionPlace.campaign_id == submission.campaign_id)))
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


def _answered(submission: Submission) -> int:
    definition = submission.questionnaire_version.definition
    shown = {q["name"] for q in definition["questions"] if q["type"] not in rules_no_page()}
    return sum(1 for k, v in submission.answers.items() if k in shown and v not in ("", None))


def rules_no_page() -> tuple[str, ...]:
    return ("calculate", "hidden", "start", "end", "today", "deviceid", "username", "note",
            "group", "repeat", "simserial", "subscriberid", "phonenumber")


def evaluate(submission: Submission) -> dict[str, str]:
    """Reasons by rule for one submission (stores its fingerprints and position)."""
    settings = settings_for(submission.questionnaire_id)
    definition = submission.questionnaire_version.definition
    found = {"too_fast": rules.too_fast((submission.paradata or {}).get("duration_s"),
                                        _answered(submission), settings.min_seconds_per_question),
             "straight_lining": rules.straight_lining(submission.answers, rules.likert_grids(definition),
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


def on_intake(submission: Submission) -> list[QualityFlag]:
    """Flag a new submission (already flushed, so it has an id); never changes its data."""
    flags = [QualityFlag(submission_id=submission.id, rule=rule, reason=reason)
             for rule, reason in evaluate(submission).items()]
    db.session.add_all(flags)
    return flags
