"""The index read from the database: no-survey rescaling, survey runs, a merger between two years,
the CLI and the JSON API."""
import json
import re
from decimal import Decimal

import builders
import pytest

from survey_app.extensions import db
from survey_app.index.build import compute_campaign
from survey_app.index.history import compare, previous_campaign
from survey_app.models import Role, ScoringMethod, UnitSuccession


def half(node):
    return node.max_points / 2 if node.method is ScoringMethod.SELF_ASSESSED else 0


def three_quarters(node):
    return node.max_points * Decimal("0.75") if node.method is ScoringMethod.SELF_ASSESSED else 0


def _years(app):
    """2023: communes A, B, X; A and B merge into C in 2024; 2024: C and X. No survey in either."""
    province = builders.unit("P", "province")
    a = builders.unit("A", "commune", province, valid_to=2023)
    b = builders.unit("B", "commune", province, valid_to=2023)
    c = builders.unit("C", "commune", province, valid_from=2024)
    x = builders.unit("X", "commune", province)
    db.session.add_all([UnitSuccession(predecessor=a, successor=c, year=2024),
                        UnitSuccession(predecessor=b, successor=c, year=2024)])
    old = builders.campaign("Y-2023", 2023, province, [a, b, x], level="commune")
    new = builders.campaign("Y-2024", 2024, province, [c, x], level="commune")
    builders.assess(old, a, half, level="commune")
    builders.assess(old, b, builders.full_marks, level="commune")
    builders.assess(old, x, three_quarters, level="commune")
    builders.assess(new, c, three_quarters, level="commune")
    builders.assess(new, x, half, level="commune")
    db.session.commit()
    return old, new


def test_no_survey_campaign_is_rescaled_and_a_merged_unit_compares_with_its_predecessors(app):
    with app.app_context():
        old, new = _years(app)
        before, now = compute_campaign(old, draws=200), compute_campaign(new, draws=200)
        assert not now.has_survey
        assert now.by_code["C"].rescaled and now.by_code["C"].total == pytest.approx(75.0)
        assert before.by_code["A"].total == pytest.approx(50.0) and before.by_code["B"].total == pytest.approx(100.0)
        assert previous_campaign(new).code == "Y-2023"
        merged = compare(now.by_code["C"], before, 2024)
        assert merged["mapping"] == "succession"
        assert [p.code for p in merged["predecessors"]] == ["A", "B"]
        assert merged["percent_before"] == pytest.approx(75.0) and merged["percent_change"] == pytest.approx(0.0)
        assert merged["rank_change"] is None
        same = compare(now.by_code["X"], before, 2024)
        assert same["mapping"] == "same" and same["percent_change"] == pytest.approx(-25.0)
        assert (same["rank_before"], now.by_code["X"].rank, same["rank_change"]) == (2, 2, 0)


def test_survey_run_gives_points_with_se_and_staff_items_stay_pending(app):
    with app.app_context():
        province = builders.unit("P", "province")
        d1, d2 = builders.unit("D1", "department", province), builders.unit("D2", "department", province)
        campaign = builders.campaign("S-2024", 2024, province, [d1, d2])
        builders.assess(campaign, d1, builders.full_marks)
        builders.assess(campaign, d2, builders.full_marks)
        factors = {f"F{i}": (0.80, 0.04) for i in range(1, 6)}
        builders.analysis_run(campaign, {"D1": dict(factors, sat_c09=(0.7, 0.05)),
                                         "D2": dict(factors, sat_c09=(0.7, 0.05), F1=(0.95, 0.01))})
        db.session.commit()
        index = compute_campaign(campaign, draws=500)
        one = index.by_code["D1"]
        leaf = next(x for x in one.leaves if x.code == "8.1.1")  # F1, proportional, 2 points
        assert leaf.points == pytest.approx(1.6) and leaf.points_se == pytest.approx(0.08)
        pending = {x.code: x.reason for x in one.leaves if x.source == "no_survey_result"}
        assert pending == {"8.1.4": "no_estimate", "8.2.1": "questionnaire_not_analysed",
                           "8.2.2": "questionnaire_not_analysed", "8.2.3": "questionnaire_not_analysed"}
        assert one.pending_survey_points == pytest.approx(10.0)
        assert index.by_code["D2"].total - one.total == pytest.approx(2 * 0.15)
        assert (index.by_code["D2"].rank, one.rank) == (1, 2)


def test_cli_and_api_give_the_same_figures(app, client):
    with app.app_context():
        old, new = _years(app)
        builders.user("analyst1", Role.ANALYST, None)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["index", "compute", "Y-2024", "--draws", "200"])
    assert result.exit_code == 0, result.output
    assert re.search(r"1 \(\s*1-1\)\s+C\s+.*75\.00", result.output)
    as_json = json.loads(app.test_cli_runner().invoke(
        args=["index", "compute", "Y-2024", "--draws", "200", "--json"]).output)
    missing = app.test_cli_runner().invoke(args=["index", "compute", "NOPE"])
    assert missing.exit_code != 0 and "Không có đợt đánh giá NOPE." in missing.output
    assert client.get("/api/campaigns/Y-2024/index").status_code == 401  # not published
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "analyst1", "password": builders.PASSWORD, "csrf_token": token})
    api = client.get("/api/campaigns/Y-2024/index").get_json()
    assert [(u["code"], u["total"], u["rank"]) for u in api["units"]] == [
        (u["code"], u["total"], u["rank"]) for u in as_json["units"]] == [("C", 75.0, 1), ("X", 50.0, 2)]
    unit = client.get("/api/campaigns/Y-2024/index/C?target_kind=grade&target=A").get_json()
    assert unit["last_year"]["mapping"] == "succession" and unit["target"]["needed"] == pytest.approx(15.0)
    assert client.get("/api/campaigns/Y-2024/index/C?target_kind=rank&target=9").status_code == 400
    assert client.get("/campaigns/Y-2024/results").status_code == 404  # not published
