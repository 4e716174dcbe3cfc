"""Mixed mode on one sample: a letter per sampled case; the household's answer by its code
completes the case and reaches the analysis with the case's design; the enumerator's later
interview is refused and kept aside; a case switched to the door no longer takes its code."""
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.invitations.cases import issue_for_cases, switch_to_door
from survey_app.models import (Campaign, CaseStatus, Channel, Invitation, SampleCase, Submission,
                               SubmissionConflict, VisitAttempt)
from survey_app.models.fieldwork import CASE_COMPLETED
from survey_app.survey_analysis.table import build_table
from tests.field.world import bearer, build_world, interview
from tests.public.walker import walk

URL = "/api/field/submissions"


def _letters(app):
    with app.app_context():
        world = build_world(sipas=True)
        campaign = db.session.get(Campaign, world["campaign_id"])
        assert issue_for_cases(campaign) == 6
        assert issue_for_cases(campaign) == 0  # one code per case, however often it runs
        world["codes"] = dict(db.session.execute(select(Invitation.case_id, Invitation.code)).all())
        return world


def test_a_household_answers_by_its_letter_and_the_enumerator_is_then_refused(app, client):
    world = _letters(app)
    case_id = world["cases1"][0]
    walk(app.test_client(), world["codes"][case_id])
    with app.app_context():
        case = db.session.get(SampleCase, case_id)
        [answer] = db.session.scalars(select(Submission)).all()
        [visit] = db.session.scalars(select(VisitAttempt)).all()
        assert case.status is CaseStatus.COMPLETED and answer.case_id == case_id
        assert answer.channel is Channel.INVITATION and answer.respondent_line == 1
        assert visit.outcome is CaseStatus.SELF_COMPLETED and visit.enumerator_id is None
        table = build_table(db.session.get(Campaign, world["campaign_id"]), "sipas_citizen")
        assert "outside_sample_design" not in table.exclusions
    payload = dict(interview(world), case_id=case_id)
    refused = client.post(URL, json=payload, headers=bearer(world["token1"]))
    assert refused.status_code == 409
    with app.app_context():
        [kept] = db.session.scalars(select(SubmissionConflict)).all()
        assert (kept.client_uuid, kept.reason, kept.submission_id) == (payload["instance_uuid"], CASE_COMPLETED,
                                                                        answer.id)


def test_a_case_switched_to_the_door_no_longer_opens_its_code(app, client):
    world = _letters(app)
    case_id = world["cases1"][1]
    with app.app_context():
        assert switch_to_door(db.session.get(SampleCase, case_id))
    response = client.get(f"/q/{world['codes'][case_id]}")
    assert response.status_code == 410
    assert "phỏng vấn tại nhà" in response.get_data(as_text=True)


def test_the_supervisor_issues_letters_on_the_samples_page_and_switches_a_case_to_the_door(app, client, world,
                                                                                         field_auth):
    from tests.conftest import csrf_token
    field_auth.login("supervisor")
    page = f"/field/supervision/samples/{world['sample_id']}"
    token = csrf_token(client, page)
    assert client.post(f"{page}/letters", data={"csrf_token": token}).status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert html.count("đã gửi thư") == 6
    case_id = world["cases1"][0]
    assert client.post(f"/field/supervision/cases/{case_id}/door", data={"csrf_token": token}).status_code == 302
    assert "đã thu hồi: phỏng vấn tại nhà" in client.get(page).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Invitation.withdrawn_at).where(Invitation.case_id == case_id)) is not None


def test_counts_and_response_rates_per_mode_and_unit_on_the_dashboard_and_in_the_report(app, client, field_auth):
    from survey_app.invitations.modes import mode_counts
    from survey_app.reports.data import sample_rows
    from survey_app.queries import campaign_units
    world = _letters(app)
    walk(app.test_client(), world["codes"][world["cases1"][0]])
    with app.app_context():
        campaign = db.session.get(Campaign, world["campaign_id"])
        counts = mode_counts(campaign)[world["units"]["d1"]]
        assert (counts["letters"], counts["by_letter"], counts["by_interview"]) == (3, 1, 0)
        assert round(counts["letter_rate"], 1) == 33.3
        rows = sample_rows(campaign, campaign_units(campaign))
        assert all("modes" in row for row in rows)
    field_auth.login("supervisor")
    html = client.get("/field/supervision").get_data(as_text=True)
    assert "Theo hình thức thu thập" in html and "33,3%" in html
