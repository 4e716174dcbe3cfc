"""Every count of interviews shown goes through the one exclusion service: a rejected interview and
an open-link answer are received but not counted, on the status page, the API, the analysts'
pages, ``campaign status`` and the step to analysis ("N of target interviews")."""
import re
import uuid

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import (AdminUnit, Campaign, CampaignStatus, Channel, Questionnaire,
                               QuestionnaireVersion, ReviewState, SampleCase, SampleList, Submission)


def interview(campaign, version, unit, channel=Channel.ENUMERATOR, case=None, review=ReviewState.APPROVED):
    return Submission(instance_uuid=str(uuid.uuid4()), questionnaire_id=version.questionnaire_id,
                      questionnaire_version_id=version.id, campaign_id=campaign.id, unit_id=unit.id,
                      channel=channel, case_id=case.id if case else None, review_state=review,
                      answers={"sex": "2", "age_group": "30_44"})


@pytest.fixture
def collected(staff):
    """T-2024 in fieldwork, D1's target 10: two sampled interviews approved, one rejected, one from
    the open link, and one staff questionnaire (another form)."""
    with staff.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "T-2024"))
        campaign.status = CampaignStatus.FIELDWORK
        d1 = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "D1"))
        next(cu for cu in campaign.units if cu.unit_id == d1.id).target_sample = 10
        forms = {}
        for form_id in ("sipas_citizen", "staff_survey"):
            version = QuestionnaireVersion(version="1", source_filename=f"{form_id}.xlsx", source=b"",
                                           source_checksum="0", definition={})
            db.session.add(Questionnaire(form_id=form_id, title=form_id, versions=[version]))
            forms[form_id] = version
        sample = SampleList(campaign_id=campaign.id, name="mẫu", method="srs")
        cases = [SampleCase(sample_list=sample, unit_id=d1.id, label=f"hộ {i}", stratum="D1",
                            selection_probability=0.1) for i in range(3)]
        db.session.add_all([sample, *cases])
        db.session.flush()
        citizens = forms["sipas_citizen"]
        db.session.add_all([
            interview(campaign, citizens, d1, case=cases[0]), interview(campaign, citizens, d1, case=cases[1]),
            interview(campaign, citizens, d1, case=cases[2], review=ReviewState.REJECTED),
            interview(campaign, citizens, d1, channel=Channel.OPEN_LINK, review=ReviewState.RECEIVED),
            interview(campaign, forms["staff_survey"], d1, channel=Channel.WEB_LINK)])
        db.session.commit()
    return staff


def test_rejected_and_open_link_interviews_are_received_but_not_counted(collected, visitor):
    analyst = visitor("analyst")
    status = analyst.get("/lifecycle/T-2024").get_data(as_text=True)
    shown = re.search(r'<span id="interviews">([^<]*)</span>', status).group(1)
    assert shown == "Đã nhận 4 phiếu, 2 phiếu được tính trong phân tích (chỉ tiêu 10)"

    api = analyst.get("/api/campaigns/T-2024").get_json()
    d1 = next(u for u in api["units"] if u["code"] == "D1")
    assert (d1["submissions"], d1["received"]) == (2, 4)

    step = analyst.get("/lifecycle/T-2024/advance").get_data(as_text=True)
    assert "Đơn vị D1: 2 / 10 phiếu." in step

    page = analyst.get("/analyst/campaigns/T-2024").get_data(as_text=True)
    row = re.search(r"<tr><td>D1</td>.*?</tr>", page, re.S).group(0)
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[-2:] == ["4", "2"]
    listing = analyst.get("/analyst/").get_data(as_text=True)
    assert re.findall(r'<td class="num">([^<]*)</td>', listing) == ["4", "2"]

    printed = collected.test_cli_runner().invoke(args=["campaign", "status", "T-2024"])
    assert "Khảo sát thực địa: Đã nhận 4 phiếu, 2 phiếu được tính trong phân tích (chỉ tiêu 10)" in printed.output
