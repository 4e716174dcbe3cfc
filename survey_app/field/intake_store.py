"""Writing a new interview from the offline collector: the submission, its sync receipt, the
case's completion, the visit, the device's last sync, the audit entries and the interview's
position.

On PostgreSQL these go to the server as one statement of data-modifying CTEs, quality flags
and respondent fingerprints included: one round trip instead of up to ten, all or nothing
even outside a transaction (the intake runs it in autocommit: no BEGIN and COMMIT round
trips), and the same unique constraints (a racing double send still meets them). SQLite runs
in the process, where a statement costs a function call, so there they are written one after
another in the request's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, String, Text, bindparam, func, insert, literal, null, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from survey_app.models import (AuditEntry, CaseStatus, DeviceToken, IdentityKey, QualityFlag, SampleCase,
                               Submission, SubmissionPlace, SyncReceipt, VisitAttempt)
from survey_app.models.audit import write_entries
from survey_app.models.base import JSONDocument, Timestamp

_SUBMISSION, _CASE, _VISIT = Submission.__table__, SampleCase.__table__, VisitAttempt.__table__
_RECEIPT, _DEVICE, _AUDIT = SyncReceipt.__table__, DeviceToken.__table__, AuditEntry.__table__
_PLACE, _FLAG, _KEY = SubmissionPlace.__table__, QualityFlag.__table__, IdentityKey.__table__
SUBMISSION_COLUMNS = ("instance_uuid", "questionnaire_id", "questionnaire_version_id", "campaign_id", "unit_id",
                      "channel", "enumerator_id", "invitation_id", "case_id", "respondent_line", "answers", "paradata",
                      "started_at", "submitted_at", "received_at", "review_state", "receipt")
VISIT_COLUMNS = ("case_id", "enumerator_id", "at", "outcome", "note", "attempt_number")
PLACE_COLUMNS = ("campaign_id", "enumerator_id", "cluster", "lat", "lon", "accuracy_m")


@dataclass
class NewInterview:
    """Everything a new interview writes, as plain values."""

    submission: dict
    visit: dict
    device_id: int
    #: The case's status before, when completing it changes it (``None``: completed already).
    case_status_before: CaseStatus | None
    #: The enumerator who sent it: (user id, username), recorded as the audit entries' actor.
    actor: tuple[int, str]
    #: The submission's audited values (the audit entry of its insert).
    audited: dict
    #: The interview's position (:class:`SubmissionPlace` columns but its submission's id).
    place: dict | None = None
    #: The digest of the answers as sent, kept on the receipt to tell a resend from a conflict.
    answers_digest: str | None = None
    #: Quality flags found on intake: (rule, reason); each is an exclusion, audited.
    flags: list[tuple[str, str]] = field(default_factory=list)
    #: Respondent fingerprints: (kind, digest) (:class:`IdentityKey` rows of this submission).
    identity_keys: list[tuple[str, str]] = field(default_factory=list)

    @property
    def received_at(self) -> datetime:
        return self.submission["received_at"]

    @property
    def case_id(self) -> int:
        return self.submission["case_id"]


def store(connection: Connection, interview: NewInterview) -> int:
    """Write the interview; return the new submission's id."""
    if connection.dialect.name == "postgresql":
        return _store_in_one_statement(connection, interview)
    return _store_step_by_step(connection, interview)


def _store_step_by_step(connection: Connection, interview: NewInterview) -> int:
    submission_id = connection.execute(insert(_SUBMISSION).returning(_SUBMISSION.c.id),
                                       interview.submission).scalar_one()
    connection.execute(insert(_RECEIPT), {"client_uuid": interview.submission["instance_uuid"],
                                          "submission_id": submission_id, "submission_edit_id": None,
                                          "device_token_id": interview.device_id,
                                          "received_at": interview.received_at,
                                          "answers_digest": interview.answers_digest})
    audit = []
    if interview.case_status_before is not None:
        connection.execute(update(_CASE).where(_CASE.c.id == interview.case_id)
                           .values(status=CaseStatus.COMPLETED))
        audit.append(("update", "sample_case", interview.case_id, {"status": interview.case_status_before.value},
                      {"status": CaseStatus.COMPLETED.value}))
    connection.execute(insert(_VISIT), interview.visit)
    audit.append(("insert", "submission", submission_id, None, interview.audited))
    write_entries(connection, audit, actor=interview.actor)
    if interview.place is not None:
        connection.execute(insert(_PLACE), dict(interview.place, submission_id=submission_id))
    if interview.identity_keys:
        connection.execute(insert(_KEY), [{"submission_id": submission_id, "kind": kind, "digest": digest,
                                           "campaign_id": interview.submission["campaign_id"]}
                                          for kind, digest in interview.identity_keys])
    if interview.flags:
        flags = [{"submission_id": submission_id, "rule": rule, "reason": reason, "details": {},
                  "excluded": True, "created_at": interview.received_at} for rule, reason in interview.flags]
        ids = connection.execute(insert(_FLAG).returning(_FLAG.c.id, sort_by_parameter_order=True), flags).scalars()
        write_entries(connection, [("insert", "quality_flag", flag_id, None, {"rule": flag["rule"], "excluded": True})
                                   for flag_id, flag in zip(ids.all(), flags)], actor=interview.actor)
    connection.execute(update(_DEVICE).where(_DEVICE.c.id == interview.device_id)
                       .values(last_sync_at=interview.received_at))
    return submission_id


def _store_in_one_statement(connection: Connection, interview: NewInterview) -> int:
    has_findings = bool(interview.flags or interview.identity_keys)
    statement = _one_statement(interview.case_status_before is not None, interview.place is not None, has_findings)
    user_id, actor = interview.actor
    values = {f"s_{name}": interview.submission[name] for name in SUBMISSION_COLUMNS}
    values.update({f"v_{name}": interview.visit[name] for name in VISIT_COLUMNS})
    values.update(device_id=interview.device_id, moment=interview.received_at, audit_user_id=user_id,
                  audit_actor=actor, audited=interview.audited, case_id=interview.case_id,
                  case_status=CaseStatus.COMPLETED, answers_digest=interview.answers_digest)
    if interview.case_status_before is not None:
        values.update(case_before={"status": interview.case_status_before.value},
                      case_after={"status": CaseStatus.COMPLETED.value})
    if interview.place is not None:
        values.update({f"p_{name}": interview.place[name] for name in PLACE_COLUMNS})
    if has_findings:
        values.update(flag_rules=[rule for rule, _ in interview.flags],
                      flag_reasons=[reason for _, reason in interview.flags], flag_details={},
                      key_kinds=[kind for kind, _ in interview.identity_keys],
                      key_digests=[digest for _, digest in interview.identity_keys])
    return connection.execute(statement, values).scalar_one()


def _typed(name: str, column) -> bindparam:
    return bindparam(name, type_=column.type)


@cache
def _one_statement(completes_case: bool, has_place: bool, has_findings: bool):
    """``WITH new_submission AS (INSERT … RETURNING id), receipt AS (INSERT … SELECT … FROM
    new_submission), … SELECT id FROM new_submission``: PostgreSQL runs every data-modifying
    CTE exactly once, whether or not the main query reads it, and checks the foreign keys at
    the end of the statement."""
    new = (insert(_SUBMISSION).values({name: _typed(f"s_{name}", _SUBMISSION.c[name]) for name in SUBMISSION_COLUMNS})
           .returning(_SUBMISSION.c.id).cte("new_submission"))
    receipt = insert(_RECEIPT).from_select(
        ["client_uuid", "submission_id", "device_token_id", "received_at", "answers_digest"],
        select(_typed("s_instance_uuid", _RECEIPT.c.client_uuid), new.c.id,
               bindparam("device_id", type_=Integer), _typed("moment", _RECEIPT.c.received_at),
               _typed("answers_digest", _RECEIPT.c.answers_digest))).cte("receipt")
    visit = insert(_VISIT).values({name: _typed(f"v_{name}", _VISIT.c[name]) for name in VISIT_COLUMNS}).cte("visit")
    device = (update(_DEVICE).where(_DEVICE.c.id == bindparam("device_id", type_=Integer))
              .values(last_sync_at=_typed("moment", _DEVICE.c.last_sync_at)).cte("device"))
    actor = (bindparam("moment", type_=Timestamp()), bindparam("audit_user_id", type_=Integer),
             bindparam("audit_actor", type_=String))
    audit_columns = ["at", "user_id", "actor", "action", "entity", "entity_id", "before", "after"]
    audit_submission = insert(_AUDIT).from_select(audit_columns, select(
        *actor, literal("insert"), literal("submission"), new.c.id, null().cast(JSONDocument),
        bindparam("audited", type_=JSONDocument))).cte("audit_submission")
    writes = [receipt, visit, device, audit_submission]
    if completes_case:
        writes.append(update(_CASE).where(_CASE.c.id == bindparam("case_id", type_=Integer))
                      .values(status=_typed("case_status", _CASE.c.status)).cte("case_completed"))
        writes.append(insert(_AUDIT).from_select(audit_columns, select(
            *actor, literal("update"), literal("sample_case"), bindparam("case_id", type_=Integer),
            bindparam("case_before", type_=JSONDocument), bindparam("case_after", type_=JSONDocument)))
            .cte("audit_case"))
    if has_place:
        writes.append(insert(_PLACE).from_select(["submission_id", *PLACE_COLUMNS], select(
            new.c.id, *(_typed(f"p_{name}", _PLACE.c[name]) for name in PLACE_COLUMNS))).cte("place"))
    if has_findings:
        writes += _findings_ctes(new, actor, audit_columns)
    return select(new.c.id).add_cte(*writes)


def _findings_ctes(new, actor, audit_columns) -> list:
    """Flags and fingerprints from arrays (``unnest``): one statement shape whatever their
    number (an empty array writes nothing)."""
    found = func.unnest(bindparam("flag_rules", type_=ARRAY(String)),
                        bindparam("flag_reasons", type_=ARRAY(Text))).table_valued("rule", "reason").render_derived("found")
    flags = (insert(_FLAG).from_select(
        ["submission_id", "rule", "reason", "details", "excluded", "created_at"],
        select(new.c.id, found.c.rule, found.c.reason, bindparam("flag_details", type_=JSONDocument), true(),
               bindparam("moment", type_=Timestamp())).select_from(new).join(found, true()))
        .returning(_FLAG.c.id, _FLAG.c.rule).cte("flags"))
    audit_flags = insert(_AUDIT).from_select(audit_columns, select(
        *actor, literal("insert"), literal("quality_flag"), flags.c.id, null().cast(JSONDocument),
        func.jsonb_build_object("rule", flags.c.rule, "excluded", true())).select_from(flags)).cte("audit_flags")
    fingerprints = func.unnest(bindparam("key_kinds", type_=ARRAY(String)),
                               bindparam("key_digests", type_=ARRAY(String))).table_valued("kind", "digest").render_derived("fingerprints")
    keys = insert(_KEY).from_select(
        ["submission_id", "campaign_id", "kind", "digest"],
        select(new.c.id, _typed("s_campaign_id", _SUBMISSION.c.campaign_id), fingerprints.c.kind,
               fingerprints.c.digest).select_from(new).join(fingerprints, true())).cte("identity_keys")
    return [flags, audit_flags, keys]


def store_many(connection: Connection, interviews: list[NewInterview]) -> list[int]:
    """Write many new interviews at once, each exactly as :func:`store` writes one (a batch
    of rows per table: the submissions with their ids returned in order, then their receipts,
    completed cases, visits, audit entries, positions, fingerprints and flags, and each
    device's last sync): a campaign loaded from another system, or a benchmark's. Returns the
    submissions' ids in the interviews' order."""
    if not interviews:
        return []
    ids = connection.execute(insert(_SUBMISSION).returning(_SUBMISSION.c.id, sort_by_parameter_order=True),
                             [i.submission for i in interviews]).scalars().all()
    connection.execute(insert(_RECEIPT), [
        {"client_uuid": i.submission["instance_uuid"], "submission_id": sid, "submission_edit_id": None,
         "device_token_id": i.device_id, "received_at": i.received_at, "answers_digest": i.answers_digest}
        for i, sid in zip(interviews, ids)])
    completing = [i.case_id for i in interviews if i.case_status_before is not None]
    for start in range(0, len(completing), 5000):
        connection.execute(update(_CASE).where(_CASE.c.id.in_(completing[start:start + 5000]))
                           .values(status=CaseStatus.COMPLETED))
    connection.execute(insert(_VISIT), [i.visit for i in interviews])
    _audit_many(connection, interviews, ids)
    places = [dict(i.place, submission_id=sid) for i, sid in zip(interviews, ids) if i.place is not None]
    if places:
        connection.execute(insert(_PLACE), places)
    _findings_many(connection, interviews, ids)
    last: dict[int, datetime] = {}
    for i in interviews:
        last[i.device_id] = max(last.get(i.device_id, i.received_at), i.received_at)
    for device_id, moment in last.items():
        connection.execute(update(_DEVICE).where(_DEVICE.c.id == device_id).values(last_sync_at=moment))
    return ids


def _audit_many(connection: Connection, interviews: list[NewInterview], ids: list[int]) -> None:
    """The audit entries :func:`store` writes, per actor in the interviews' order."""
    by_actor: dict[tuple, list] = {}
    for i, sid in zip(interviews, ids):
        entries = by_actor.setdefault(i.actor, [])
        if i.case_status_before is not None:
            entries.append(("update", "sample_case", i.case_id, {"status": i.case_status_before.value},
                            {"status": CaseStatus.COMPLETED.value}))
        entries.append(("insert", "submission", sid, None, i.audited))
    for actor, entries in by_actor.items():
        write_entries(connection, entries, actor=actor)


def _findings_many(connection: Connection, interviews: list[NewInterview], ids: list[int]) -> None:
    keys = [{"submission_id": sid, "kind": kind, "digest": digest, "campaign_id": i.submission["campaign_id"]}
            for i, sid in zip(interviews, ids) for kind, digest in i.identity_keys]
    if keys:
        connection.execute(insert(_KEY), keys)
    for i, sid in zip(interviews, ids):
        if i.flags:
            flags = [{"submission_id": sid, "rule": rule, "reason": reason, "details": {}, "excluded": True,
                      "created_at": i.received_at} for rule, reason in i.flags]
            flag_ids = connection.execute(insert(_FLAG).returning(_FLAG.c.id, sort_by_parameter_order=True),
                                          flags).scalars().all()
            write_entries(connection, [("insert", "quality_flag", fid, None, {"rule": f["rule"], "excluded": True})
                                       for fid, f in zip(flag_ids, flags)], actor=i.actor)
