"""The collector at 360×740 on SQLite and PostgreSQL: a household giving two interviews when the
campaign's plan allows it, a revoked phone keeping its unsent interview as blocked and warning on
every page, and finding a case by search, village and status."""
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.field.tokens import revoke
from survey_app.models import Campaign, CaseStatus, DeviceToken, SampleCase
from tests.browser.test_collector import field_server, interview, profile, queue  # noqa: F401
from tests.browser.test_collector_channels import sign_in, sign_out


def _case(page, case_id):
    return page.locator(f"#cases-list li[data-case-id='{case_id}']")


def test_a_household_with_two_respondents_gives_two_interviews_with_their_lines(field_server, profile):
    server, world = field_server
    with server.app.app_context():
        db.session.get(Campaign, world["campaign_id"]).sampling_plan = {"respondents_per_household": 2}
        db.session.commit()
    case_id = world["cases1"][0]
    page = sign_in(profile(), server.url, "enum1")
    interview(page, 40, case_id)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=30000)
    expect(_case(page, case_id)).to_contain_text("đã phỏng vấn 1/2 người trong hộ")
    expect(_case(page, case_id).locator("button")).to_have_count(1)  # the second respondent, no visit
    interview(page, 41, case_id)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=30000)
    expect(_case(page, case_id)).to_contain_text("2/2")
    expect(_case(page, case_id).locator("button")).to_have_count(0)
    stored = server.submissions()
    assert sorted((s.case_id, s.respondent_line, s.answers["age"]) for s in stored) == [
        (case_id, 1, "40"), (case_id, 2, "41")]
    assert server.statuses()[case_id] is CaseStatus.COMPLETED


def test_a_revoked_phone_keeps_its_unsent_interview_blocked_and_warns_on_every_page(field_server, profile):
    server, world = field_server
    phone = profile()
    page = sign_in(phone, server.url, "enum1")
    phone.set_offline(True)
    interview(page, 52, world["cases1"][0])
    expect(page.locator("#queue-count")).to_have_text("1")
    with server.app.app_context():
        for token in db.session.scalars(select(DeviceToken).where(DeviceToken.user_id == world["users"]["enum1"])):
            revoke(token)
        db.session.commit()
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#revoked-warning")).to_be_visible(timeout=30000)
    expect(page.locator("#blocked-list > li")).to_have_count(1)
    expect(page.locator("#blocked-list > li")).to_contain_text("Hộ A 1")
    assert server.submissions() == []
    page.reload()
    page.wait_for_selector("#app[data-ready='1']")
    expect(page.locator("#blocked-list > li")).to_have_count(1)
    expect(page.locator("#queue-count")).to_have_text("1")
    for other in ("/field/", f"/field/cases/{world['cases1'][1]}"):
        page.goto(server.url + other)
        expect(page.locator("#revoked-warning")).to_be_visible()
    sign_out(page)
    page = sign_in(phone, server.url, "enum1")  # signed in again: the interview leaves under enum1
    expect(page.locator("#revoked-warning")).to_be_hidden()
    expect(page.locator("#queue-count")).to_have_text("0", timeout=30000)
    expect(page.locator("#blocked")).to_be_hidden()
    [stored] = server.submissions()
    assert (stored.enumerator_id, stored.answers["age"]) == (world["users"]["enum1"], "52")
    page.goto(server.url + "/field/")
    expect(page.locator("#revoked-warning")).to_be_hidden()


def test_a_case_is_found_by_search_village_and_status(field_server, profile):
    server, world = field_server
    page = sign_in(profile(), server.url, "enum1")
    cases = page.locator("#cases-list > li")
    expect(cases).to_have_count(20)
    page.fill("#case-search", "Hộ A 12")
    expect(cases).to_have_count(1)
    expect(cases).to_contain_text("Số 12, Thôn 2")
    page.fill("#case-search", "thôn 2")
    expect(cases).to_have_count(10)
    page.fill("#case-search", "")
    page.select_option("#case-village", "A-V1")
    expect(cases).to_have_count(10)
    expect(page.locator("#cases-list > li[data-case-id='%d']" % world["cases1"][0])).to_have_count(1)
    page.select_option("#case-village", "")
    interview(page, 33, world["cases1"][4])
    expect(page.locator("#queue-count")).to_have_text("0", timeout=30000)
    page.select_option("#case-status", "completed")
    expect(cases).to_have_count(1)
    expect(cases).to_contain_text("Hộ A 5")
    page.select_option("#case-status", "open")
    expect(cases).to_have_count(19)
    page.select_option("#case-village", "A-V1")
    expect(cases).to_have_count(9)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with server.app.app_context():
        assert db.session.get(SampleCase, world["cases1"][4]).status is CaseStatus.COMPLETED
