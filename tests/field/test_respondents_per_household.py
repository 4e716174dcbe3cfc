"""Several respondents per household: the province's supervisor sets the campaign's number on the
sample page (validated, CSRF, roles), and the phone's bundle tells each case how many interviews it
takes and which respondent lines it already has."""
from __future__ import annotations

import pytest

from survey_app.extensions import db
from survey_app.models import Campaign
from tests.conftest import csrf_token
from tests.field.world import bearer, interview

API = "/api/field/submissions"


def _page(world) -> str:
    return f"/field/supervision/samples/{world['sample_id']}"


def _plan(app, world) -> dict:
    with app.app_context():
        return dict(db.session.get(Campaign, world["campaign_id"]).sampling_plan or {})


def _set(client, world, value, token=None):
    token = token or csrf_token(client, _page(world))
    return client.post(_page(world) + "/respondents", data={"csrf_token": token, "respondents": value})


def test_the_provinces_supervisor_sets_the_respondents_per_household(app, client, world, field_auth):
    field_auth.login("supervisor")
    page = client.get(_page(world)).get_data(as_text=True)
    assert "Số người trả lời mỗi hộ" in page and 'name="respondents" type="number" value="1"' in page
    answer = _set(client, world, "3")
    assert answer.status_code == 302
    assert _plan(app, world)["respondents_per_household"] == 3
    assert "Từ nay mỗi hộ trả lời tối đa 3 phiếu phỏng vấn." in client.get(_page(world)).get_data(as_text=True)


@pytest.mark.parametrize("value", ["0", "11", "hai", ""])
def test_a_number_outside_one_to_ten_is_refused_in_vietnamese(app, client, world, field_auth, value):
    field_auth.login("supervisor")
    answer = _set(client, world, value)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Hãy nhập một số nguyên từ 1 đến 10." in html or "Nhập một số nguyên." in html, html[-2000:]
    assert "respondents_per_household" not in _plan(app, world)


def test_a_district_supervisor_an_enumerator_and_a_form_without_its_token_change_nothing(app, client, world,
                                                                                         field_auth):
    field_auth.login("supervisor2")
    token = csrf_token(client, _page(world))
    assert "Số người trả lời mỗi hộ" not in client.get(_page(world)).get_data(as_text=True)
    assert _set(client, world, "2", token).status_code == 403
    field_auth.auth.logout()
    field_auth.login("enum1")
    assert _set(client, world, "2", csrf_token(client, "/")).status_code == 403
    field_auth.auth.logout()
    field_auth.login("supervisor")
    assert client.post(_page(world) + "/respondents", data={"respondents": "2"}).status_code == 400
    assert "respondents_per_household" not in _plan(app, world)


def test_the_bundle_tells_each_case_its_respondents_and_taken_lines(app, client, world):
    with app.app_context():
        db.session.get(Campaign, world["campaign_id"]).sampling_plan = {"respondents_per_household": 2}
        db.session.commit()
    assert client.post(API, json=dict(interview(world), line_number=1),
                       headers=bearer(world["token1"])).status_code in (200, 201)
    cases = client.get("/api/field/bundle", headers=bearer(world["token1"])).get_json()["cases"]
    first, second = cases[0], cases[1]
    assert (first["id"], first["respondents"], first["lines"], first["status"]) == (
        world["cases1"][0], 2, [1], "completed")
    assert (second["respondents"], second["lines"]) == (2, [])


def test_two_phones_of_one_enumerator_are_listed_distinctly_on_the_devices_page(client, world, field_auth):
    import re
    field_auth.login("enum1")
    token = field_auth.auth.csrf("/field/app")
    for _ in range(2):  # the same name typed on two phones
        made = client.post("/field/device", json={"label": "Máy của Lan"}, headers={"X-CSRFToken": token})
        assert made.status_code == 201
    field_auth.auth.logout()
    field_auth.login("supervisor")
    html = client.get("/field/supervision/devices").get_data(as_text=True)
    names = re.findall(r"<td>(Máy của Lan[^<]*)<br>", html)
    assert sorted(names) == ["Máy của Lan", "Máy của Lan (2)"]
