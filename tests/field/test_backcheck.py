"""Back-checks: a seeded share of each enumerator's completed interviews drawn for re-contact,
the re-asked answers entered by the supervisor, and the agreement (with its standard error)
shown per enumerator on the dashboard."""
import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import BackCheck, Submission
from survey_app.quality.backcheck import default_keys
from tests.field.world import bearer, build_world, interview


@pytest.fixture
def sent_world(app, client):
    """Ten interviews of enum1 and four of enum2 (satisfaction answered 4, 3, 5)."""
    with app.app_context():
        world = build_world(cases_each=10)
    for n, count in ((1, 10), (2, 4)):
        for i in range(count):
            response = client.post("/api/field/submissions", json=interview(world, case_index=i, enumerator=n),
                                   headers=bearer(world[f"token{n}"]))
            assert response.status_code == 201
    return world


def _draw(client, auth, share, seed):
    token = auth.csrf("/field/supervision/backchecks")
    return client.post("/field/supervision/backchecks/draw",
                       data={"csrf_token": token, "share": share, "seed": seed})


def _drawn(app):
    with app.app_context():
        rows = db.session.execute(select(BackCheck.id, BackCheck.submission_id, Submission.enumerator_id)
                                  .join(Submission, Submission.id == BackCheck.submission_id)
                                  .order_by(BackCheck.id)).all()
        return [tuple(r) for r in rows]


def test_a_seeded_share_of_each_enumerator_is_drawn_and_topped_up(app, client, field_auth, sent_world):
    field_auth.login("supervisor")
    assert _draw(client, field_auth.auth, "30", "5").status_code == 302
    first = _drawn(app)
    per_enumerator = [e for _, _, e in first]
    assert per_enumerator.count(sent_world["users"]["enum1"]) == 3  # ⌈0.3 × 10⌉
    assert per_enumerator.count(sent_world["users"]["enum2"]) == 2  # ⌈0.3 × 4⌉
    assert _draw(client, field_auth.auth, "30", "99").status_code == 302
    assert _drawn(app) == first  # already at the share: nothing more
    with app.app_context():
        db.session.execute(BackCheck.__table__.delete())
        db.session.commit()
    _draw(client, field_auth.auth, "30", "5")
    assert sorted(s for _, s, _ in _drawn(app)) == sorted(s for _, s, _ in first)
    bad = _draw(client, field_auth.auth, "abc", "")
    assert bad.status_code == 422 and "Nhập một số." in bad.get_data(as_text=True)


def _enter(client, auth, check_id, **answers):
    token = auth.csrf(f"/field/supervision/backchecks/{check_id}")
    data = {"csrf_token": token, **{f"q_{k}": v for k, v in answers.items()}}
    return client.post(f"/field/supervision/backchecks/{check_id}", data=data)


def test_re_asked_answers_give_the_agreement_shown_per_enumerator(app, client, field_auth, sent_world):
    field_auth.login("supervisor")
    _draw(client, field_auth.auth, "20", "3")
    enum1 = [c for c, _, e in _drawn(app) if e == sent_world["users"]["enum1"]]
    form = client.get(f"/field/supervision/backchecks/{enum1[0]}").get_data(as_text=True)
    assert "Thái độ công chức" in form and "Rất hài lòng" in form
    empty = _enter(client, field_auth.auth, enum1[0])
    assert empty.status_code == 422 and "ít nhất một câu trả lời" in empty.get_data(as_text=True)
    assert _enter(client, field_auth.auth, enum1[0], s1="4", s2="3", s3="1").status_code == 302
    assert _enter(client, field_auth.auth, enum1[1], s1="4", s2="3", s3="5").status_code == 302
    with app.app_context():
        assert db.session.get(BackCheck, enum1[0]).agreement == pytest.approx(2 / 3)
    page = client.get(f"/field/supervision/backchecks/{enum1[0]}").get_data(as_text=True)
    assert "66,7%" in page and 'class="differs"' in page
    board = client.get("/field/supervision").get_data(as_text=True)
    row = board[board.index("Enum1"):].split("</tr>")[0]
    assert "83,3%" in row and "± 16,7" in row  # mean of 2/3 and 1; SE = s/√2


def test_a_district_supervisor_cannot_open_another_areas_back_check(app, client, field_auth, sent_world):
    field_auth.login("supervisor")
    _draw(client, field_auth.auth, "50", "1")
    field_auth.auth.logout()
    field_auth.login("supervisor2")
    checks = _drawn(app)
    enum1 = next(c for c, _, e in checks if e == sent_world["users"]["enum1"])
    enum2 = next(c for c, _, e in checks if e == sent_world["users"]["enum2"])
    assert client.get(f"/field/supervision/backchecks/{enum1}").status_code == 403
    assert client.get(f"/field/supervision/backchecks/{enum2}").status_code == 200
    listing = client.get("/field/supervision/backchecks").get_data(as_text=True)
    assert f"/backchecks/{enum2}" in listing and f"/backchecks/{enum1}\"" not in listing


def test_default_keys_are_sex_age_group_and_three_satisfaction_items():
    grid = [{"name": f"q{i}", "path": f"/f/q{i}", "type": "select_one", "list_name": "sat"} for i in range(5)]
    definition = {"questions": [{"name": "sex", "path": "/f/sex", "type": "select_one", "list_name": "sex"},
                                {"name": "age_group", "path": "/f/age", "type": "select_one", "list_name": "age"},
                                *grid],
                  "pages": [{"questions": ["/f/sex", "/f/age"]}, {"questions": [q["path"] for q in grid]}]}
    assert default_keys(definition) == ["sex", "age_group", "q0", "q1", "q2"]
