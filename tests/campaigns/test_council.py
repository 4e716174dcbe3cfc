"""The appraisal council: members, units assigned to each appraiser (who then sees and decides only
those), the sign-off of each unit, and who may open each campaign page."""
import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import CouncilAssignment, UnitSignOff

from lifecycle_steps import take_rounds_to


def test_assignments_limit_what_each_appraiser_sees_and_decides(staff, visitor):
    admin = visitor("admin")
    for name in ("council", "council2"):
        assert admin.post("/lifecycle/T-2024/council", {"m-username": name}).status_code == 302
    refused = admin.post("/lifecycle/T-2024/council", {"a-member": "council2", "a-units": ["D1", "ZZ"]})
    assert refused.status_code == 422
    assert admin.post("/lifecycle/T-2024/council", {"a-member": "council2", "a-units": ["D1"]}).status_code == 302
    result = staff.test_cli_runner().invoke(args=["campaign", "council", "T-2024", "council", "--units", "D2"])
    assert result.exit_code == 0, result.output
    not_appraiser = staff.test_cli_runner().invoke(args=["campaign", "council", "T-2024", "editor"])
    assert not_appraiser.exit_code != 0 and "editor không phải là thành viên thẩm định của tỉnh này" in not_appraiser.output
    with staff.app_context():
        assert {(a.unit.code, a.user.username) for a in db.session.scalars(select(CouncilAssignment))} == {
            ("D1", "council2"), ("D2", "council")}
    council, council2 = visitor("council"), visitor("council2")
    list_page = council.get("/units/appraisal").get_data(as_text=True)
    assert 'href="/units/T-2024/D2"' in list_page and 'href="/units/T-2024/D1"' not in list_page
    assert council.get("/units/T-2024/D1").status_code == 403
    assert council2.get("/units/T-2024/D2").status_code == 403
    take_rounds_to(council, "open_1")
    decision = {"decision": "adjust", "points": "0", "reason": "x"}
    assert council2.post("/units/T-2024/D2/scores/1.1.1/decision", decision).status_code == 403
    assert council.post("/units/T-2024/D2/scores/1.1.1/decision", decision).status_code == 302
    page = admin.get("/lifecycle/T-2024/council").get_data(as_text=True)
    assert "council2" in page and "D1 · Đơn vị D1" in page


def test_a_unit_is_signed_off_once_decided_and_closing_needs_every_sign_off(staff, visitor):
    council = visitor("council")
    take_rounds_to(council, "open_1")
    assert council.post("/lifecycle/T-2024/units/D2/sign-off", {"action": "sign"}).status_code == 409  # round 1
    council.post("/units/T-2024/rounds", {"step": "reply"})
    council.post("/units/T-2024/rounds", {"step": "open_2"})
    early = council.post("/lifecycle/T-2024/units/D2/sign-off", {"action": "sign"})
    assert early.status_code == 409 and "tiêu chí thành phần của Đơn vị D2 chưa được quyết định" in early.get_data(as_text=True)
    council.post("/units/T-2024/D2/recognise-all", {"reason": "Đủ tài liệu"})
    assert council.post("/lifecycle/T-2024/units/D2/sign-off", {"action": "sign"}).status_code == 302
    page = council.get("/units/T-2024/D2").get_data(as_text=True)
    assert 'id="sign-off"' in page and "Rút lại xác nhận" in page
    refused = council.post("/units/T-2024/D2/scores/1.1.1/decision", {"decision": "adjust", "points": "0", "reason": "x"})
    assert refused.status_code == 409  # a signed-off unit's decisions are final until the sign-off is withdrawn
    closing = council.get("/lifecycle/T-2024/advance").get_data(as_text=True)
    assert "Đơn vị D1 chưa được thành viên hội đồng ký xác nhận" in closing
    assert "Đơn vị D2 chưa được thành viên hội đồng ký xác nhận" not in closing
    assert council.post("/lifecycle/T-2024/units/D2/sign-off", {"action": "withdraw"}).status_code == 302
    with staff.app_context():
        assert db.session.scalar(select(UnitSignOff)) is None
    assert visitor("editor2").post("/lifecycle/T-2024/units/D2/sign-off", {"action": "sign"}).status_code == 403


STAFF_ONLY = ["/lifecycle/", "/lifecycle/new", "/lifecycle/T-2024/deadlines", "/lifecycle/T-2024/reopen",
              "/lifecycle/T-2024/council"]


@pytest.mark.parametrize("path", STAFF_ONLY + ["/lifecycle/T-2024", "/lifecycle/T-2024/advance"])
def test_campaign_pages_check_roles(staff, visitor, path):
    assert staff.test_client().get(path).status_code == 302  # to the sign-in page
    for name in ("editor", "watcher"):
        assert visitor(name).get(path).status_code == 403
    assert visitor("analyst").get(path).status_code in (200, 409)
    council = visitor("council").get(path).status_code
    assert council == 403 if path in STAFF_ONLY else council in (200, 409)
