"""Letters per sampled case, end to end on the fieldwork world: ``flask invitations issue``, the
letter addressed to the household, the post office's CSV, the enumerator's sheet, a letter
answered after the enumerator's interview, and the report's table of collection modes."""
from __future__ import annotations

import csv
import io
import re

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (AdminUnit, CampaignUnit, Invitation, SampleCase, Submission,
                               SubmissionConflict)
from survey_app.models.fieldwork import CASE_COMPLETED
from tests.conftest import csrf_token
from tests.field.world import bearer, build_world, interview
from tests.public.walker import tok, walk
from tests.reports.test_report_pdf import text_of

CAMPAIGN = "TST-2024"
API = "/api/field/submissions"


def _world(app) -> dict:
    with app.app_context():
        return build_world(sipas=True)


def _codes(app) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(select(Invitation.case_id, Invitation.code)).all())


def _issue(runner, *extra):
    return runner.invoke(args=["invitations", "issue", CAMPAIGN, *extra])


def test_issue_gives_one_code_per_sampled_case_once(app, runner):
    world = _world(app)
    first = _issue(runner, "--unit", "347")
    assert first.exit_code == 0, first.output
    assert "3 codes for sampled cases in TST-2024 (347 Thành phố Thử)" in first.output
    assert set(_codes(app)) == set(world["cases1"])
    rest = _issue(runner)
    assert rest.exit_code == 0 and "3 codes for sampled cases" in rest.output
    again = _issue(runner)
    assert again.exit_code == 0 and "0 codes for sampled cases" in again.output
    codes = _codes(app)
    assert set(codes) == set(world["cases1"] + world["cases2"]) and len(set(codes.values())) == 6


def test_issue_refuses_an_unknown_unit_in_vietnamese_and_issues_nothing(app, runner):
    _world(app)
    result = _issue(runner, "--unit", "99999")
    assert result.exit_code != 0
    assert "không có đơn vị nào mang mã “99999” trong năm 2024" in result.output
    assert _codes(app) == {}


def test_the_letter_and_the_post_office_csv_name_the_household(app, runner, tmp_path):
    world = _world(app)
    assert _issue(runner, "--unit", "347").exit_code == 0
    letters = tmp_path / "letters.pdf"
    result = runner.invoke(args=["letters", CAMPAIGN, "--base-url", "https://khaosat.example.vn",
                                 "-o", str(letters)])
    assert result.exit_code == 0, result.output
    text = text_of(letters)
    for number in (1, 2, 3):
        assert f"Kính gửi hộ gia đình: Hộ A {number}" in text
    assert "Số 2, Thôn 2" in text and "Hộ B" not in text
    target = tmp_path / "codes.csv"
    assert runner.invoke(args=["invitations", "export", CAMPAIGN, "-o", str(target)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))
    codes = _codes(app)
    by_code = {r["code"]: r for r in rows}
    first = by_code[codes[world["cases1"][0]]]
    assert (first["household"], first["address"], first["unit_code"]) == ("Hộ A 1", "Số 1, Thôn 1", "347")
    assert sorted(r["household"] for r in rows) == ["Hộ A 1", "Hộ A 2", "Hộ A 3"]


def test_the_enumerators_sheet_says_which_cases_have_a_letter(app, runner, tmp_path):
    world = _world(app)
    with app.app_context():
        from survey_app.invitations.cases import issue_for_cases, switch_to_door
        from survey_app.models import Campaign
        issue_for_cases(db.session.get(Campaign, world["campaign_id"]),
                        db.session.get(AdminUnit, world["units"]["d1"]))
        switch_to_door(db.session.get(SampleCase, world["cases1"][2]))
    target = tmp_path / "sheets.pdf"
    result = runner.invoke(args=["sheets", CAMPAIGN, "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = text_of(target)
    enum1, enum2 = text.split("Enum2")
    assert enum1.count("đã gửi thư") == 2 and enum1.count("đã thu hồi: phỏng vấn tại nhà") == 1
    assert "đã gửi thư" not in enum2 and "Hộ B 1" in enum2


def _answered_by_letter(app, world, case_index) -> dict:
    """A household answers its letter (the whole SIPAS questionnaire); returns its answers,
    which the enumerator then gives at another door."""
    walk(app.test_client(), _codes(app)[world["cases1"][case_index]])
    with app.app_context():
        return dict(db.session.scalar(select(Submission.answers).order_by(Submission.id.desc()).limit(1)))


def _interview_at_the_door(client, world, answers, case_index=0):
    payload = interview(world, case_index)
    payload["answers"] = answers
    return client.post(API, json=payload, headers=bearer(world["token1"]))


def test_a_letter_not_yet_started_opens_the_door_page_once_the_enumerator_has_interviewed(app, client, runner):
    world = _world(app)
    _issue(runner)
    answers = _answered_by_letter(app, world, 1)
    assert _interview_at_the_door(client, world, answers).status_code in (200, 201)
    page = app.test_client().get(f"/q/{_codes(app)[world['cases1'][0]]}")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "Hộ gia đình được phỏng vấn tại nhà" in html and "Mã này không còn mở được phiếu hỏi" in html


def test_a_household_that_had_started_sends_its_answers_and_they_are_kept_aside(app, client, runner):
    world = _world(app)
    _issue(runner)
    code = _codes(app)[world["cases1"][0]]
    household = app.test_client()
    check = walk(household, code, send=False)
    answers = _answered_by_letter(app, world, 1)
    assert _interview_at_the_door(client, world, answers).status_code in (200, 201)
    sent = household.post(check, data={"csrf_token": tok(household.get(check).get_data(as_text=True))})
    assert sent.status_code == 409
    assert "Điều tra viên đã phỏng vấn hộ gia đình Ông/Bà" in sent.get_data(as_text=True)
    with app.app_context():
        [stored] = db.session.scalars(select(Submission).where(Submission.case_id == world["cases1"][0])).all()
        [kept] = db.session.scalars(select(SubmissionConflict)).all()
        assert stored.channel.value != "invitation" and kept.enumerator_id is None
        assert (kept.reason, kept.submission_id) == (CASE_COMPLETED, stored.id)
        assert db.session.scalar(select(Invitation.used_at).where(Invitation.code == code)) is None
    assert household.get(f"/q/{code}").status_code == 410  # the household now sees the door page


def test_the_reports_methodology_counts_each_mode_per_unit(app, client, runner, field_auth):
    world = _world(app)
    with app.app_context():
        for key, target in (("d1", 3), ("d2", 3)):
            db.session.add(CampaignUnit(campaign_id=world["campaign_id"], unit_id=world["units"][key],
                                        framework_level="district", target_sample=target))
        db.session.commit()
    _issue(runner, "--unit", "347")
    answers = _answered_by_letter(app, world, 1)
    assert _interview_at_the_door(client, world, answers).status_code in (200, 201)
    field_auth.login("analyst")
    page = client.get(f"/analyst/campaigns/{CAMPAIGN}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    modes = html.split('class="sample modes"')[1].split("</table>")[0]
    rows = {name: re.findall(r'<td class="num">([^<]*)</td>', cells)
            for name, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', modes, re.S)}
    # letters, answered by letter, letter rate, interviews, interview rate, open-link answers
    assert rows["Thành phố Thử"] == ["3", "1", "33,3%", "1", "100,0%", "0"], rows
    assert rows["Huyện Thử"][0] == "0" and rows["Huyện Thử"][3] == "0"
    warning = "Câu trả lời qua đường dẫn mở đến từ những người tự chọn tham gia"
    assert warning in html.split('class="sample modes"')[1]
    field_auth.auth.logout()
    field_auth.login("supervisor")
    dashboard = client.get("/field/supervision").get_data(as_text=True)
    assert "Theo hình thức thu thập" in dashboard and warning in dashboard
    with app.app_context():
        assert db.session.scalar(select(func.count(Submission.id))) == 2


def _ready_for_analysis(app, world) -> None:
    """The world's campaign scores SIPAS (the shipped framework's rule) and its district 347 has
    an adult population by sex and age group, the weighting targets."""
    import yaml

    from survey_app.models import Campaign, UnitPopulation
    from tests.invitations.conftest import FRAMEWORK
    rule = yaml.safe_load(FRAMEWORK.read_text("utf-8"))["satisfaction"]
    with app.app_context():
        campaign = db.session.get(Campaign, world["campaign_id"])
        campaign.framework.settings = {"satisfaction": rule}
        db.session.add_all(UnitPopulation(unit_id=world["units"]["d1"], year=2024, sex=sex, age_group=age,
                                          count=1000) for sex in ("male", "female")
                           for age in ("18_29", "30_44", "45_59", "60_plus"))
        db.session.commit()


def test_flask_analyse_counts_the_letter_with_its_cases_weight_beside_the_interview(app, client, runner):
    from survey_app.models import AnalysisRun
    from survey_app.survey_analysis.table import build_table
    from survey_app.models import Campaign
    world = _world(app)
    _ready_for_analysis(app, world)
    _issue(runner, "--unit", "347")
    answers = _answered_by_letter(app, world, 1)
    varied = {k: ("5" if int(k[-2:]) % 2 else v) if k.startswith("sat_c") else v for k, v in answers.items()}
    assert _interview_at_the_door(client, world, varied).status_code in (200, 201)  # not straight-lined
    result = runner.invoke(args=["analyse", CAMPAIGN])
    assert result.exit_code == 0, result.output
    assert "2 respondents" in result.output and "outside_sample_design" not in result.output
    with app.app_context():
        run = db.session.scalar(select(AnalysisRun))
        assert run.respondents == 2 and "outside_sample_design" not in run.exclusions
        modes = run.weighting["modes"]
        assert {mode: row["respondents"] for mode, row in modes.items()} == {"interview": 1, "self_completed": 1}
        # both households have the design weight 1 / 0.01, raked together to the district's 8,000 adults
        assert modes["self_completed"]["weight"] == modes["interview"]["weight"] == 4000.0
        table = build_table(db.session.get(Campaign, world["campaign_id"]), "sipas_citizen").data
        letter = table[table["mode"] == "self_completed"].iloc[0]
        assert letter["selection_probability"] == 0.01 and letter["unit_code"] == "347"
        assert sorted(table["mode"]) == ["interview", "self_completed"]
