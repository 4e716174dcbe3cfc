"""The supervisor's figures per enumerator and per area (*địa bàn*).

Response rate = completed / (completed + refused + no contact): the cases that were
eligible and resolved (AAPOR's RR1 without the unknown-eligibility pending cases; ineligible
and replaced cases leave the denominator). Median duration from each interview's start and
end (the device's clock), else from its paradata ``duration_s``. Back-check agreement: the
mean over an enumerator's checked back-checks, with its standard error
(:func:`survey_app.quality.backcheck.summary`).
"""
from __future__ import annotations

from statistics import median

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (AdminUnit, Assignment, BackCheck, CaseStatus, DeviceToken,
                               QualityFlag, SampleCase, Submission, User)
from survey_app.quality.backcheck import summary as backcheck_summary


def response_rate(counts: dict[str, int]) -> float | None:
    """Percent completed among eligible resolved cases; ``None`` when none is resolved."""
    resolved = counts["completed"] + counts["refused"] + counts["no_contact"]
    return 100.0 * counts["completed"] / resolved if resolved else None


def _duration(started, submitted, paradata) -> float | None:
    if started is not None and submitted is not None:
        return (submitted - started).total_seconds()
    value = (paradata or {}).get("duration_s")
    return float(value) if isinstance(value, (int, float)) else None


def _empty() -> dict:
    row = {s.value: 0 for s in CaseStatus}
    row.update(assigned=0, durations=[], last_sync=None, flagged=0, checks=[])
    return row


def _later(a, b):
    if a is None or b is None:
        return a or b
    return max(a.replace(tzinfo=None), b.replace(tzinfo=None))


def _fill_cases(rows: dict, areas: dict, enumerator_ids: list[int]) -> None:
    query = (select(Assignment.enumerator_id, SampleCase.unit_id, SampleCase.status, func.count())
             .join(SampleCase, SampleCase.id == Assignment.case_id)
             .where(Assignment.enumerator_id.in_(enumerator_ids))
             .group_by(Assignment.enumerator_id, SampleCase.unit_id, SampleCase.status))
    for enumerator_id, unit_id, status, count in db.session.execute(query):
        for row in (rows[enumerator_id], areas.setdefault(unit_id, _empty())):
            row[status.value] += count
            row["assigned"] += count


def _fill_submissions(rows: dict, areas: dict, enumerator_ids: list[int]) -> None:
    query = select(Submission.enumerator_id, Submission.unit_id, Submission.started_at,
                   Submission.submitted_at, Submission.paradata, Submission.received_at
                   ).where(Submission.enumerator_id.in_(enumerator_ids))
    for enumerator_id, unit_id, started, submitted, paradata, received in db.session.execute(query):
        duration = _duration(started, submitted, paradata)
        for row in (rows[enumerator_id], areas.setdefault(unit_id, _empty())):
            if duration is not None:
                row["durations"].append(duration)
            row["last_sync"] = _later(row["last_sync"], received)


def _fill_quality(rows: dict, enumerator_ids: list[int]) -> None:
    flagged = select(Submission.enumerator_id, func.count(func.distinct(QualityFlag.submission_id))).join(
        Submission, Submission.id == QualityFlag.submission_id).where(
        Submission.enumerator_id.in_(enumerator_ids)).group_by(Submission.enumerator_id)
    for enumerator_id, count in db.session.execute(flagged):
        rows[enumerator_id]["flagged"] = count
    checks = select(Submission.enumerator_id, BackCheck.agreement).join(
        Submission, Submission.id == BackCheck.submission_id).where(
        Submission.enumerator_id.in_(enumerator_ids), BackCheck.agreement.is_not(None))
    for enumerator_id, agreement in db.session.execute(checks):
        rows[enumerator_id]["checks"].append(agreement)
    for token in db.session.scalars(select(DeviceToken).where(DeviceToken.user_id.in_(enumerator_ids))):
        rows[token.user_id]["last_sync"] = _later(rows[token.user_id]["last_sync"], token.last_sync_at)


def _finish(row: dict) -> dict:
    row["response_rate"] = response_rate(row)
    row["median_duration_min"] = median(row["durations"]) / 60 if row["durations"] else None
    row["agreement"], row["agreement_se"] = backcheck_summary(row["checks"])
    return row


def figures(enumerators: list[User]) -> tuple[dict[int, dict], list[tuple[AdminUnit, dict]]]:
    """Figures per enumerator id, and per area (the cases' units) in code order."""
    ids = [u.id for u in enumerators]
    rows, areas = {i: _empty() for i in ids}, {}
    if ids:
        _fill_cases(rows, areas, ids)
        _fill_submissions(rows, areas, ids)
        _fill_quality(rows, ids)
    units = {u.id: u for u in db.session.scalars(select(AdminUnit).where(AdminUnit.id.in_(list(areas))))}
    by_area = sorted(((units[i], _finish(r)) for i, r in areas.items()), key=lambda pair: pair[0].code)
    return {i: _finish(r) for i, r in rows.items()}, by_area
