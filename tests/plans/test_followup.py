"""The follow-up with the demo's 2025 results: NBH-2025 analysed (its latest run, unpublished, so the
follow-up is provisional), a merged commune (13285 → 13300 with 13291 and 13297) and a department
(Sở Tư pháp 35.S02 → 37.S02) each judged on every target; tasks' sub-criteria compared point by point."""
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.index.build import compute_campaign
from survey_app.models import Campaign
from survey_app.plans.base import base_index
from survey_app.plans.followup import follow_up
from survey_app.plans.national import enter_result
from survey_app.plans.targets import add_target, survey_percent
from survey_app.plans.tasks import draft_tasks
from tests.plans.conftest import make_plan

TARGETS = [("13285", "index_percent", "80", ""), ("13285", "grade", "A", ""), ("13285", "rank", "5", ""),
           ("35.S02", "index_percent", "95", ""), ("35.S02", "rank", "5", ""), ("35.S02", "places_gained", "1", ""),
           ("35.S02", "field_percent", "80", "3"), ("35.S02", "survey_indicator", "85", "")]


def _expected(kind, value, now, index, base_rank):
    if kind == "index_percent":
        return now.percent >= float(value)
    if kind == "grade":
        return now.percent >= 90  # class A: at least 90%
    if kind == "rank":
        return now.rank <= int(value)
    if kind == "places_gained":
        return base_rank - now.rank >= int(value)
    if kind == "field_percent":
        code, _, maximum = next(f for f in now.fields if f[0] == "3")
        return 100 * now.field_points[code] / maximum >= float(value)
    return survey_percent(index.run, now.code, "overall") >= float(value)


def test_followup_judges_each_target_of_a_merged_commune_and_a_department(analysed_2025, demo_plans):
    with demo_plans.app_context():
        plan = make_plan()
        for unit, kind, value, subject in TARGETS:
            add_target(plan, unit, kind, value, subject)
        add_target(plan, "35", "national_rank", "20", national_index="par_index")
        enter_result(index="par_index", year="2025", province="Ninh Bình", score="86,1", rank="14", group="")
        draft_tasks(plan, "chosen", ["13285", "35.S02"], per_unit=3)
        found = follow_up(plan)
        index = compute_campaign(db.session.scalar(select(Campaign).where(Campaign.code == "NBH-2025")), draws=50)
        base_rank = base_index(plan).by_code["35.S02"].rank
        assert found.campaign.code == "NBH-2025" and found.provisional
        checks = {(c.target.unit.code, c.target.kind.value): c for c in found.targets}
        merged = checks[("13285", "index_percent")].followed
        assert merged.result.code == "13300" and merged.mapping == "merged" and merged.partners == ["13291", "13297"]
        assert checks[("35.S02", "rank")].followed.result.code == "37.S02"
        for unit, kind, value, _ in TARGETS:
            check = checks[(unit, kind)]
            now = index.by_code[check.followed.result.code]
            assert check.status == ("met" if _expected(kind, value, now, index, base_rank) else "not_met"), (unit, kind)
        assert {c.status for c in found.targets} >= {"met", "not_met"}
        merged_places = add_target(plan, "13285", "places_gained", "1")
        assert follow_up(plan).targets[-1].target.id == merged_places.id
        assert follow_up(plan).targets[-1].status == "unknown"  # ranks of other sets after the merger
        assert checks[("35", "national_rank")].status == "met" and checks[("35", "national_rank")].actual == 14
        for task in found.tasks:
            for item in task.criteria:
                followed = index.by_code["13300" if item.unit.code == "13285" else "37.S02"]
                leaf = next(x for x in followed.leaves if x.code == item.code)
                assert item.now == leaf.counted and item.gained == round(leaf.counted - item.before, 4)
            assert task.status in ("met", "not_met")


def test_the_plan_page_and_the_api_show_the_followup(analysed_2025, demo_plans, demo_client, demo_auth):
    with demo_plans.app_context():
        plan = make_plan()
        add_target(plan, "13285", "index_percent", "50")
        add_target(plan, "35.S02", "index_percent", "99")
    demo_auth.login("analyst")
    page = demo_client.get("/plans/KH-TEST-2025").get_data(as_text=True)
    assert 'id="provisional"' in page and "kết quả này chưa được công bố" in page
    assert "sáp nhập vào Phường" in page and "13291, 13297" in page
    assert 'data-unit="13285" data-kind="index_percent" data-status="met"' in page
    assert 'data-unit="35.S02" data-kind="index_percent" data-status="not_met"' in page
    api = demo_client.get("/api/plans/KH-TEST-2025/followup").get_json()
    assert api["campaign"] == "NBH-2025" and api["provisional"] is True
    assert [(t["unit"], t["followed_as"], t["status"]) for t in api["targets"]] == [
        ("13285", "13300", "met"), ("35.S02", "37.S02", "not_met")]
