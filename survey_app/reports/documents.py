"""Fieldwork documents with the report's machinery: invitation letters (*thư mời*), one page per
invitation code, and enumerator sheets (*phiếu theo dõi của điều tra viên*), one section per
enumerator listing the assigned cases with space for each visit's outcome.
"""
from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from survey_app.extensions import db
from survey_app.invitations.codes import printed_code
from survey_app.invitations.status import last_valid_day
from survey_app.models import AdminUnit, Assignment, Campaign, Invitation, SampleCase, SampleList
from survey_app.models.base import utcnow
from survey_app.reports import REPORTS_DIR
from survey_app.reports.render import LANGUAGES, local_fetcher, render


def invitations(campaign: Campaign, unit: AdminUnit | None = None) -> list[Invitation]:
    """Unused, unexpired invitations of the campaign (of one unit), by unit and code; a sampled
    case's letter is addressed to its household (none once the case is switched to the door)."""
    query = (select(Invitation).where(Invitation.campaign_id == campaign.id, Invitation.used_at.is_(None),
                                      Invitation.withdrawn_at.is_(None),
                                      or_(Invitation.expires_at.is_(None), Invitation.expires_at > utcnow()))
             .options(selectinload(Invitation.unit), selectinload(Invitation.case).selectinload(SampleCase.unit))
             .order_by(Invitation.unit_id, Invitation.code))
    if unit is not None:
        query = query.where(Invitation.unit_id == unit.id)
    return list(db.session.scalars(query))


def enumerator_cases(campaign: Campaign, unit: AdminUnit | None = None) -> list[tuple]:
    """``[(enumerator, [cases])]`` for the campaign's assigned cases, by enumerator then case."""
    query = (select(Assignment).join(SampleCase).join(SampleList)
             .where(SampleList.campaign_id == campaign.id)
             .options(selectinload(Assignment.case).selectinload(SampleCase.unit),
                      selectinload(Assignment.enumerator))
             .order_by(Assignment.enumerator_id, SampleCase.unit_id, SampleCase.id))
    if unit is not None:
        query = query.where(SampleCase.unit_id == unit.id)
    grouped: dict[int, tuple] = {}
    for assignment in db.session.scalars(query):
        grouped.setdefault(assignment.enumerator_id, (assignment.enumerator, []))[1].append(assignment.case)
    return list(grouped.values())


def document_pdf(template: str, locale: str, **values) -> bytes:
    """Render one of ``reports/templates`` as PDF with the shipped font, in ``locale``."""
    from weasyprint import HTML
    if locale not in LANGUAGES:
        raise ValueError(f"unknown language {locale}: choose vi or en")
    with force_locale(locale):
        html = render(template, locale=locale, **values)
    return HTML(string=html, base_url=str(REPORTS_DIR) + "/", url_fetcher=local_fetcher()).write_pdf()


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an inline SVG image (no file, no network)."""
    import segno
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def letters_pdf(campaign: Campaign, base_url: str, locale: str = "vi", unit: AdminUnit | None = None) -> bytes:
    found = invitations(campaign, unit)
    if not found:
        raise LookupError("no unused invitation in this campaign (expired codes are not printed)")
    base = base_url.rstrip("/")
    codes = {i.code: {"printed": printed_code(i.code), "qr": qr_data_uri(f"{base}/q/{i.code}"),
                      "valid_until": last_valid_day(i)} for i in found}
    return document_pdf("letters.html", locale, campaign=campaign, invitations=found, base_url=base,
                        codes=codes)


def sheets_pdf(campaign: Campaign, locale: str = "vi", unit: AdminUnit | None = None) -> bytes:
    found = enumerator_cases(campaign, unit)
    if not found:
        raise LookupError("no case is assigned to an enumerator in this campaign")
    from survey_app.invitations.cases import letters_of
    letters = letters_of([case.id for _, cases in found for case in cases])
    return document_pdf("sheets.html", locale, campaign=campaign, enumerators=found, letters=letters)
