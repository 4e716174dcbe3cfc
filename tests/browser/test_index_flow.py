"""The demo campaign through self-assessment, two appraisal rounds, survey scoring and the index,
clicked through in Chromium on a phone, on its own database; the index table is checked against
a hand computation from the framework file's rules (questionnaires/README.md §2)."""
from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
import yaml
from sqlalchemy import select
from werkzeug.serving import make_server

from survey_app.demo import FRAMEWORK_FILE
from survey_app.extensions import db
from survey_app.models import (AnalysisEstimate, AnalysisRun, AssessmentStatus, Campaign,
                               CampaignUnit, FrameworkNode, Score, SelfAssessment)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EDITOR_UNIT, OTHER_DEPARTMENT, COMMUNE = "35.S02", "35.S01", "13295"


@pytest.fixture(scope="module")
def flow_server(demo_copy):
    """The demo on a fresh database (this test changes it), served on a free port."""
    app = demo_copy("flow", published=False)  # this test plays the year up to its publication
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "HNM-2024"))
        campaign.self_assessment_deadline = date.today() + timedelta(days=10)
        mine = db.session.scalar(select(SelfAssessment).where(SelfAssessment.unit.has(code=EDITOR_UNIT)))
        mine.status = AssessmentStatus.DRAFT
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def sign_in(page, base, username):
    page.goto(base + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo-2024")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def node_id(app, code, level="department"):
    with app.app_context():
        return db.session.scalar(select(FrameworkNode.id).where(FrameworkNode.code == code,
                                                                FrameworkNode.level == level))


def self_assess(page, base, app, tmp_path):
    sign_in(page, base, "unit_editor")
    page.get_by_role("link", name="Sở Tư pháp").click()
    page.fill(f"#p_{node_id(app, '1.1.1')}", "0,5")
    page.get_by_role("button", name="Lưu bản nháp").click()
    assert flash(page) == "Đã lưu bản nháp."
    page.goto(base + f"/units/HNM-2024/{EDITOR_UNIT}/scores/1.1.1")
    evidence = tmp_path / "ke-hoach-cchc.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Tệp tài liệu kiểm chứng (PDF, ảnh hoặc tài liệu văn phòng)").set_input_files(str(evidence))
    page.get_by_role("button", name="Đính kèm").click()
    assert flash(page) == "Đã đính kèm tệp."
    page.get_by_role("link", name="Sở Tư pháp").click()
    page.get_by_role("button", name="Nộp kết quả tự đánh giá").click()
    assert flash(page) == "Đã nộp kết quả tự đánh giá."
    assert page.get_by_role("button", name="Lưu bản nháp").count() == 0  # locked
    sign_out(page)


def council_step(page, base, label, message):
    page.goto(base + "/units/appraisal")
    page.get_by_role("button", name=label).click()
    assert flash(page) == message


def decide(page, base, unit, decision, reason, points=None):
    page.goto(base + f"/units/HNM-2024/{unit}/scores/1.1.1")
    page.get_by_label(decision).check()
    if points is not None:
        page.get_by_label("Điểm thẩm định").fill(points)
    page.get_by_label("Lý do").fill(reason)
    page.get_by_role("button", name="Ghi kết luận").click()
    assert flash(page) == "Đã ghi kết luận."


def recognise_rest(page, base, unit):
    page.goto(base + f"/units/HNM-2024/{unit}")
    page.get_by_label("Lý do").fill("Tài liệu kiểm chứng đầy đủ")
    page.get_by_role("button", name="Công nhận mọi tiêu chí chưa có kết luận").click()
    assert "tiêu chí" in flash(page)


def appraise(page, base, app, tmp_path):
    sign_in(page, base, "appraiser")
    council_step(page, base, "Mở thẩm định lần 1", "Đã mở thẩm định lần 1.")
    decide(page, base, EDITOR_UNIT, "Điều chỉnh điểm", "Kế hoạch ban hành chậm", points="0,25")
    for unit in (EDITOR_UNIT, OTHER_DEPARTMENT, COMMUNE):
        recognise_rest(page, base, unit)
    council_step(page, base, "Chuyển kết quả thẩm định lần 1 cho đơn vị giải trình",
                 "Các đơn vị có thể giải trình và bổ sung tài liệu kiểm chứng.")
    sign_out(page)
    sign_in(page, base, "unit_editor")
    page.goto(base + f"/units/HNM-2024/{EDITOR_UNIT}/scores/1.1.1")
    page.get_by_label("Giải trình ý kiến thẩm định").fill("Kế hoạch ban hành đúng hạn, xem công văn kèm theo")
    page.get_by_role("button", name="Gửi giải trình").click()
    assert flash(page) == "Đã gửi giải trình."
    sign_out(page)
    sign_in(page, base, "appraiser")
    council_step(page, base, "Mở thẩm định lần 2", "Đã mở thẩm định lần 2.")
    decide(page, base, EDITOR_UNIT, "Công nhận điểm tự đánh giá", "Đã giải trình, công nhận")
    assert page.locator("#appraised-points").inner_text() == "0,50"
    history = page.locator("table").last.inner_text()
    assert "appraiser" in history and "0.25 → 0.5" in history
    council_rest(app)
    page.goto(base + "/units/appraisal")
    page.get_by_role("button", name="Kết thúc thẩm định (chính thức)").click()
    page.wait_for_load_state()
    assert "/lifecycle/HNM-2024/advance" in page.url
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "HNM-2024"))
        assert campaign.status.value == "fieldwork"
        assert {a.status for a in db.session.scalars(select(SelfAssessment).where(
            SelfAssessment.campaign_id == campaign.id))} == {AssessmentStatus.LOCKED}
    sign_out(page)


def council_rest(app):
    """The rest of the council decides the other units of round 2 and signs every unit off (the
    guard refuses closing appraisal before that), as their appraisers would on their own pages."""
    from survey_app.campaigns import council, guards
    from survey_app.models import AppraisalRound, User
    from survey_app.units import state

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "HNM-2024"))
        appraiser = db.session.scalar(select(User).where(User.username == "appraiser"))
        final = db.session.scalar(select(AppraisalRound).where(
            AppraisalRound.campaign_id == campaign.id, AppraisalRound.number == state.FINAL_ROUND))
        for assessment in db.session.scalars(select(SelfAssessment).where(
                SelfAssessment.campaign_id == campaign.id)).all():
            guards.recognise_all(assessment, final, appraiser.id, "Hội đồng công nhận", set())
            council.sign_off(campaign, assessment.unit, appraiser, final)


def hand_totals(app, level: str) -> dict[str, float]:
    """Each unit's total, straight from the framework file's rules and the stored rows."""
    spec = yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))["levels"][level]
    leaves = [s for f in spec["fields"] for c in f["criteria"] for s in c["sub_criteria"]]
    with app.app_context():
        run = db.session.scalar(select(AnalysisRun).order_by(AnalysisRun.number.desc()).limit(1))
        estimates = {(e.unit_code, e.statistic, e.variable): e.estimate for e in db.session.scalars(
            select(AnalysisEstimate).where(AnalysisEstimate.run_id == run.id))}
        codes = [cu.unit.code for cu in db.session.scalars(select(CampaignUnit))
                 if cu.framework_level == level]
        totals = {}
        for code in codes:
            scores = {s.node.code: s for s in db.session.scalars(
                select(Score).join(SelfAssessment).where(SelfAssessment.unit.has(code=code)))}
            total = 0.0
            for leaf in leaves:
                method, maximum = leaf.get("method", "self_assessed"), float(leaf["max_points"])
                if method == "survey":
                    survey = leaf["survey"]
                    variable = survey.get("factor") or (f"sat_{survey['criterion']}" if survey.get("criterion")
                                                        else survey.get("item"))
                    value = estimates.get((code, survey["indicator"], variable))
                    if value is None:
                        continue
                    # a share on 0-100; a mean score on the 1-5 scale as (mean - 1) / 4 on 0-100
                    percent = 100 * value if survey["indicator"] == "pct_satisfied" else 25 * (value - 1)
                    if survey["conversion"] == "proportional":
                        total += maximum * percent / 100
                    else:
                        total += next(t["points"] for t in survey["thresholds"] if percent >= t["min"])
                    continue
                score = scores[leaf["code"]]
                value = float(score.appraised_points if score.appraised_points is not None else score.self_points)
                total += {"bonus": min(value, maximum), "penalty": -min(value, maximum)}.get(method, value)
            totals[code] = min(max(total, 0.0), 100.0)
    return totals


def shown(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_demo_campaign_from_self_assessment_to_the_published_index(page, flow_server, tmp_path):
    app, base = flow_server
    self_assess(page, base, app, tmp_path)
    appraise(page, base, app, tmp_path)
    result = app.test_cli_runner().invoke(args=["analyse", "HNM-2024"])
    assert result.exit_code == 0, result.output
    sign_in(page, base, "analyst")
    page.goto(base + "/analyst/campaigns/HNM-2024/index")
    departments, communes = hand_totals(app, "department"), hand_totals(app, "commune")
    for level, totals in (("department", departments), ("commune", communes)):
        ordered = sorted(totals.values(), reverse=True)
        for code in (EDITOR_UNIT, OTHER_DEPARTMENT) if level == "department" else (COMMUNE,):
            row = page.locator(f"#ranked-{level} tr[data-unit='{code}']")
            cells = row.locator("td").all_inner_texts()
            rank = 1 + sum(round(t, 2) > round(totals[code], 2) for t in ordered)
            klass = next(c for c, m in (("A", 90), ("B", 80), ("C", 70), ("D", 0)) if round(totals[code], 2) >= m)
            assert cells[0] == str(rank)
            # the points and their simulated interval, asymmetric: its bounds under its name, never "± SE"
            assert cells[3] == shown(totals[code])
            low_points, high_points = (float(x.replace(",", ".")) for x in cells[4].split(" – "))
            assert low_points <= round(totals[code], 2) + 0.01 and high_points >= round(totals[code], 2) - 0.01
            assert " ± " not in " ".join(cells)
            assert cells[5] == shown(totals[code]) + "%"
            assert cells[6].startswith(klass)
            low, high = (int(x) for x in re.split("[–-]", cells[1]))
            assert low <= rank <= high
    assert "Khoảng mô phỏng 95%" in page.locator(f"#ranked-department thead").inner_text()
    page.get_by_role("link", name="Sở Tư pháp").click()
    assert "Kế hoạch cải thiện" in page.locator("h2").all_inner_texts()
    assert re.fullmatch(rf"{re.escape(shown(departments[EDITOR_UNIT]))} \(khoảng mô phỏng 95%: [\d,]+ – [\d,]+\)",
                        page.locator("#points").inner_text())
    assert re.fullmatch(r"\d+ / \d+ \(khoảng mô phỏng 95%: \d+ – \d+\)", page.locator("#rank").inner_text())
    page.get_by_label("Mục tiêu").select_option("grade")
    page.get_by_label("Giá trị (ví dụ 80, A hoặc 5)").fill("A")
    page.get_by_role("button", name="Tính").click()
    needed = 90 - round(departments[EDITOR_UNIT], 2)
    assert shown(needed) in page.locator("#plan-result").inner_text()
    page.goto(base + "/analyst/campaigns/HNM-2024/index")
    page.get_by_role("link", name="Công bố kết quả").click()
    page.get_by_label("Số quyết định (ví dụ 123/QĐ-UBND)").fill("123/QĐ-UBND")
    page.get_by_label("Ngày quyết định (dd/mm/yyyy)").fill("28/03/2025")
    page.get_by_label("Người ký").fill("Chủ tịch UBND tỉnh")
    page.set_default_navigation_timeout(600_000)  # publishing renders the 54 units' report (a minute or more)
    page.get_by_role("button", name="Công bố").click(timeout=600_000)
    assert page.locator("[role=status]").inner_text().strip() == "Đã xong."
    sign_out(page)
    page.goto(base + "/campaigns/HNM-2024/results")
    assert page.locator("h1").inner_text() == "Kết quả Chỉ số CCHC"
    assert "123/QĐ-UBND" in page.locator("#publication").inner_text()
    row = page.locator(f"#ranked-department tr[data-unit='{EDITOR_UNIT}']").locator("td").all_inner_texts()
    assert row[3].startswith(shown(departments[EDITOR_UNIT]))
