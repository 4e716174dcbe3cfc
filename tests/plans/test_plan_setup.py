"""A new plan comes with its reporting periods (chosen on the form or the command line); the pages
link into each other (no orphan page); the national indices are named from one table."""
from datetime import date

import pytest

from survey_app.models import NationalIndex, PeriodKind, TargetKind
from survey_app.plans.base import PlanRefused, plan_by_code
from tests.plans.conftest import make_plan

FORM = {"campaign": "HNM-2024", "year": "2025", "title": "Kế hoạch cải thiện 2025",
        "issuing_body": "Ủy ban nhân dân tỉnh Hà Nam", "number": "", "issued_on": "", "signer": "",
        "purpose": "Mục đích", "organisation": "Tổ chức"}


def _periods(app, code):
    with app.app_context():
        return [(p.kind, p.label, p.due_on) for p in plan_by_code(code).periods]


def test_the_service_makes_quarters_and_the_year_unless_told_otherwise(demo_plans):
    with demo_plans.app_context():
        make_plan("KH-DEFAULT")
        from survey_app.plans.plans import create_plan
        create_plan("HNM-2024", "KH-HALF", period_kinds=["half_year"], due_day=5)
        for kinds, day, message in (([], 15, "Chọn quý, 6 tháng hoặc năm."),
                                    (["month"], 15, "Chọn quý, 6 tháng hoặc năm."),
                                    (["year"], 31, "Ngày hạn báo cáo phải từ 1 đến 28."),
                                    (["year"], "x", "Ngày hạn báo cáo phải từ 1 đến 28.")):
            with pytest.raises(Exception) as refused:
                create_plan("HNM-2024", "KH-BAD", period_kinds=kinds, due_day=day)
            assert refused.value.message == message and plan_by_code("KH-BAD") is None
    labels = [label for _k, label, _d in _periods(demo_plans, "KH-DEFAULT")]
    assert labels == ["Quý I năm 2025", "Quý II năm 2025", "Quý III năm 2025", "Quý IV năm 2025", "Năm 2025"]
    assert _periods(demo_plans, "KH-DEFAULT")[0][2] == date(2025, 4, 15)
    assert _periods(demo_plans, "KH-HALF") == [
        (PeriodKind.HALF_YEAR, "6 tháng đầu năm 2025", date(2025, 7, 5)),
        (PeriodKind.HALF_YEAR, "6 tháng cuối năm 2025", date(2026, 1, 5))]


def test_the_new_plan_form_chooses_the_periods_and_keeps_them_on_a_refusal(demo_plans, demo_client, demo_auth):
    demo_auth.login("analyst")
    page = demo_client.get("/plans/new?campaign=HNM-2024").get_data(as_text=True)
    assert 'value="quarter" checked' in page and 'value="year" checked' in page
    assert 'value="half_year">' in page and 'name="due_day" min="1" max="28" value="15"' in page
    bad = demo_client.post("/plans/new", data={**FORM, "code": "KH-P1", "kind": ["half_year"], "due_day": "40",
                                               "csrf_token": demo_auth.csrf("/plans/new")})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Ngày hạn báo cáo phải từ 1 đến 28." in text
    assert 'value="half_year" checked' in text and 'value="quarter">' in text and 'value="40"' in text
    none = demo_client.post("/plans/new", data={**FORM, "code": "KH-P1", "due_day": "10",
                                                "csrf_token": demo_auth.csrf("/plans/new")})
    assert none.status_code == 422 and "Chọn quý, 6 tháng hoặc năm." in none.get_data(as_text=True)
    made = demo_client.post("/plans/new", data={**FORM, "code": "KH-P1", "kind": ["half_year", "year"],
                                                "due_day": "10", "csrf_token": demo_auth.csrf("/plans/new")})
    assert made.status_code == 302
    assert [(k.value, d) for k, _l, d in _periods(demo_plans, "KH-P1")] == [
        ("half_year", date(2025, 7, 10)), ("half_year", date(2026, 1, 10)), ("year", date(2026, 1, 10))]


def test_the_create_command_takes_the_periods_and_the_due_day(demo_plans):
    runner = demo_plans.test_cli_runner()
    made = runner.invoke(args=["plan", "create", "HNM-2024", "--code", "KH-C1", "--periods", "year",
                               "--due-day", "20"])
    assert made.exit_code == 0 and "Kỳ báo cáo: Năm 2025." in made.output
    assert _periods(demo_plans, "KH-C1") == [(PeriodKind.YEAR, "Năm 2025", date(2026, 1, 20))]
    default = runner.invoke(args=["plan", "create", "HNM-2024", "--code", "KH-C2"])
    assert default.exit_code == 0 and "Quý I năm 2025, Quý II năm 2025" in default.output
    assert len(_periods(demo_plans, "KH-C2")) == 5
    bad = runner.invoke(args=["plan", "create", "HNM-2024", "--code", "KH-C3", "--due-day", "0"])
    assert bad.exit_code == 1 and "Ngày hạn báo cáo phải từ 1 đến 28." in bad.output
    with demo_plans.app_context():
        assert plan_by_code("KH-C3") is None


def test_the_pages_link_into_each_other(plan_code, demo_client, demo_auth):
    demo_auth.login("analyst")
    plans = demo_client.get("/plans/").get_data(as_text=True)
    assert f'href="/plans/{plan_code}/dashboard"' in plans and 'href="/plans/progress"' in plans
    page = demo_client.get(f"/plans/{plan_code}").get_data(as_text=True)
    for path in ("periods", "dashboard", "document.docx", "document.pdf"):
        assert f'"/plans/{plan_code}/{path}"' in page, path
    demo_auth.logout()
    demo_auth.login("unit_editor")
    home = demo_client.get("/units/").get_data(as_text=True)
    assert 'href="/plans/my-tasks"' in home and 'href="/plans/progress"' in home
    tasks = demo_client.get("/plans/my-tasks").get_data(as_text=True)
    assert f'href="/plans/{plan_code}/progress"' in tasks


def test_the_national_indices_are_named_from_one_table(demo_plans):
    from flask_babel import force_locale

    from survey_app.plans import documents, national
    from survey_app.plans.forms import TargetForm
    assert {national.index_named(n) for n in ("PAR INDEX", "Chỉ số CCHC", "par_index")} == {NationalIndex.PAR_INDEX}
    assert [national.index_named(n) for n in ("sipas", "PAPI", "pci", "vnpi")] == [
        NationalIndex.SIPAS, NationalIndex.PAPI, NationalIndex.PCI, None]
    assert set(national.INDICES) == set(NationalIndex)
    with demo_plans.test_request_context(), force_locale("vi"):
        assert national.label(NationalIndex.PAR_INDEX) == "Chỉ số CCHC (Bộ Nội vụ)"
        choices = [str(c.label) for c in TargetForm().national_index.choices]
        assert choices[1:] == [national.label(n) for n in NationalIndex]
        target = type("T", (), {"kind": TargetKind.NATIONAL_RANK, "value": "35", "subject": None, "baseline": None,
                                "national_index": NationalIndex.PAPI})()
        assert documents.target_text(target) == f"{national.name_in_text(NationalIndex.PAPI)} xếp hạng thứ 35 " \
                                                "trở lên trong cả nước"
        assert national.name_in_text(NationalIndex.PAPI) == "Chỉ số PAPI"
