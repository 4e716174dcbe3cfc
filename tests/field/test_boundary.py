"""The input boundary: the malformed requests the audit found answered 500 get a 4xx with a message,
and a seeded property-based run over every public, citizen and collector endpoint finds no 5xx."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.field.world import bearer, interview

PUBLIC_BLUEPRINTS = ("public", "auth", "api")
COLLECTOR_ENDPOINTS = ("field.collector", "field.service_worker", "field.manifest", "field.register_device")
SEEDED = settings(max_examples=100, derandomize=True, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TEXTS = ["\x00", "a\x00b", str(2**31), str(2**63), "-1", "0", "é" * 300, "=1+1", ""]
NASTY = st.sampled_from(TEXTS + ["\ud800"])  # a lone surrogate goes only in JSON (escaped)
URL_NASTY = st.sampled_from(TEXTS)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=20) | NASTY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | NASTY, inner, max_size=3),
    max_leaves=8)


def _send(client, world, path, body, token="token1"):
    return client.post(path, data=body, headers={**bearer(world[token]), "Content-Type": "application/json"})


@pytest.mark.parametrize("path", ["/api/field/submissions", "/api/field/visits"])
@pytest.mark.parametrize("body", [b"[" * 20000, b"{" * 5000, b'{"case_id": ' + b"9" * 5000 + b"}", b"\xff", b"[1]"])
def test_garbage_bodies_are_refused_with_4xx(client, world, path, body):
    response = _send(client, world, path, body)
    assert 400 <= response.status_code < 500 and response.get_json()["error"]


def test_a_visit_whose_outcome_is_an_object_is_refused(client, world):
    visit = {"client_uuid": "c1", "case_id": world["cases1"][0], "outcome": {}, "at": "2024-08-05T02:00:00Z"}
    response = _send(client, world, "/api/field/visits", json.dumps(visit))
    assert response.status_code == 422 and response.get_json()["error"]


@pytest.mark.parametrize("field", ["case_id", "questionnaire_version_id"])
@pytest.mark.parametrize("value", [2**31, 2**63, -2**63 - 1])
def test_ids_the_database_cannot_hold_are_refused(client, world, field, value):
    response = _send(client, world, "/api/field/submissions", json.dumps({**interview(world), field: value}))
    assert response.status_code == 422
    assert response.get_json()["problems"][0]["key"] == field


@pytest.mark.parametrize("where", ["answers", "instance_uuid", "key"])
def test_nul_bytes_in_a_send_are_refused_with_a_message(client, world, where):
    send = interview(world)
    if where == "answers":
        send["answers"]["phone"] = "09\x0012"
    elif where == "key":
        send["answers"]["ph\x00one"] = "1"
    else:
        send["instance_uuid"] = "abc\x00def"
    response = _send(client, world, "/api/field/submissions", json.dumps(send))
    assert response.status_code == 400 and "NUL" in response.get_json()["error"]


def test_repeat_answers_that_are_not_objects_are_refused(client, world):
    send = interview(world)
    send["answers"]["members"] = [1, 2]
    response = _send(client, world, "/api/field/submissions", json.dumps(send))
    assert response.status_code == 422 and response.get_json()["problems"][0]["key"] == "members"


@pytest.mark.parametrize("path", ["/field/cases/2147483648", "/field/cases/9223372036854775808"])
def test_huge_ids_in_a_url_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_nul_in_a_url_or_a_login_is_refused_on_a_page(client):
    page = client.get("/campaigns/%00", headers={"Accept": "text/html"})
    assert page.status_code == 400 and "NUL".encode() in page.data and b"<html" in page.data
    login = client.post("/login", data={"username": "ad\x00min", "password": "x"})
    assert login.status_code == 400


PATH_SEGMENT = str.maketrans({"/": "%2F", "?": "%3F", "#": "%23"})  # a drawn value stays one path segment


def _rules(app):
    for rule in app.url_map.iter_rules():
        if (rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS or rule.endpoint in COLLECTOR_ENDPOINTS) \
                and rule.endpoint != "static":
            yield rule


@SEEDED
@given(data=st.data())
def test_no_public_citizen_or_collector_endpoint_answers_5xx(app, client, world, data):
    rules = sorted(_rules(app), key=lambda r: r.rule)
    rule = data.draw(st.sampled_from(rules))
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>",
                  lambda m: data.draw(URL_NASTY | st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12)).translate(PATH_SEGMENT) or "x", rule.rule)
    method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    if method == "GET":
        response = client.get(path, query_string={data.draw(st.sampled_from(["lang", "page", "id", "next"])):
                                                  data.draw(URL_NASTY)})
    elif rule.endpoint.startswith("api."):
        body = data.draw(st.dictionaries(st.sampled_from(list(interview(world)) + ["outcome", "client_uuid", "at"]),
                                         JSON_VALUES, max_size=6))
        response = _send(client, world, path, json.dumps({**interview(world), **body}))
    else:
        response = client.post(path, data=data.draw(st.dictionaries(URL_NASTY, URL_NASTY, max_size=4)))
    assert response.status_code < 500, (method, path)
