"""Receiving an interview from the offline collector, exactly once.

Idempotency: every send carries a client UUID (*mã phiếu*): the interview's instance UUID,
fixed on the device when the interview is opened, or, for a correction after rejection, the
correction's own UUID. An accepted send writes a :class:`SyncReceipt` under that UUID (unique)
in the same transaction as the submission, so a repeated send — a retry after a lost
acknowledgement, a second tab, a forced resend — finds the receipt and gets the same
acknowledgement; two sends racing each other meet the unique constraints and the loser
answers from the winner's receipt. Nothing is stored for a refused send, but for one that
reuses a received UUID with other answers or from another enumerator, or that brings a new
interview to a case already completed (by an interview or by the household's letter): it is
kept aside for a supervisor (:mod:`survey_app.field.conflicts`). One interview per case and
respondent line holds under concurrent sends through the unique pair (case, line) of
:class:`Submission`: the loser of a race meets it.
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import Float, Integer, and_, bindparam, cast, func, or_, select
from sqlalchemy.exc import IntegrityError

from survey_app.boundary import check_answer_shape
from survey_app.extensions import db
from survey_app.field.bundle import campaign_questionnaire_id
from survey_app.field.conflicts import answers_digest, case_interview, keep_aside, respondent_line, same_answers
from survey_app.field.files import missing_files
from survey_app.field.intake_store import NewInterview, store
from survey_app.field.tokens import SendingDevice
from survey_app.i18n import _
from survey_app.models import (AdminUnit, Assignment, Campaign, CaseStatus, Channel, DeviceToken, QualitySettings,
                               QuestionnaireVersion, ReviewState, SampleCase, SampleList, Submission,
                               SubmissionEdit, SubmissionPlace, SyncReceipt, VersionStatus, VisitAttempt)
from survey_app.models.base import utcnow
from survey_app.models.fieldwork import CASE_COMPLETED
from survey_app.quality.intake import DEGREE_M, THRESHOLDS, NewSubmission, check, sent_position, thresholds
from survey_app.questionnaire.engine import FormEngine, cached_engine
from survey_app.refusals import Refused as BaseRefused

MAX_PARADATA = 256 * 1024


class Refused(BaseRefused):
    """A send the server will not store: HTTP status, message, and the form's problems."""

    def __init__(self, status: int, message: str, problems=()):
        super().__init__(status, problems, message)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(payload: dict, key: str, required: bool = True, limit: int = 64) -> str | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise Refused(400, _("The field %(name)s is missing or malformed.", name=key))
    return value.strip()


def _moment(payload: dict, key: str) -> datetime | None:
    value = payload.get(key)
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Refused(400, _("The field %(name)s is missing or malformed.", name=key)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _parse(payload) -> dict:
    if not isinstance(payload, dict):
        raise Refused(400, _("The request could not be understood."))
    answers, paradata = payload.get("answers"), payload.get("paradata") or {}
    if not isinstance(answers, dict) or not isinstance(paradata, dict):
        raise Refused(400, _("The field %(name)s is missing or malformed.", name="answers"))
    check_answer_shape(answers)
    if len(json.dumps(paradata)) > MAX_PARADATA:
        raise Refused(413, _("The upload is too large."))
    line, enumerator = payload.get("line_number"), payload.get("enumerator_id")
    if (line is not None and not isinstance(line, int)) or (enumerator is not None and not isinstance(enumerator, int)):
        raise Refused(400, _("The field %(name)s is missing or malformed.", name="line_number"))
    case_id, version_id = payload.get("case_id"), payload.get("questionnaire_version_id")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (case_id, version_id)):
        raise Refused(400, _("The field %(name)s is missing or malformed.", name="case_id"))
    return {"instance_uuid": _text(payload, "instance_uuid"),
            "edit_uuid": _text(payload, "edit_uuid", required=False), "case_id": case_id,
            "version_id": version_id, "line_number": line, "enumerator_id": enumerator, "answers": answers, "paradata": paradata,
            "digest": answers_digest(answers),
            "started_at": _moment(payload, "started_at"), "submitted_at": _moment(payload, "submitted_at"),
            "language": payload.get("language") if isinstance(payload.get("language"), str) else None}


def _engine(version_id: int, status: VersionStatus, checksum: str | None,
            language: str | None) -> FormEngine:
    """The version's form engine. A published (or retired) version never changes, so its
    engine is built once per process and its definition not even loaded."""
    def definition() -> dict:
        return db.session.connection().scalar(select(QuestionnaireVersion.definition)
                                              .where(QuestionnaireVersion.id == version_id))
    if status is VersionStatus.DRAFT:
        return FormEngine(definition(), language)
    return cached_engine((version_id, checksum), definition, language)


def _checked_answers(engine: FormEngine, data: dict) -> dict:
    """The answers after the authoritative server check; a refusal carries every problem,
    among them a file answer naming a file that was not received (sent before the interview).
    Calculations are made here before the check, as for the citizen's questionnaire: the
    relevance of a question inside a repeat instance often hangs on one (never the phone's)."""
    answers = engine.calculate(data["answers"])
    problems = engine.problems(answers)
    refused = {p.key for p in problems}
    problems += [p for p in missing_files(engine, answers) if p.key not in refused]
    if problems:
        raise Refused(422, _("Some answers are not accepted."),
                      [{"key": p.key, "message": p.message} for p in problems])
    return engine.clean(answers)


def _paradata(data: dict, device: SendingDevice) -> dict:
    paradata = dict(data["paradata"])
    start, end = data["started_at"], data["submitted_at"]
    if start and end and "duration_s" not in paradata:
        paradata["duration_s"] = max(0, round((end - start).total_seconds()))
    paradata["device_token_id"] = device.id
    return paradata


_SUBMISSION, _CASE, _VISIT = Submission.__table__, SampleCase.__table__, VisitAttempt.__table__
_RECEIPT, _DEVICE, _QS = SyncReceipt.__table__, DeviceToken.__table__, QualitySettings.__table__
_TOUCH_DEVICE = _DEVICE.update().where(_DEVICE.c.id == bindparam("device_id")).values(
    last_sync_at=bindparam("moment"))
_QV = QuestionnaireVersion.__table__


def _load_statement(with_places: bool = False):
    """The case, its assignment, its form (the sample's choice, else the campaign's), the
    claimed version, the case's visits so far, the quality thresholds, and whether the client
    UUID has a receipt already: one query. ``with_places`` (PostgreSQL): also the positions the
    location checks read (:func:`_nearby_places`), saving their round trip."""
    attempts = (select(func.count(_VISIT.c.id)).where(_VISIT.c.case_id == _CASE.c.id).scalar_subquery())
    interviews = (select(func.count(_SUBMISSION.c.id)).where(_SUBMISSION.c.case_id == _CASE.c.id)
                  .scalar_subquery())
    receipt = (select(_RECEIPT.c.id).where(_RECEIPT.c.client_uuid == bindparam("client_uuid"))
               .scalar_subquery())
    return (select(_CASE.c.unit_id, _CASE.c.cluster, _CASE.c.status, Assignment.enumerator_id,
                   SampleList.campaign_id, SampleList.parameters, Campaign.sampling_plan,
                   interviews.label("interviews"),
                   campaign_questionnaire_id(SampleList.campaign_id).label("default_version"),
                   attempts.label("visits"), receipt.label("receipt_id"),
                   _QV.c.id.label("version_id"), _QV.c.questionnaire_id, _QV.c.status.label("version_status"),
                   _QV.c.source_checksum, *(_QS.c[name] for name in THRESHOLDS),
                   _QS.c.id.label("settings_id"), *([_nearby_places().label("places")] if with_places else []))
            .select_from(_CASE)
            .join(SampleList, SampleList.id == _CASE.c.sample_list_id)
            .join(Campaign, Campaign.id == SampleList.campaign_id)
            .outerjoin(Assignment, Assignment.case_id == _CASE.c.id)
            .outerjoin(_QV, _QV.c.id == bindparam("version_id"))
            .outerjoin(_QS, _QS.c.questionnaire_id == _QV.c.questionnaire_id)
            .where(_CASE.c.id == bindparam("case_id")))


def _nearby_places():
    """As a JSON array of [enumerator, cluster, lat, lon]: the enumerator's positions in the
    campaign within the box of ``quality.intake._box`` around the sent point, and the village's
    positions (``quality.intake._places_query``, in SQL); empty without a point."""
    place = SubmissionPlace.__table__
    lat, lon = cast(bindparam("lat", type_=Float), Float), cast(bindparam("lon", type_=Float), Float)
    radius = func.coalesce(_QS.c.location_radius_m, _QS.c.location_radius_m.default.arg)
    lat_step = radius / DEGREE_M * 1.01
    lon_step = lat_step / func.greatest(func.cos(func.radians(func.least(func.abs(lat), 89.0))), 0.01)
    mine = and_(place.c.enumerator_id == bindparam("enumerator_id", type_=Integer),
                place.c.lat.between(lat - lat_step, lat + lat_step), place.c.lon.between(lon - lon_step, lon + lon_step))
    village = and_(_CASE.c.cluster.is_not(None), place.c.cluster == _CASE.c.cluster)
    rows = func.json_agg(func.json_build_array(place.c.enumerator_id, place.c.cluster, place.c.lat, place.c.lon))
    return (select(rows).where(place.c.campaign_id == SampleList.campaign_id, lat.is_not(None), or_(mine, village))
            .scalar_subquery())


_LOAD = {False: _load_statement(), True: _load_statement(with_places=True)}
_RECEIPT_OF = (select(_RECEIPT.c.client_uuid, _RECEIPT.c.submission_edit_id, _RECEIPT.c.received_at,
                      _RECEIPT.c.submission_id, _RECEIPT.c.answers_digest,
                      _SUBMISSION.c.instance_uuid, _SUBMISSION.c.receipt, _SUBMISSION.c.enumerator_id)
               .join(_SUBMISSION, _SUBMISSION.c.id == _RECEIPT.c.submission_id)
               .where(_RECEIPT.c.client_uuid == bindparam("client_uuid")))


def _ack(client_uuid, instance_uuid, receipt, edit: bool, received_at) -> dict:
    """The same JSON for the first send and every repeat of it (built before the commit,
    from the values in hand: nothing is read back)."""
    return {"status": "stored", "client_uuid": client_uuid, "instance_uuid": instance_uuid,
            "receipt": receipt, "edit": edit, "received_at": _iso(received_at)}


def _scope_check(connection, device: SendingDevice, unit_id: int) -> Callable[[], str | None]:
    """The case's unit name when the enumerator holds no role for it or an ancestor, else None
    (``User.can_reach``); the unit chain is read only when no scope matches at once."""
    def outside() -> str | None:
        scopes = set(device.scopes)
        if None in scopes or unit_id in scopes:
            return None
        node, name = unit_id, None
        while node is not None:
            row = connection.execute(select(AdminUnit.parent_id, AdminUnit.name)
                                     .where(AdminUnit.id == node)).one()
            name = row.name if name is None else name
            node = row.parent_id
            if node in scopes:
                return None
        return name
    return outside


def _new_interview(data: dict, device: SendingDevice) -> dict | None:
    """Store a new interview with Core statements in the session's transaction; the
    acknowledgement, or ``None`` when the client UUID has a receipt already."""
    connection = db.session.connection()
    key = data["instance_uuid"]
    point = sent_position(data["paradata"])
    with_places = connection.dialect.name == "postgresql"
    row = connection.execute(_LOAD[with_places], {
        "case_id": data["case_id"], "version_id": data["version_id"], "client_uuid": key,
        "enumerator_id": device.user_id, "lat": point[0] if point else None,
        "lon": point[1] if point else None}).one_or_none()
    if row is not None and row.receipt_id is not None:
        return None
    if row is None and connection.scalar(select(_RECEIPT.c.id).where(_RECEIPT.c.client_uuid == key)) is not None:
        return None  # a repeat: the case is not even needed
    if row is None or row.enumerator_id != device.user_id:
        raise Refused(403, _("This case is not assigned to you."))
    line = respondent_line(row.sampling_plan, data["line_number"], row.interviews)
    if line is None:
        _refuse_completed_case(data, device)
    version_id = (row.parameters or {}).get("questionnaire_version_id") or row.default_version
    if version_id != data["version_id"] or row.version_id is None:
        raise Refused(409, _("This questionnaire is not the one of this case. Refresh your cases."))
    engine = _engine(version_id, row.version_status, row.source_checksum, data["language"])
    answers = _checked_answers(engine, data)
    now = utcnow()
    paradata = _paradata(data, device)
    new = NewSubmission(None, row.campaign_id, row.questionnaire_id, device.user_id, row.unit_id,
                        row.cluster, answers, paradata, data["started_at"])
    settings = thresholds(None if row.settings_id is None else [getattr(row, name) for name in THRESHOLDS])
    places = (row.places or []) if with_places else None  # read with the case on PostgreSQL
    findings = check(connection, new, engine.definition, settings,
                     _scope_check(connection, device, row.unit_id), places)
    receipt = f"F{secrets.token_hex(6).upper()}"
    submission = {
        "instance_uuid": key, "questionnaire_id": row.questionnaire_id,
        "questionnaire_version_id": version_id, "campaign_id": row.campaign_id, "unit_id": row.unit_id,
        "channel": Channel.ENUMERATOR, "enumerator_id": device.user_id, "invitation_id": None,
        "case_id": data["case_id"], "respondent_line": line, "answers": answers, "paradata": paradata,
        "started_at": data["started_at"], "submitted_at": data["submitted_at"], "received_at": now,
        "review_state": ReviewState.RECEIVED, "receipt": receipt}
    visit = {"case_id": data["case_id"], "enumerator_id": device.user_id, "at": data["submitted_at"] or now,
             "outcome": CaseStatus.COMPLETED, "note": None, "attempt_number": row.visits + 1}
    actor = (device.user_id, device.username)
    store(connection, NewInterview(
        submission, visit, device.id, None if row.status is CaseStatus.COMPLETED else row.status, actor,
        {"review_state": ReviewState.RECEIVED.value}, findings.place, answers_digest=data["digest"],
        flags=list(findings.reasons.items()),
        identity_keys=[(key["kind"], key["digest"]) for key in findings.identity_keys]))
    return _ack(key, key, receipt, False, now)


def _refuse_completed_case(data: dict, device: SendingDevice, line: int | None = None) -> None:
    """A new interview of a case that has its interview(s) already: kept aside, 409."""
    found = case_interview(data["case_id"], line)
    if found is None:
        return
    keep_aside(data, device, found, CASE_COMPLETED)
    raise Refused(409, _("This case was already completed (by an interview or by the household's own "
                         "answer); this interview is kept aside for a supervisor to review."))


def _credited(data: dict, device: SendingDevice) -> None:
    """An interview names the enumerator who made it; it is sent with that enumerator's token."""
    if data["enumerator_id"] is not None and data["enumerator_id"] != device.user_id:
        raise Refused(403, _("This interview was made by another enumerator; it is sent with their "
                             "sign-in only."))


def _correction(data, device: SendingDevice) -> dict:
    """A rejected interview corrected by its enumerator: an edit of the original, never a copy
    (through the ORM: its flush hook audits the change of the answers)."""
    db.session.commit()  # the device check may have read in autocommit: the edit is one transaction
    submission = db.session.scalar(select(Submission).where(
        Submission.instance_uuid == data["instance_uuid"], Submission.enumerator_id == device.user_id))
    if submission is None:
        raise Refused(404, _("The interview to correct was not found."))
    if submission.review_state is not ReviewState.REJECTED:
        raise Refused(409, _("This interview is not waiting for a correction."))
    version = db.session.execute(select(_QV.c.status, _QV.c.source_checksum)
                                 .where(_QV.c.id == submission.questionnaire_version_id)).one()
    engine = _engine(submission.questionnaire_version_id, version.status, version.source_checksum,
                     data["language"])
    answers = _checked_answers(engine, data)
    edit = SubmissionEdit(submission=submission, editor_id=device.user_id, before=submission.answers,
                          after=answers, reason=_("Correction by the enumerator after rejection"))
    submission.answers = answers
    submission.review_state = ReviewState.EDITED
    db.session.add(edit)
    receipt = SyncReceipt(client_uuid=data["edit_uuid"], device_token_id=device.id, received_at=utcnow(),
                          answers_digest=data["digest"])
    db.session.flush()
    receipt.submission_id, receipt.submission_edit_id = submission.id, edit.id
    db.session.add(receipt)
    db.session.flush()
    db.session.connection().execute(_TOUCH_DEVICE, {"device_id": device.id, "moment": utcnow()})
    return _ack(receipt.client_uuid, submission.instance_uuid, submission.receipt, True, receipt.received_at)


def _repeat(key: str, device: SendingDevice, data: dict) -> dict | None:
    """The acknowledgement of an accepted send, again; ``None`` when there is no receipt. A send
    from another enumerator, or with other answers, is refused and kept aside."""
    connection = db.session.connection()
    found = connection.execute(_RECEIPT_OF, {"client_uuid": key}).one_or_none()
    if found is None:
        return None
    if found.enumerator_id != device.user_id:
        keep_aside(data, device, found.submission_id)
        raise Refused(409, _("This interview was already received from another enumerator."))
    if not same_answers(found.answers_digest, data["digest"]):
        keep_aside(data, device, found.submission_id)
        raise Refused(409, _("This interview was already received with other answers; this send is "
                             "kept aside for a supervisor to review."))
    connection.execute(_TOUCH_DEVICE, {"device_id": device.id, "moment": utcnow()})
    return _ack(found.client_uuid, found.instance_uuid, found.receipt, found.submission_edit_id is not None,
                found.received_at)


def receive(payload, device: SendingDevice) -> tuple[dict, bool]:
    """Store one send; returns (acknowledgement, created). Raises :class:`Refused`."""
    data = _parse(payload)
    _credited(data, device)
    key = data["edit_uuid"] or data["instance_uuid"]
    try:
        if data["edit_uuid"]:
            stored = None if _repeat(key, device, data) else _correction(data, device)
        else:
            stored = _new_interview(data, device)
        if stored is not None:
            db.session.commit()
            return stored, True
    except IntegrityError:  # the same UUID won a race in another request
        db.session.rollback()
    except Refused:
        db.session.rollback()
        raise
    ack = _repeat(key, device, data)
    if ack is None and not data["edit_uuid"]:
        _refuse_completed_case(data, device, data["line_number"])  # the race for the case was lost
    if ack is None:
        db.session.rollback()
        raise Refused(409, _("This interview was already received from another enumerator."))
    db.session.commit()
    return ack, False
