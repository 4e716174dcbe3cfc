"""Issue 12's collector cases in headless Chromium at 360×740, on SQLite and PostgreSQL: a
household answering its letter, two enumerators on one phone, a correction reaching the phone
that sent the interview, and a revoked phone erasing what it holds."""
from playwright.sync_api import expect
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.field.tokens import revoke
from survey_app.invitations.cases import issue_for_cases
from survey_app.models import (Campaign, CaseStatus, DeviceToken, Invitation, ReviewComment, ReviewState,
                               SampleCase, Submission, SubmissionConflict, SubmissionEdit, User)
from survey_app.models.fieldwork import CASE_COMPLETED
from survey_app.survey_analysis.table import build_table
from tests.browser.conftest import PHONE
from tests.browser.test_citizen_questionnaire import _complete
from tests.browser.test_collector import (field_server, interview, profile, queue, sign_in_and_open,  # noqa: F401
                                          sipas_server)
from tests.field.world import PASSWORD


def sign_in(context, url, username):
    """Sign ``username`` in on the phone's browser and open the collector."""
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(url + "/field/app")
    page.wait_for_selector("#app[data-ready='1']")
    return page


def sign_out(page):
    page.on("dialog", lambda dialog: dialog.accept())  # "some interviews have not been sent yet"
    with page.expect_navigation():
        page.click("form.who button")
    expect(page.locator("form.who")).to_have_count(0)


def answer_on_phone(page):
    """Every page of the collector's form: the first option, 45 for numbers, a short text."""
    for _ in range(80):
        if page.is_visible("#review"):
            page.click("#review-send")
            page.wait_for_selector("#home:not([hidden])")
            return
        for box in page.locator("#page .field[data-key]:visible").all():
            options = box.locator("input[type=radio], input[type=checkbox]")
            if options.count():
                if not box.locator("input:checked").count():
                    options.first.check()
            elif box.locator("input, textarea").count():
                field = box.locator("input, textarea").first
                if not field.input_value():
                    field.fill("45" if field.get_attribute("inputmode") in ("numeric", "decimal") else "Tốt")
        page.click("#next")
    raise AssertionError("the interview did not end")


def test_a_household_answers_its_letter_and_the_enumerators_later_interview_is_kept_aside(sipas_server, profile,
                                                                                           browser):
    server, world = sipas_server
    case_id = world["cases1"][0]
    with server.app.app_context():
        issue_for_cases(db.session.get(Campaign, world["campaign_id"]))
        code = db.session.scalar(select(Invitation.code).where(Invitation.case_id == case_id))
    phone = profile()
    page = sign_in_and_open(phone, server.url)  # the enumerator's cases, fetched in the morning
    phone.set_offline(True)

    household = browser.new_context(viewport=PHONE, is_mobile=True, locale="vi-VN")
    _complete(household.new_page(), server.url, code)
    household.close()
    with server.app.app_context():
        [answer] = db.session.scalars(select(Submission)).all()
        assert answer.case_id == case_id and db.session.get(SampleCase, case_id).status is CaseStatus.COMPLETED
        table = build_table(db.session.get(Campaign, world["campaign_id"]), "sipas_citizen")
        [row] = table.data.to_dict("records")
        assert row["mode"] == "self_completed" and row["selection_probability"] == 0.01
        assert row["instance_uuid"] == answer.instance_uuid

    page.click(f"#cases-list li[data-case-id='{case_id}'] button")  # still open on the phone: offline
    answer_on_phone(page)
    phone.set_offline(False)
    refused = page.locator("#refused-list > li")
    expect(refused).to_contain_text("Hộ này đã hoàn thành phiếu", timeout=30000)
    with server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
        [kept] = db.session.scalars(select(SubmissionConflict)).all()
        assert kept.reason == CASE_COMPLETED and kept.submission_id == answer.id
        assert kept.enumerator_id == world["users"]["enum1"]
    page.on("dialog", lambda dialog: dialog.accept())
    refused.locator("button.remove-record").click()  # removed from the phone; still kept aside
    expect(refused).to_have_count(0)
    with server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SubmissionConflict)) == 1


def test_two_enumerators_on_one_phone_each_keep_their_interviews(field_server, profile):
    server, world = field_server
    phone = profile()
    page = sign_in(phone, server.url, "enum1")
    phone.route("**/api/field/submissions**", lambda route: route.abort())  # no signal for sending
    phone.set_offline(True)
    interview(page, 31)
    interview(page, 32)
    phone.set_offline(False)
    sign_out(page)  # A's two interviews are not sent yet

    page = sign_in(phone, server.url, "enum2")
    expect(page.locator("#cases-list li")).to_have_count(20)
    assert all(int(i) in world["cases2"] for i in page.locator("#cases-list li").evaluate_all(
        "items => items.map(li => li.dataset.caseId)"))  # B sees only B's households
    expect(page.locator("#others-waiting")).to_contain_text("2")
    phone.set_offline(True)
    interview(page, 55)
    phone.unroute("**/api/field/submissions**")
    phone.set_offline(False)
    page.click("#send-now")
    expect(page.locator("#queue-count")).to_have_text("0", timeout=60000)
    by_whom = {(s.enumerator_id, s.answers["age"]) for s in server.submissions()}
    assert by_whom == {(world["users"]["enum1"], "31"), (world["users"]["enum1"], "32"),
                       (world["users"]["enum2"], "55")}
    expect(page.locator("#others-waiting")).to_be_hidden()


def test_a_rejected_interview_reaches_the_phone_that_sent_it_and_is_corrected_as_an_edit(field_server, profile):
    server, world = field_server
    phone = profile()
    page = sign_in(phone, server.url, "enum1")
    interview(page, 44)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=30000)
    [sent] = server.submissions()
    with server.app.app_context():
        stored = db.session.get(Submission, sent.id)
        stored.review_state = ReviewState.REJECTED
        db.session.add(ReviewComment(submission=stored, author_id=world["users"]["supervisor"],
                                     body="Hỏi lại thời gian giải quyết", state_to=ReviewState.REJECTED,
                                     question="s2"))
        db.session.commit()
        case = db.session.get(SampleCase, sent.case_id)
        label, address = case.label, case.address
    page.reload()
    page.wait_for_selector("#app[data-ready='1']")
    card = page.locator("#corrections-list > li")
    expect(card).to_have_count(1, timeout=30000)
    expect(card).to_contain_text(label)
    expect(card).to_contain_text(address)
    expect(card).to_contain_text("Hỏi lại thời gian giải quyết")
    card.locator("button").click()
    expect(page.locator("#q-s2-0")).to_be_visible()  # opens at the question commented on
    page.check("#q-s2-0")
    page.click("#next")
    expect(page.locator("#review-list")).to_contain_text("Rất không hài lòng")  # s2's new answer, listed
    page.click("#review-send")
    page.wait_for_selector("#home:not([hidden])")
    expect(page.locator("#queue-count")).to_have_text("0", timeout=30000)
    expect(page.locator("#corrections")).to_be_hidden()
    with server.app.app_context():
        stored = db.session.get(Submission, sent.id)
        assert stored.review_state is ReviewState.EDITED and stored.answers["s2"] == "1"
        assert db.session.scalar(select(func.count()).select_from(SubmissionEdit)) == 1
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_a_revoked_phone_erases_its_households_after_the_next_contact(field_server, profile):
    server, world = field_server
    phone = profile()
    page = sign_in(phone, server.url, "enum1")
    page.click("#cases-list li:first-child button")  # a draft begun
    page.click("#stop")
    expect(page.locator("#drafts-list > li")).to_have_count(1)
    with server.app.app_context():
        user = db.session.get(User, world["users"]["enum1"])
        tokens = list(db.session.scalars(select(DeviceToken).where(DeviceToken.user_id == user.id)))
        for token in tokens:
            revoke(token)
        db.session.commit()
    page.reload()
    page.wait_for_selector("#app[data-ready='1']")
    expect(page.locator("#revoked-warning")).to_be_visible()
    expect(page.locator("#cases-list li")).to_have_count(0)
    expect(page.locator("#drafts-list > li")).to_have_count(0)
    assert page.evaluate("ParStore.get('bundle')") is None
    assert page.evaluate("ParStore.all('drafts')") == []
    phone.set_offline(True)
    page.reload()  # the cached households do not come back, and no new token is taken
    page.wait_for_selector("#app[data-ready='1']")
    expect(page.locator("#revoked-warning")).to_be_visible()
    expect(page.locator("#cases-list li")).to_have_count(0)
    phone.set_offline(False)
    page.reload()
    page.wait_for_selector("#app[data-ready='1']")
    with server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeviceToken).where(
            DeviceToken.user_id == world["users"]["enum1"], DeviceToken.revoked_at.is_(None))) == 0
