"""Publishing a campaign's results (*công bố kết quả*) as a frozen, numbered record.

:func:`publish` computes the index from the latest analysis run and the appraisal state,
stores it with the decision (number, date, signer), renders the report from it and keeps the
PDF and its SHA-256, and sets the campaign to ``published``. A later ``flask analyse`` changes
nothing a reader sees until :func:`publish` runs again: the next version, which needs a reason,
lists the figures that moved (:func:`changes`).
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from survey_app import filestore
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.refusals import MessageRefused
from survey_app.models import (AppraisalRound, Campaign, CampaignStatus, Publication,
                               SelfAssessment)
from survey_app.results import frozen, official

DECISION = re.compile(r"^\d+[A-Za-z]?/[0-9A-Za-zĐđ\-]+$")
FIGURES = ("total", "rank", "class")
#: Results are published once appraisal is closed (or again, as a new version).
PUBLISHABLE = (CampaignStatus.FIELDWORK, CampaignStatus.ANALYSIS, CampaignStatus.PUBLISHED)


class PublicationRefused(MessageRefused):
    """A publication that cannot be made; the message is for the user."""


def check(campaign: Campaign, decision_number: str, decision_date: date | None, signer: str,
          reason: str | None) -> list[str]:
    """Every problem with the request, translated (empty when it can be published)."""
    problems = []
    if campaign.status not in PUBLISHABLE:
        problems.append(_("Appraisal is not closed yet: results are published only once the campaign "
                          "is in fieldwork and analysis."))
    if not DECISION.match(decision_number or ""):
        problems.append(_("Enter the decision number as it is written, e.g. 123/QĐ-UBND."))
    if decision_date is None:
        problems.append(_("Enter the date of the decision."))
    if not (signer or "").strip() or len(signer) > 200:
        problems.append(_("Enter who signed the decision (at most 200 characters)."))
    if official.current_publication(campaign) is not None and not (reason or "").strip():
        problems.append(_("A new version of published results needs a reason."))
    return problems


def appraisal_state(campaign: Campaign) -> dict:
    """The rounds and every self-scored sub-criterion's points, as they stand now."""
    rounds = db.session.scalars(select(AppraisalRound).where(AppraisalRound.campaign_id == campaign.id)
                                .order_by(AppraisalRound.number))
    units = {}
    for assessment in db.session.scalars(select(SelfAssessment).where(SelfAssessment.campaign_id == campaign.id)):
        units[assessment.unit.code] = {
            "status": assessment.status.value,
            "scores": {s.node.code: [None if s.self_points is None else float(s.self_points),
                                     None if s.appraised_points is None else float(s.appraised_points)]
                       for s in assessment.scores}}
    return {"rounds": [{"number": r.number, "status": r.status.value} for r in rounds], "units": units}


def _figures(unit: dict) -> dict:
    found = {"total": unit["total"], "rank": unit["rank"], "class": unit["class"]}
    found.update({f"field {f['code']}": f["points"] for f in unit["fields"]})
    return found


def changes(before: dict, after: dict) -> list[dict]:
    """The figures that moved between two documents: ``{unit, name, figure, before, after}``."""
    old = {u["code"]: _figures(u) for u in before["units"]}
    moved = []
    for unit in after["units"]:
        then = old.get(unit["code"], {})
        for figure, value in _figures(unit).items():
            if then.get(figure) != value:
                moved.append({"unit": unit["code"], "name": unit["name"], "figure": figure,
                              "before": then.get(figure), "after": value})
    return moved


def store_report(content: bytes) -> str:
    """Keep the report's PDF in the shared file store (committed with the publication); its SHA-256."""
    return filestore.put(content)


def publish(campaign: Campaign, decision_number: str, decision_date: date | None, signer: str,
            reason: str | None = None, user=None, render_report: bool = True) -> Publication:
    """Freeze the campaign's results as its next publication; :class:`PublicationRefused` else."""
    problems = check(campaign, decision_number, decision_date, signer, reason)
    if problems:
        raise PublicationRefused(" ".join(problems))
    previous = official.current_publication(campaign)
    index = official.campaign_index(campaign, locale="vi", draft=True)
    doc = frozen.document(index)
    found = Publication(campaign_id=campaign.id, version=previous.version + 1 if previous else 1,
                        decision_number=decision_number.strip(), decision_date=decision_date,
                        signer=signer.strip(), reason=(reason or "").strip() or None, run=index.run,
                        appraisal=appraisal_state(campaign), document=doc,
                        changes=changes(previous.document, doc) if previous else [],
                        created_by_id=getattr(user, "id", None))
    db.session.add(found)
    campaign.status = CampaignStatus.PUBLISHED
    db.session.flush()
    if render_report:  # the report reads the flushed publication; a failure commits nothing
        from survey_app.reports.render import pdf_bytes
        found.report_sha256 = store_report(pdf_bytes(campaign, "vi"))
    db.session.commit()
    return found


def publish_job(campaign: Campaign, params: dict) -> bytes:
    """The background job of the analysts' page: publish, and return the report's PDF."""
    from survey_app.models import User
    user = db.session.get(User, params["user_id"]) if params.get("user_id") else None
    found = publish(campaign, params["decision_number"], date.fromisoformat(params["decision_date"]),
                    params["signer"], params.get("reason"), user=user)
    return filestore.get(found.report_sha256)
