"""The stored index (:mod:`survey_app.results.stored`): equal to a fresh computation, recomputed once
when an appraisal decision changes a score (never a stale page), and a publication's figures kept
when a later analysis run moves the draft."""
import re
from datetime import date
from decimal import Decimal

import builders
import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.index.build import compute_campaign
from survey_app.index.export import campaign_json
from survey_app.models import CampaignStatus, Role, Score, ScoringMethod, StoredIndex
from survey_app.queries import campaign_by_code
from survey_app.results import official, stored

FACTORS = {f"F{i}": (0.80, 0.04) for i in range(1, 6)}
DRAWS = 300


def _campaign(app):
    """S-2024: three departments self-assessed (D3 not yet appraised), a survey run, an analyst."""
    with app.app_context():
        province = builders.unit("P", "province")
        members = [builders.unit(code, "department", province) for code in ("D1", "D2", "D3")]
        campaign = builders.campaign("S-2024", 2024, province, members, status=CampaignStatus.ANALYSIS)
        builders.assess(campaign, members[0], builders.full_marks, appraised=builders.full_marks)
        builders.assess(campaign, members[1], builders.full_marks, appraised=builders.full_marks)
        builders.assess(campaign, members[2], builders.full_marks)
        builders.analysis_run(campaign, {"D1": FACTORS, "D2": dict(FACTORS, F1=(0.95, 0.01)),
                                         "D3": dict(FACTORS, F2=(0.6, 0.08))})
        builders.user("analyst1", Role.ANALYST, None)
        db.session.commit()


def points(value: float) -> str:
    """A total as the Vietnamese pages print it (``87,60``)."""
    return f"{value:.2f}".replace(".", ",")


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredIndex))


def test_stored_figures_equal_a_fresh_computation_and_are_read_back_without_computing(app, monkeypatch):
    _campaign(app)
    with app.app_context():
        campaign = campaign_by_code("S-2024")
        first = stored.draft_index(campaign, draws=DRAWS)
        assert _rows() == 1
        fresh = compute_campaign(campaign_by_code("S-2024"), draws=DRAWS)
        monkeypatch.setattr(stored, "compute_campaign", lambda *a, **k: pytest.fail("computed again"))
        again = stored.draft_index(campaign_by_code("S-2024"), draws=DRAWS)
        assert again.units == fresh.units == first.units  # every figure, interval and sub-criterion
        assert (again.levels, again.classes, again.has_survey, again.run.id) == (
            fresh.levels, fresh.classes, fresh.has_survey, fresh.run.id)
        assert campaign_json(again, leaves=True) == campaign_json(fresh, leaves=True)
        assert {u.code: u.rank for u in again.units} == {"D1": 2, "D2": 1, "D3": 3}
        best = again.by_code["D2"]
        assert best.rank_low is not None and best.ci_low < best.total < best.ci_high


def test_the_demo_index_read_back_from_its_stored_figures_equals_a_fresh_computation(demo_app, monkeypatch):
    with demo_app.app_context():
        campaign = campaign_by_code("HNM-2024")
        stored.draft_index(campaign)  # stored by the demo's analysis run, or now if a test removed it
        found = db.session.scalar(select(StoredIndex).where(StoredIndex.campaign_id == campaign.id))
        assert found is not None and found.run_id == official.counted_run(campaign, draft=True).id
        fresh = compute_campaign(campaign)
        monkeypatch.setattr(stored, "compute_campaign", lambda *a, **k: pytest.fail("computed again"))
        assert stored.draft_index(campaign).units == fresh.units
        printed = demo_app.test_cli_runner().invoke(args=["index", "compute", "HNM-2024"])
        assert printed.exit_code == 0 and f"analysis run {fresh.run.number}" in printed.output


def _lower(code: str, node_code: str, by: Decimal) -> None:
    """The council lowers one appraised score of ``code`` (an appraisal decision)."""
    score = next(s for s in db.session.scalars(select(Score)) if s.assessment.unit.code == code
                 and s.node.code == node_code)
    score.appraised_points = score.appraised_points - by
    db.session.commit()


def _row(client, unit: str) -> str:
    html = client.get("/analyst/campaigns/S-2024/index").get_data(as_text=True)
    row = re.search(rf'<tr data-unit="{unit}">(.*?)</tr>', html, re.S).group(1)
    return row


def test_an_appraisal_decision_shows_on_every_page_at_once(app, client, auth):
    _campaign(app)
    auth.login("analyst1", builders.PASSWORD)
    with app.app_context():
        before = stored.draft_index(campaign_by_code("S-2024")).by_code["D1"].total
        node = next(n for n in builders.self_nodes(campaign_by_code("S-2024"))
                    if n.method is ScoringMethod.SELF_ASSESSED and n.max_points >= 1)
        assert _rows() == 1
    assert points(before) in _row(client, "D1")
    api = client.get("/api/campaigns/S-2024/index").get_json()
    assert {u["code"]: u["total"] for u in api["units"]}["D1"] == pytest.approx(before, abs=1e-4)

    with app.app_context():
        _lower("D1", node.code, Decimal("1"))
    row = _row(client, "D1")
    assert points(before - 1) in row and points(before) not in row
    api = client.get("/api/campaigns/S-2024/index").get_json()
    assert {u["code"]: u["total"] for u in api["units"]}["D1"] == pytest.approx(before - 1, abs=1e-4)
    profile = client.get("/analyst/campaigns/S-2024/index/D1").get_data(as_text=True)
    assert points(before - 1) in profile
    printed = app.test_cli_runner().invoke(args=["index", "compute", "S-2024"])
    assert re.search(rf"D1\s+.*{before - 1:6.2f}", printed.output), printed.output
    with app.app_context():
        campaign = campaign_by_code("S-2024")
        assert _rows() == 1  # recomputed once, replacing the stale figures
        assert stored.draft_index(campaign).units == compute_campaign(campaign).units


def test_a_read_inside_unsaved_work_computes_but_neither_stores_nor_commits_it(app):
    _campaign(app)
    with app.app_context():
        campaign = campaign_by_code("S-2024")
        campaign.title = "Chưa lưu"
        db.session.flush()
        assert stored.draft_index(campaign, draws=DRAWS).by_code["D2"].rank == 1
        assert _rows() == 0
        db.session.rollback()
        assert campaign_by_code("S-2024").title == "Chiến dịch S-2024" and _rows() == 0


def test_a_publication_keeps_its_figures_after_a_later_analysis_run(app, client):
    from survey_app.campaigns.publication import publish
    _campaign(app)
    with app.app_context():
        published = publish(campaign_by_code("S-2024"), "5/QĐ-UBND", date(2025, 3, 1), "Chủ tịch",
                            render_report=False)
        document = published.document
        assert document == campaign_json_of(official.campaign_index(campaign_by_code("S-2024"), draft=True))
    public = client.get("/api/campaigns/S-2024/index").get_json()
    with app.app_context():
        run = builders.analysis_run(campaign_by_code("S-2024"), {"D1": FACTORS, "D2": FACTORS, "D3": FACTORS})
        run.number = 2
        db.session.commit()
        campaign = campaign_by_code("S-2024")
        draft = official.campaign_index(campaign, draft=True)
        assert draft.run.number == 2 and draft.by_code["D2"].total < public_total(public, "D2")
        shown = official.campaign_index(campaign)
        assert shown.publication.version == 1 and shown.run.number == 1
        assert [(u.code, u.total, u.rank, u.ci_low, u.ci_high) for u in shown.units] == [
            (u["code"], u["total"], u["rank"], *u["ci"]) for u in document["units"]]
    assert client.get("/api/campaigns/S-2024/index").get_json() == public
    page = client.get("/campaigns/S-2024/results").get_data(as_text=True)
    row = re.search(r'<tr data-unit="D2">(.*?)</tr>', page, re.S).group(1)
    assert points(public_total(public, "D2")) in row


def campaign_json_of(index) -> dict:
    from survey_app.results.frozen import document
    return document(index)


def public_total(document: dict, code: str) -> float:
    return next(u["total"] for u in document["units"] if u["code"] == code)
