"""Who may open each field route: an enumerator only their own cases and submissions, a
supervisor only their area, nobody anonymous. Every route of the field blueprint is listed."""
import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import CaseStatus, DeviceToken, SampleCase, Submission, VisitAttempt
from tests.field.world import bearer, interview


@pytest.fixture
def sent(app, client, world):
    """One stored interview per enumerator; their ids and device ids."""
    ids = {}
    for n in (1, 2):
        payload = interview(world, enumerator=n)
        assert client.post("/api/field/submissions", json=payload, headers=bearer(world[f"token{n}"])).status_code == 201
    with app.app_context():
        for n in (1, 2):
            user = world["users"][f"enum{n}"]
            ids[f"sub{n}"] = db.session.scalar(select(Submission.id).where(Submission.enumerator_id == user))
            ids[f"dev{n}"] = db.session.scalar(select(DeviceToken.id).where(DeviceToken.user_id == user))
    return ids


def test_every_field_route_is_listed_here(app):
    listed = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("field.")}
    assert listed == set(ENUMERATOR_ROUTES) | set(SUPERVISOR_ROUTES) | {"field.service_worker", "field.manifest"}


ENUMERATOR_ROUTES = {"field.enumerator": "/field/", "field.case": "/field/cases/{case1}",
                     "field.log_visit": "/field/cases/{case1}/visits",
                     "field.submission": "/field/submissions/{sub1}", "field.collector": "/field/app",
                     "field.register_device": "/field/device"}
SUPERVISOR_ROUTES = {"field.supervisor": "/field/supervision",
                     "field.submissions": "/field/supervision/submissions",
                     "field.review": "/field/supervision/submissions/{sub1}",
                     "field.devices": "/field/supervision/devices",
                     "field.revoke_device": "/field/supervision/devices/{dev1}/revoke",
                     "field.new_enumerator": "/field/supervision/enumerators/new",
                     "field.sample_size": "/field/supervision/sample-size",
                     "field.samples": "/field/supervision/samples",
                     "field.sample": "/field/supervision/samples/{sample}",
                     "field.assign_cases": "/field/supervision/samples/{sample}/assign",
                     "field.replace_case": "/field/supervision/cases/{case1}/replace",
                     "field.interview_at_the_door": "/field/supervision/cases/{case1}/door",
                     "field.issue_letters": "/field/supervision/samples/{sample}/letters",
                     "field.set_respondents": "/field/supervision/samples/{sample}/respondents",
                     "field.import_samples": "/field/supervision/samples/import",
                     "field.draw_samples": "/field/supervision/samples/draw",
                     "field.backchecks": "/field/supervision/backchecks",
                     "field.draw_backchecks": "/field/supervision/backchecks/draw",
                     "field.backcheck_entry": "/field/supervision/backchecks/999",
                     "field.quality_settings_list": "/field/supervision/quality",
                     "field.quality_settings": "/field/supervision/quality/999",
                     "field.flag_exclusion": "/field/supervision/flags/999/exclusion",
                     "field.conflicts": "/field/supervision/conflicts",
                     "field.conflict": "/field/supervision/conflicts/999",
                     "field.keep_conflict": "/field/supervision/conflicts/999/keep",
                     "field.apply_conflict": "/field/supervision/conflicts/999/apply"}
POSTS = {"field.log_visit", "field.register_device", "field.revoke_device", "field.assign_cases",
         "field.replace_case", "field.interview_at_the_door", "field.issue_letters", "field.set_respondents", "field.draw_backchecks", "field.flag_exclusion", "field.keep_conflict",
         "field.apply_conflict"}


def _url(template, world, sent):
    return template.format(case1=world["cases1"][0], sample=world["sample_id"], **sent)


@pytest.mark.parametrize("endpoint", sorted({**ENUMERATOR_ROUTES, **SUPERVISOR_ROUTES}))
def test_anonymous_visitors_are_sent_to_sign_in(client, world, sent, endpoint):
    url = _url({**ENUMERATOR_ROUTES, **SUPERVISOR_ROUTES}[endpoint], world, sent)
    response = client.post(url) if endpoint in POSTS else client.get(url)
    assert response.status_code in (302, 400)  # POSTs without a CSRF token stop earlier
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("endpoint", sorted(SUPERVISOR_ROUTES))
def test_an_enumerator_cannot_open_supervision(client, field_auth, world, sent, endpoint):
    field_auth.login("enum1")
    url = _url(SUPERVISOR_ROUTES[endpoint], world, sent)
    token = field_auth.auth.csrf("/field/")
    response = client.post(url, data={"csrf_token": token}) if endpoint in POSTS else client.get(url)
    assert response.status_code == 403


def test_an_enumerator_cannot_read_another_enumerators_case_or_submission(client, field_auth, world, sent):
    field_auth.login("enum1")
    assert client.get(f"/field/cases/{world['cases2'][0]}").status_code == 403
    assert client.get(f"/field/submissions/{sent['sub2']}").status_code == 403
    assert client.get("/field/submissions/999999").status_code == 404
    page = client.get("/field/").get_data(as_text=True)
    assert "Hộ A 1" in page and "Hộ B 1" not in page
    assert client.get(f"/field/cases/{world['cases1'][1]}").status_code == 200
    assert client.get(f"/field/submissions/{sent['sub1']}").status_code == 200


def test_an_enumerator_cannot_change_another_enumerators_case(app, client, field_auth, world, sent):
    field_auth.login("enum1")
    token = field_auth.auth.csrf(f"/field/cases/{world['cases1'][1]}")
    response = client.post(f"/field/cases/{world['cases2'][1]}/visits",
                           data={"csrf_token": token, "outcome": "refused"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(SampleCase, world["cases2"][1]).status is CaseStatus.PENDING
        assert db.session.scalar(select(func.count()).select_from(VisitAttempt)) == 2  # the two interviews


def test_an_enumerator_records_a_refusal_on_their_own_case(app, client, field_auth, world):
    field_auth.login("enum1")
    case_id = world["cases1"][1]
    token = field_auth.auth.csrf(f"/field/cases/{case_id}")
    bad = client.post(f"/field/cases/{case_id}/visits", data={"csrf_token": token, "outcome": "party"})
    assert bad.status_code == 422
    ok = client.post(f"/field/cases/{case_id}/visits", data={"csrf_token": token, "outcome": "refused",
                                                             "note": "Không tiếp"}, follow_redirects=True)
    assert ok.status_code == 200 and "Không tiếp" in ok.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SampleCase, case_id).status is CaseStatus.REFUSED


def test_a_supervisor_sees_only_their_area(client, field_auth, world, sent):
    field_auth.login("supervisor2")
    assert client.get(f"/field/supervision/submissions/{sent['sub1']}").status_code == 403
    assert client.get(f"/field/supervision/submissions/{sent['sub2']}").status_code == 200
    assert client.get(f"/field/cases/{world['cases1'][0]}").status_code == 403
    token = field_auth.auth.csrf("/field/supervision/devices")
    assert client.post(f"/field/supervision/devices/{sent['dev1']}/revoke",
                       data={"csrf_token": token}).status_code == 403
    board = client.get("/field/supervision").get_data(as_text=True)
    assert "Enum2" in board and "Enum1" not in board
    listing = client.get("/field/supervision/submissions").get_data(as_text=True)
    assert f"/field/supervision/submissions/{sent['sub2']}" in listing
    assert f"/field/supervision/submissions/{sent['sub1']}" not in listing


def test_a_supervisor_revokes_a_device_and_its_sends_stop(app, client, field_auth, world, sent):
    field_auth.login("supervisor")
    token = field_auth.auth.csrf("/field/supervision/devices")
    response = client.post(f"/field/supervision/devices/{sent['dev1']}/revoke", data={"csrf_token": token})
    assert response.status_code == 302
    other = interview(world, case_index=1)
    assert client.post("/api/field/submissions", json=other, headers=bearer(world["token1"])).status_code == 401


def test_a_supervisor_creates_an_enumerator_in_their_area_only(client, field_auth, world):
    field_auth.login("supervisor2")
    page = client.get("/field/supervision/enumerators/new").get_data(as_text=True)
    assert "Huyện Thử" in page and "Thành phố Thử" not in page
    token = field_auth.auth.csrf("/field/supervision/enumerators/new")
    refused = client.post("/field/supervision/enumerators/new", data={
        "csrf_token": token, "username": "dtv.new", "full_name": "Điều tra viên mới",
        "unit": world["units"]["d1"], "password": "long-enough-1"})
    assert refused.status_code == 422
    made = client.post("/field/supervision/enumerators/new", data={
        "csrf_token": token, "username": "dtv.new", "full_name": "Điều tra viên mới",
        "unit": world["units"]["d2"], "password": "long-enough-1"})
    assert made.status_code == 302
    field_auth.auth.logout()
    assert field_auth.auth.login("dtv.new", "long-enough-1").headers["Location"].endswith("/field/")


def test_the_device_route_needs_the_csrf_header_and_gives_a_working_token(client, field_auth, world):
    field_auth.login("enum1")
    assert client.post("/field/device", json={}).status_code == 400
    token = field_auth.auth.csrf("/field/app")
    response = client.post("/field/device", json={"label": "test"}, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    plain = response.get_json()["token"]
    assert client.get("/api/field/bundle", headers=bearer(plain)).status_code == 200


def test_the_sample_size_helper(client, field_auth, world):
    field_auth.login("supervisor")
    page = client.get("/field/supervision/sample-size?population=10000&margin=5&deff=2&response_rate=80")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "385" in text and "770" in text and "963" in text
    assert client.get("/field/supervision/sample-size?population=abc&margin=5").status_code == 422
