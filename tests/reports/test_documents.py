"""Invitation letters and enumerator sheets: PDFs with the codes, the cases and Vietnamese text."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from survey_app.extensions import db
from survey_app.models import Assignment, Invitation, SampleCase
from survey_app.queries import campaign_by_code, campaign_units
from tests.reports.test_report_pdf import text_of

CODES = ["HNM7-TEST-0001", "HNM7-TEST-0002"]


@pytest.fixture
def invitations(demo_app):
    """Two unused invitations for the first unit, removed after the test."""
    with demo_app.app_context():
        campaign = campaign_by_code("HNM-2024")
        unit = campaign_units(campaign)[0].unit
        version = campaign.questionnaires[0].questionnaire_version
        db.session.add_all(Invitation(code=c, campaign_id=campaign.id, questionnaire_version_id=version.id,
                                      unit_id=unit.id) for c in CODES)
        db.session.commit()
        name = unit.name
    yield name
    with demo_app.app_context():
        db.session.execute(delete(Invitation).where(Invitation.code.in_(CODES)))
        db.session.commit()


def test_letters_carry_each_code_and_the_address(demo_app, invitations, tmp_path):
    target = tmp_path / "letters.pdf"
    result = demo_app.test_cli_runner().invoke(
        args=["letters", "HNM-2024", "--base-url", "https://khaosat.example.vn/", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = text_of(target)
    for code in CODES:
        assert code in text and f"https://khaosat.example.vn/q/{code}" in text
    assert f"sự phục vụ hành chính của {invitations}. Hộ gia đình của Ông/Bà được chọn ngẫu nhiên." in text
    assert "quét mã QR" in text


def test_qr_codes_are_inline_and_codes_printed_in_groups():
    from survey_app.reports.documents import printed_code, qr_data_uri
    uri = qr_data_uri("https://khaosat.example.vn/q/HNMZ8GV6J6C")
    assert uri.startswith("data:image/svg+xml") and len(uri) > 500
    assert printed_code("HNMZ8GV6J6C") == "HNM-Z8GV-6J6C"


def test_letters_without_invitations_are_refused(demo_app, tmp_path):
    with demo_app.app_context():
        invited = set(db.session.scalars(select(Invitation.unit_id).where(Invitation.used_at.is_(None))))
        spare = [cu.unit.code for cu in campaign_units(campaign_by_code("HNM-2024")) if cu.unit_id not in invited]
    assert spare, "the demo invites citizens of a few units only"
    result = demo_app.test_cli_runner().invoke(
        args=["letters", "HNM-2024", "--unit", spare[0], "--base-url", "https://x.vn", "-o", str(tmp_path / "l.pdf")])
    assert result.exit_code != 0 and "no unused invitation" in result.output
    assert not (tmp_path / "l.pdf").exists()


def test_sheets_list_every_assigned_case_of_the_unit(demo_app, tmp_path):
    with demo_app.app_context():
        unit = campaign_units(campaign_by_code("HNM-2024"))[0].unit
        labels = list(db.session.scalars(select(SampleCase.label).join(Assignment)
                                         .where(SampleCase.unit_id == unit.id)))
        code = unit.code
    target = tmp_path / "sheets.pdf"
    result = demo_app.test_cli_runner().invoke(args=["sheets", "HNM-2024", "--unit", code, "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = text_of(target)
    assert "Phiếu theo dõi của điều tra viên" in text and f"{len(labels)} trường hợp" in text
    assert all(label in text for label in set(labels))
