"""Sample lists in the platform: CSV import with row-level messages and nothing stored on
error, draws by stratum (SRS, systematic, PPS) with their inclusion probabilities, bulk
assignment within the supervisor's area, and replacements following the campaign's rule."""
import io

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (Assignment, Campaign, CaseStatus, SampleCase, SampleList,
                               VisitAttempt)

GOOD = ("household,address,unit,stratum,cluster,probability,weight,reserve\n"
        "Hộ Nguyễn Văn A,Số 1 Thôn 1,347,347,V1,0.05,,\n"
        "Hộ Trần Thị B,Số 2 Thôn 1,347,347,V1,,40,\n"
        "Hộ Lê Văn C,Số 3 Thôn 1,347,347,V1,\"0,05\",,1\n")
BAD = ("household,unit,stratum,probability\n"
       "Hộ 1,347,347,0.05\n"
       "Hộ 2,999,347,0.05\n"
       "Hộ 3,347,,1.5\n"
       ",347,347,abc\n")
FRAME = "household,unit,stratum,cluster,size\n" + "".join(
    f"Hộ {s}-{i},{s},{s},{s}-V{i % 3},{i + 1}\n" for s in ("347", "349") for i in range(20))


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, auth, path, world, text, **fields):
    token = auth.csrf(path)
    data = {"csrf_token": token, "campaign": str(world["campaign_id"]), **fields,
            "file": (io.BytesIO(text.encode("utf-8")), "mau.csv")}
    return client.post(path, data=data, content_type="multipart/form-data")


def test_a_supervisor_imports_a_sample_list_with_weights_and_reserve(app, client, field_auth, world):
    field_auth.login("supervisor")
    response = _upload(client, field_auth.auth, "/field/supervision/samples/import", world, GOOD)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hộ Nguyễn Văn A" in page and "Hộ Trần Thị B" in page
    with app.app_context():
        main = db.session.scalar(select(SampleList).where(SampleList.name == "mau.csv"))
        cases = {c.label: c for c in main.cases}
        assert set(cases) == {"Hộ Nguyễn Văn A", "Hộ Trần Thị B"}
        assert cases["Hộ Nguyễn Văn A"].weight == pytest.approx(20)
        assert cases["Hộ Trần Thị B"].selection_probability == pytest.approx(1 / 40)
        reserve = db.session.get(SampleList, main.parameters["reserve_list_id"])
        assert [c.label for c in reserve.cases] == ["Hộ Lê Văn C"]
        assert reserve.cases[0].selection_probability == pytest.approx(0.05)


def test_a_wrong_file_gets_one_vietnamese_message_per_row_and_stores_nothing(app, client, field_auth, world):
    field_auth.login("supervisor")
    before = _count(app, SampleCase)
    response = _upload(client, field_auth.auth, "/field/supervision/samples/import", world, BAD)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Dòng 3: không có đơn vị nào mang mã “999” trong năm 2024." in page
    assert "Dòng 4:" in page and "tầng" in page and "1.5" in page
    assert "Dòng 5:" in page and "hộ gia đình" in page and "abc" in page
    assert "Dòng 2:" not in page
    assert _count(app, SampleCase) == before and _count(app, SampleList) == 1
    missing = _upload(client, field_auth.auth, "/field/supervision/samples/import", world,
                      "household,unit\nHộ 1,347\n")
    assert missing.status_code == 422 and "stratum" in missing.get_data(as_text=True)


def test_a_district_supervisor_cannot_import_rows_outside_their_area(app, client, field_auth, world):
    field_auth.login("supervisor2")
    response = _upload(client, field_auth.auth, "/field/supervision/samples/import", world, GOOD)
    assert response.status_code == 422
    assert "Thành phố Thử" in response.get_data(as_text=True)
    assert _count(app, SampleList) == 1


def test_the_cli_draws_by_stratum_reproducibly_with_reserve(app, runner, world, tmp_path):
    frame = tmp_path / "frame.csv"
    frame.write_text(FRAME, encoding="utf-8")
    args = ["sample", "draw", "TST-2024", str(frame), "--method", "srs", "--per-stratum", "5",
            "--size", "349=4", "--reserve", "3", "--seed", "7"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "9 cases" in first.output and "6 in reserve" in first.output and "seed 7" in first.output
    second = runner.invoke(args=args)
    assert second.exit_code == 0
    with app.app_context():
        lists = list(db.session.scalars(select(SampleList).where(SampleList.method == "srs")
                                        .order_by(SampleList.id)))
        labels = [sorted(c.label for c in s.cases) for s in lists]
        assert labels[0] == labels[1]
        p = {c.stratum: c.selection_probability for c in lists[0].cases}
        assert p == {"347": pytest.approx(5 / 20), "349": pytest.approx(4 / 20)}
        reserve = db.session.get(SampleList, lists[0].parameters["reserve_list_id"])
        assert not {c.label for c in reserve.cases} & {c.label for c in lists[0].cases}


def test_a_pps_draw_on_the_web_stores_n_x_over_the_stratum_total(app, client, field_auth, world):
    field_auth.login("supervisor")
    response = _upload(client, field_auth.auth, "/field/supervision/samples/draw", world, FRAME,
                       method="pps", per_stratum="4", reserve="0", seed="11")
    assert response.status_code == 302
    with app.app_context():
        sample = db.session.scalar(select(SampleList).where(SampleList.method == "pps"))
        assert sample.parameters["seed"] == 11 and len(sample.cases) == 8
        total = sum(range(1, 21))  # sizes 1..20 in each stratum
        for case in sample.cases:
            size = int(case.label.split("-")[1]) + 1
            assert case.selection_probability == pytest.approx(min(1, 4 * size / total))


def test_a_draw_larger_than_its_stratum_is_refused_whole(app, client, field_auth, world, runner, tmp_path):
    field_auth.login("supervisor")
    response = _upload(client, field_auth.auth, "/field/supervision/samples/draw", world, FRAME,
                       method="systematic", per_stratum="5", sizes="349=25", reserve="0")
    assert response.status_code == 422
    assert "349" in response.get_data(as_text=True) and "25" in response.get_data(as_text=True)
    frame = tmp_path / "bad.csv"
    frame.write_text(BAD, encoding="utf-8")
    result = runner.invoke(args=["sample", "import", "TST-2024", str(frame)])
    assert result.exit_code == 1 and "Dòng 3" in result.output
    assert _count(app, SampleList) == 1


def _reserve_world(app, world, plan):
    """Give the world's sample a reserve list of two cases in enum1's clusters."""
    with app.app_context():
        campaign = db.session.get(Campaign, world["campaign_id"])
        campaign.sampling_plan = plan
        sample = db.session.get(SampleList, world["sample_id"])
        reserve = SampleList(campaign_id=campaign.id, name="Dự phòng", method="reserve",
                             parameters={"reserve_for": sample.id})
        first = sample.cases[0]
        for i in range(2):
            db.session.add(SampleCase(sample_list=reserve, unit_id=first.unit_id, stratum=first.stratum,
                                      cluster=first.cluster, label=f"Dự phòng {i + 1}", selection_probability=0.01))
        db.session.flush()
        sample.parameters = {"reserve_list_id": reserve.id}
        db.session.commit()


def _replace(client, auth, world, case_id):
    token = auth.csrf(f"/field/supervision/samples/{world['sample_id']}")
    return client.post(f"/field/supervision/cases/{case_id}/replace", data={"csrf_token": token})


def _set_status(app, case_id, status, visits=0):
    with app.app_context():
        case = db.session.get(SampleCase, case_id)
        case.status = status
        for n in range(visits):
            db.session.add(VisitAttempt(case=case, enumerator_id=case.assignment.enumerator_id,
                                        outcome=status, attempt_number=n + 1))
        db.session.commit()


def test_a_replacement_follows_the_campaign_rule(app, client, field_auth, world):
    _reserve_world(app, world, {"replacement": {"allowed_after": ["refused", "no_contact"], "max_attempts": 3}})
    field_auth.login("supervisor")
    pending, refused, absent = world["cases1"][0], world["cases1"][2], world["cases1"][1]
    early = _replace(client, field_auth.auth, world, pending)
    assert early.status_code == 422 and "Từ chối" in early.get_data(as_text=True)
    _set_status(app, absent, CaseStatus.NO_CONTACT, visits=1)
    too_soon = _replace(client, field_auth.auth, world, absent)
    assert too_soon.status_code == 422 and "3" in too_soon.get_data(as_text=True)
    _set_status(app, refused, CaseStatus.REFUSED, visits=1)
    assert _replace(client, field_auth.auth, world, refused).status_code == 302
    with app.app_context():
        case = db.session.get(SampleCase, refused)
        substitute = db.session.get(SampleCase, case.replaced_by_id)
        assert case.status is CaseStatus.REPLACED and substitute.label == "Dự phòng 1"
        assert (substitute.stratum, substitute.cluster) == (case.stratum, case.cluster)
        assert substitute.assignment.enumerator_id == world["users"]["enum1"]
        assert db.session.get(SampleCase, pending).status is CaseStatus.PENDING
    again = _replace(client, field_auth.auth, world, refused)
    assert again.status_code == 422


def test_no_plan_no_replacement_and_no_reserve_left(app, client, field_auth, world):
    field_auth.login("supervisor")
    case_id = world["cases1"][0]
    _set_status(app, case_id, CaseStatus.REFUSED, visits=1)
    refused = _replace(client, field_auth.auth, world, case_id)
    assert refused.status_code == 422 and "không cho phép thay thế" in refused.get_data(as_text=True)
    _reserve_world(app, world, {"replacement": {"allowed_after": ["refused"]}})
    other = world["cases1"][1]  # another village: the reserve is in the first case's cluster only
    _set_status(app, other, CaseStatus.REFUSED, visits=1)
    empty = _replace(client, field_auth.auth, world, other)
    assert empty.status_code == 422 and "dự phòng" in empty.get_data(as_text=True)
    field_auth.auth.logout()
    field_auth.login("supervisor2")
    assert _replace(client, field_auth.auth, world, case_id).status_code == 403


def _assign(client, auth, world, user, cases):
    token = auth.csrf(f"/field/supervision/samples/{world['sample_id']}")
    return client.post(f"/field/supervision/samples/{world['sample_id']}/assign",
                       data={"csrf_token": token, "enumerator": str(world["users"][user]),
                             "cases": [str(c) for c in cases]})


def test_bulk_assignment_stays_within_areas_and_is_all_or_nothing(app, client, field_auth, world):
    with app.app_context():
        db.session.execute(Assignment.__table__.delete())
        db.session.commit()
    field_auth.login("supervisor")
    mixed = _assign(client, field_auth.auth, world, "enum1", world["cases1"] + world["cases2"][:1])
    assert mixed.status_code == 422 and "Huyện Thử" in mixed.get_data(as_text=True)
    assert _count(app, Assignment) == 0
    ok = _assign(client, field_auth.auth, world, "enum1", world["cases1"])
    assert ok.status_code == 302
    with app.app_context():
        owners = set(db.session.scalars(select(Assignment.enumerator_id)))
        assert owners == {world["users"]["enum1"]} and _count(app, Assignment) == 3
    field_auth.auth.logout()
    field_auth.login("supervisor2")
    assert _assign(client, field_auth.auth, world, "enum2", world["cases1"][:1]).status_code == 403
    assert _assign(client, field_auth.auth, world, "enum1", world["cases2"][:1]).status_code == 422
    page = client.get(f"/field/supervision/samples/{world['sample_id']}").get_data(as_text=True)
    assert "Hộ B 1" in page and "Hộ A 1" not in page
