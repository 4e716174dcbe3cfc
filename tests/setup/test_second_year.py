"""The demo's second year and ``campaign copy``: units carried through the recorded successions,
districts dropped by the two-tier framework, and a merged commune compared with its predecessors."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from survey_app.campaigns.copy import CopyRefused, copy_campaign
from survey_app.extensions import db
from survey_app.index.build import compute_campaign
from survey_app.models import Campaign, CampaignStatus, SelfAssessment, UnitSuccession

SUCCESSORS_2025 = {"37.S01", "37.S02", "37.S04", "37.S05", "37.S06", "37.S08", "37.S11", "37.S12", "37.S13",
                   "37.S14", "13300", "13306", "13325", "13336", "13390", "13399", "13440", "13455", "13505",
                   "13520", "13575", "13603"}


def _drop(code):
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is not None:
        db.session.delete(campaign)
        db.session.commit()


def test_demo_2025_is_the_merged_province_in_fieldwork_with_scores(demo_app):
    with demo_app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "NBH-2025"))
        assert campaign.status is CampaignStatus.FIELDWORK and campaign.province.name == "Tỉnh Ninh Bình"
        assert {cu.unit.code for cu in campaign.units} == SUCCESSORS_2025
        assert {cu.framework_level for cu in campaign.units} == {"department", "commune"}
        assert campaign.framework.version == "2025.1" and campaign.fieldwork_start == date(2025, 8, 1)
        assessments = list(db.session.scalars(select(SelfAssessment).where(SelfAssessment.campaign_id == campaign.id)))
        assert len(assessments) == len(SUCCESSORS_2025)
        decided = [s for a in assessments for s in a.scores]
        assert all(s.appraised_points is not None for s in decided)
        lowered = [s for s in decided if s.appraised_points < s.self_points]
        assert lowered and all(s.appraisal_reason for s in lowered)
        merged = {link.predecessor.code for link in db.session.scalars(select(UnitSuccession))
                  if link.successor.code == "13300"}
        assert merged == {"13285", "13291", "13297"}


def test_copy_from_2024_gives_the_successors_and_drops_the_districts(demo_app):
    with demo_app.app_context():
        try:
            result = copy_campaign("HNM-2024", "COPY-2025", 2025, "par_units:2025.1")
            campaign = result.campaign
            assert campaign.status is CampaignStatus.DRAFT and campaign.year == 2025
            assert {cu.unit.code for cu in campaign.units} == SUCCESSORS_2025
            assert sorted(u.code for u in result.dropped) == ["347", "349", "350", "351", "352", "353"]
            assert campaign.province.code == "37" and campaign.appraisal_deadline == date(2025, 11, 30)
            assert {q.audience for q in campaign.questionnaires} == {"citizens", "staff"}
        finally:
            _drop("COPY-2025")


@pytest.mark.parametrize("args,message", [
    (("HNM-1999", "X-2025", 2025, None), "Không có đợt đánh giá HNM-1999."),
    (("HNM-2024", "NBH-2025", 2025, None), "Mã NBH-2025 đã được dùng cho một đợt đánh giá khác."),
    (("HNM-2024", "X-2023", 2023, None), "Năm mới phải sau năm 2024."),
    (("HNM-2024", "X-2025", 2025, "par_units:2030.1"), "Không có bộ chỉ số par_units phiên bản 2030.1"),
])
def test_copy_refusals_are_clear_and_store_nothing(demo_app, args, message):
    with demo_app.app_context():
        before = len(db.session.scalars(select(Campaign.id)).all())
        with pytest.raises(CopyRefused, match=re.escape(message)):
            copy_campaign(*args)
        db.session.rollback()
        assert len(db.session.scalars(select(Campaign.id)).all()) == before


def test_copy_command_and_page(demo_app, demo_client, demo_auth):
    runner = demo_app.test_cli_runner()
    try:
        result = runner.invoke(args=["campaign", "copy", "HNM-2024", "--code", "CLI-2025", "--year", "2025",
                                     "--framework", "par_units:2025.1"])
        assert result.exit_code == 0, result.output
        assert "Đợt đánh giá CLI-2025 (2025, bản nháp): 22 đơn vị" in result.output
        assert "347 Thành phố Phủ Lý" in result.output
        refused = runner.invoke(args=["campaign", "copy", "HNM-2024", "--code", "CLI-2025", "--year", "2025"])
        assert refused.exit_code == 1 and "đã được dùng" in refused.output
        demo_auth.login("admin")
        path = "/admin/campaigns/HNM-2024/copy"
        form = {"code": "WEB-2025", "year": "2025", "framework": "par_units:2025.1", "title": ""}
        assert demo_client.post(path, data=form).status_code == 400  # no CSRF token
        page = demo_client.post(path, data={**form, "csrf_token": demo_auth.csrf(path)})
        assert page.status_code == 302
        with demo_app.app_context():
            web = db.session.scalar(select(Campaign).where(Campaign.code == "WEB-2025"))
            assert web.title.endswith("năm 2025") and len(web.units) == 22
        again = demo_client.post(path, data={**form, "csrf_token": demo_auth.csrf(path)})
        assert again.status_code == 422 and "đã được dùng" in again.get_data(as_text=True)
    finally:
        with demo_app.app_context():
            _drop("CLI-2025")
            _drop("WEB-2025")


def test_merged_commune_profile_compares_2025_with_its_predecessors_2024(demo_app, demo_client, demo_auth):
    with demo_app.app_context():
        before = compute_campaign(db.session.scalar(select(Campaign).where(Campaign.code == "HNM-2024")), draws=200)
        percents = [before.by_code[c].percent for c in ("13285", "13291", "13297")]
    demo_auth.login("analyst")
    page = demo_client.get("/analyst/campaigns/NBH-2025/index/13300")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Chỉ số CCHC và mức độ hài lòng của người dân tỉnh Hà Nam năm 2024" in text
    assert "đơn vị được hình thành từ Phường Quang Trung, Phường Lê Hồng Phong, Phường Hai Bà Trưng" in text
    listed = re.search(r'<ul id="predecessors">(.*?)</ul>', text, re.S).group(1)
    for code, percent in zip(("13285", "13291", "13297"), percents):
        assert f"({code}): {percent:.2f}".replace(".", ",") in listed
    mean = f"{sum(percents) / 3:.2f}".replace(".", ",")
    assert f"Năm trước {mean}%" in text
