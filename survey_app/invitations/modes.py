"""Counts and response rates per collection mode and unit (*theo hình thức thu thập*): the
household's own answer by its letter, the enumerator's interview at the door, and open-link
answers, which are self-selected and reported apart (never in the official estimates).

Letter response rate: cases answered by letter / letters issued. Interview response rate:
cases completed by interview / cases with a final outcome not answered by letter.
"""
from __future__ import annotations

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Campaign, CaseStatus, Channel, Invitation, SampleCase, SampleList, Submission

FINAL = (CaseStatus.COMPLETED, CaseStatus.REFUSED, CaseStatus.NO_CONTACT)


def _rate(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def mode_counts(campaign: Campaign) -> dict[int, dict]:
    """Unit id → letters, by_letter, by_interview, open_link, final, letter_rate, interview_rate."""
    out: dict[int, dict] = {}

    def row(unit_id: int) -> dict:
        return out.setdefault(unit_id, {"letters": 0, "by_letter": 0, "by_interview": 0, "open_link": 0, "final": 0})

    answers = db.session.execute(
        select(Submission.unit_id, Submission.channel, Submission.case_id.is_not(None), func.count())
        .where(Submission.campaign_id == campaign.id)
        .group_by(Submission.unit_id, Submission.channel, Submission.case_id.is_not(None)))
    for unit_id, channel, sampled, count in answers:
        if channel is Channel.OPEN_LINK:
            row(unit_id)["open_link"] += count
        elif sampled:
            row(unit_id)["by_letter" if channel is Channel.INVITATION else "by_interview"] += count
    letters = db.session.execute(select(Invitation.unit_id, func.count()).where(
        Invitation.campaign_id == campaign.id, Invitation.case_id.is_not(None)).group_by(Invitation.unit_id))
    for unit_id, count in letters:
        row(unit_id)["letters"] = count
    final = db.session.execute(select(SampleCase.unit_id, func.count()).join(SampleList).where(
        SampleList.campaign_id == campaign.id, SampleCase.status.in_(FINAL)).group_by(SampleCase.unit_id))
    for unit_id, count in final:
        row(unit_id)["final"] = count
    for counts in out.values():
        counts["letter_rate"] = _rate(counts["by_letter"], counts["letters"])
        counts["interview_rate"] = _rate(counts["by_interview"], counts["final"] - counts["by_letter"])
    return out
