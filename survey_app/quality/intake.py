"""Computing a new submission's quality flags in the intake transaction.

Fingerprints of phone, name and address answers (:class:`IdentityKey`, SHA-256 of the
normalised text) and the interview's position (:class:`SubmissionPlace`) are stored beside
it so that later checks are indexed queries, not scans of every answer document.
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, bindparam, or_, select

from survey_app.extensions import db
from survey_app.models import (IdentityKey, QualityFlag, QualitySettings, Role, Submission,
                               SubmissionPlace, User)
from survey_app.quality import rules
from survey_app.questionnaire.types import has_page, question_type

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


#: The thresholds the intake checks read (the columns of :class:`QualitySettings`).
THRESHOLDS = ("min_seconds_per_question", "straightline_share", "earliest_hour", "latest_hour",
              "location_radius_m", "max_at_location", "off_area_km")


def thresholds(values) -> SimpleNamespace:
    """The intake thresholds from stored values (a sequence in :data:`THRESHOLDS` order, or
    ``None`` when the questionnaire has no settings row): a missing value is the column default."""
    columns = QualitySettings.__table__.columns
    found = {}
    for index, name in enumerate(THRESHOLDS):
        value = values[index] if values is not None else None
        found[name] = columns[name].default.arg if value is None else value
    return SimpleNamespace(**found)


def normalise(kind: str, value: str) -> str:
    text = unicodedata.normalize("NFC", str(value)).casefold()
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        return "0" + digits[2:] if digits.startswith("84") else digits
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


@dataclass
class NewSubmission:
    """What the intake checks read of a new submission: plain values, no ORM object (the
    intake of the offline collector writes with Core statements)."""

    #: ``None`` while not stored yet (the rows to store beside it then carry ``None`` too).
    id: int | None
    campaign_id: int
    questionnaire_id: int
    enumerator_id: int | None
    unit_id: int
    cluster: str | None
    answers: dict
    paradata: dict
    started_at: datetime | None


@dataclass
class Findings:
    """The reasons by rule, and the rows to store beside the submission."""

    reasons: dict[str, str]
    identity_keys: list[dict] = field(default_factory=list)
    place: dict | None = None


def _identity(connection, new: NewSubmission, keys: list[dict]) -> list:
    """Collect the fingerprints; return the kinds and receipts of earlier submissions sharing one."""
    kinds, others = [], []
    for kind, names in IDENTITY_KEYS.items():
        value = next((new.answers[k] for k in names if new.answers.get(k)), None)
        normal = normalise(kind, value) if value else ""
        if len(normal) < 4:
            continue
        digest = hashlib.sha256(f"{kind}:{normal}".encode()).hexdigest()
        query = select(Submission.receipt).join(IdentityKey, IdentityKey.submission_id == Submission.id).where(
            IdentityKey.campaign_id == new.campaign_id, IdentityKey.kind == kind, IdentityKey.digest == digest)
        if new.id is not None:  # stored already: not a duplicate of itself
            query = query.where(Submission.id != new.id)
        matches = list(connection.scalars(query))
        keys.append({"submission_id": new.id, "campaign_id": new.campaign_id, "kind": kind, "digest": digest})
        if matches:
            kinds.append(kind)
            others.extend(m for m in matches if m not in others)
    return [kinds, others] if kinds else []


def sent_position(paradata: dict | None) -> tuple[float, float] | None:
    """The (lat, lon) the device sent in its paradata, when valid."""
    geo = (paradata or {}).get("geolocation") or {}
    try:
        lat, lon = float(geo["lat"]), float(geo["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


@cache
def _places_query(has_enumerator: bool, has_cluster: bool):
    """The enumerator's positions in the campaign within a box around the point, and the
    village's positions: two index lookups, whatever the campaign's size (built once per shape)."""
    place = SubmissionPlace
    mine = and_(place.enumerator_id == bindparam("enumerator_id") if has_enumerator else place.enumerator_id.is_(None),
                place.lat.between(bindparam("south"), bindparam("north")),
                place.lon.between(bindparam("west"), bindparam("east")))
    return (select(place.enumerator_id, place.cluster, place.lat, place.lon)
            .where(place.campaign_id == bindparam("campaign_id"),
                   or_(mine, place.cluster == bindparam("cluster")) if has_cluster else mine))


def _box(point: tuple[float, float], radius_m: float) -> dict[str, float]:
    """A latitude/longitude box holding every point within ``radius_m`` of ``point``."""
    lat_step = radius_m / DEGREE_M * 1.01
    lon_step = lat_step / max(math.cos(math.radians(min(abs(point[0]), 89.0))), 0.01)
    return {"south": point[0] - lat_step, "north": point[0] + lat_step,
            "west": point[1] - lon_step, "east": point[1] + lon_step}


def _places(connection, new: NewSubmission, point, settings, rows=None) -> tuple[int, list, dict]:
    """The position to store; the enumerator's others nearby and the cluster's positions."""
    cluster = new.cluster
    if rows is None:
        rows = connection.execute(_places_query(new.enumerator_id is not None, bool(cluster)),
                                  {"campaign_id": new.campaign_id, "enumerator_id": new.enumerator_id,
                                   "cluster": cluster, **_box(point, settings.location_radius_m)}).all()
    place = {"submission_id": new.id, "campaign_id": new.campaign_id, "enumerator_id": new.enumerator_id,
             "cluster": cluster, "lat": point[0], "lon": point[1],
             "accuracy_m": (new.paradata.get("geolocation") or {}).get("accuracy_m")}
    near = sum(1 for enumerator_id, _, lat, lon in rows if enumerator_id == new.enumerator_id
               and rules.distance_m(point, (lat, lon)) <= settings.location_radius_m)
    village = [(lat, lon) for _, place_cluster, lat, lon in rows if cluster and place_cluster == cluster]
    return near, village, place


def _outside_scope(submission: Submission) -> str | None:
    """The unit's name when the enumerator does not hold the role for the submission's unit."""
    user = db.session.get(User, submission.enumerator_id) if submission.enumerator_id else None
    if user is not None and not user.can_reach(Role.ENUMERATOR, submission.unit):
        return submission.unit.name
    return None


def _local_hour(started_at: datetime | None) -> int | None:
    if started_at is None:
        return None
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))
    return started_at.astimezone(zone).hour


def _answered(answers: dict, definition: dict) -> int:
    shown = _form_facts(definition)[0]
    return sum(1 for k, v in answers.items() if k in shown and v not in ("", None))


#: (definition, shown question names, Likert grids) of the last definitions seen, by id(): a
#: cached questionnaire definition is the same object on every intake.
_FACTS: dict[int, tuple[dict, frozenset, list]] = {}


def _form_facts(definition: dict) -> tuple[frozenset, list]:
    """The names of questions shown on a page and the Likert grids, computed once per definition."""
    found = _FACTS.get(id(definition))
    if found is None or found[0] is not definition:
        shown = frozenset(q["name"] for q in definition["questions"] if answered_on_a_page(q["type"]))
        found = (definition, shown, rules.likert_grids(definition))
        if len(_FACTS) >= 64:
            _FACTS.clear()
        _FACTS[id(definition)] = found
    return found[1], found[2]


def answered_on_a_page(kind: str) -> bool:
    """Whether a question of this type is shown with an answer (not a note, value or group)."""
    return has_page(kind) and question_type(kind).has_value


def check(connection, new: NewSubmission, definition: dict, settings,
          outside_scope: Callable[[], str | None], places: list | None = None) -> Findings:
    """Reasons by rule for one new submission, and its fingerprints and position to store.

    Reads other submissions' keys and places through ``connection``; writes nothing.
    ``settings``: the questionnaire's thresholds (a :class:`QualitySettings` or any object with
    its attributes); ``outside_scope``: the case's unit name when the enumerator does not hold
    the role for it, else ``None`` (called once); ``places``: the positions :func:`_places`
    would read ((enumerator id, cluster, lat, lon) each), when the caller read them already.
    """
    found = {"too_fast": rules.too_fast((new.paradata or {}).get("duration_s"),
                                        _answered(new.answers, definition), settings.min_seconds_per_question),
             "straight_lining": rules.straight_lining(new.answers, _form_facts(definition)[1],
                                                      settings.straightline_share),
             "unusual_hour": rules.unusual_hour(_local_hour(new.started_at), settings.earliest_hour,
                                                settings.latest_hour)}
    findings = Findings({})
    same = _identity(connection, new, findings.identity_keys)
    found["duplicate"] = rules.duplicate(*same) if same else None
    point = sent_position(new.paradata)
    if point is not None:
        near, village, findings.place = _places(connection, new, point, settings, places)
        found["same_location"] = rules.same_location(near, settings.location_radius_m, settings.max_at_location)
        found["off_area"] = rules.off_area(point, village, settings.off_area_km)
    unit_name = outside_scope()
    if unit_name is not None:
        found["off_area"] = rules.outside_unit(unit_name)
    findings.reasons = {rule: reason for rule, reason in found.items() if reason}
    return findings


def evaluate(submission: Submission, definition: dict | None = None) -> dict[str, str]:
    """Reasons by rule for one flushed ORM submission (adds its fingerprints and position to
    the session).

    ``definition``: the submission's questionnaire definition when the caller has it already.
    """
    if definition is None:
        definition = submission.questionnaire_version.definition
    new = NewSubmission(submission.id, submission.campaign_id, submission.questionnaire_id,
                        submission.enumerator_id, submission.unit_id,
                        submission.case.cluster if submission.case else None, submission.answers,
                        submission.paradata or {}, submission.started_at)
    findings = check(db.session.connection(), new, definition, settings_for(submission.questionnaire_id),
                     lambda: _outside_scope(submission))
    db.session.add_all(IdentityKey(**row) for row in findings.identity_keys)
    if findings.place is not None:
        db.session.add(SubmissionPlace(**findings.place))
    return findings.reasons


def on_intake(submission: Submission, definition: dict | None = None) -> list[QualityFlag]:
    """Flag a new submission (already flushed, so it has an id); never changes its data."""
    flags = [QualityFlag(submission_id=submission.id, rule=rule, reason=reason)
             for rule, reason in evaluate(submission, definition).items()]
    db.session.add_all(flags)
    return flags
