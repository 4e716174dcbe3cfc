"""Next year's report carries the plan's results (issue 17, point 5): the PDF of NBH-2025 (the
campaign after HNM-2024, through the merger of the provinces) prints each target of the issued plan
met or not and its tasks' sub-criteria points before → now, as the follow-up computed them."""
import re
import unicodedata
from io import BytesIO

from flask_babel import force_locale

from survey_app.formatting import points
from survey_app.models import PlanStatus
from survey_app.plans.base import plan_by_code
from survey_app.plans.followup import follow_up
from survey_app.plans.report_section import plans_followed_in
from survey_app.queries import campaign_by_code
from tests.plans.conftest import make_issued_plan, remove_plan

HEADING = "Kết quả thực hiện Kế hoạch cải thiện năm 2025"


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader
    pages = PdfReader(BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(p.extract_text() or "" for p in pages)))


def test_only_the_issued_plans_on_last_years_results_are_followed_in_a_report(analysed_2025, plan_code):
    with analysed_2025.app_context():
        make_issued_plan("KH-DRAFT", status=PlanStatus.DRAFT)
        try:
            found = plans_followed_in(campaign_by_code("NBH-2025"))
            assert [plan.code for plan, _f in found] == [plan_code]
            assert plans_followed_in(campaign_by_code("HNM-2024")) == []
        finally:
            remove_plan("KH-DRAFT")


def test_next_years_report_prints_the_targets_and_the_tasks_points(analysed_2025, plan_code):
    from survey_app.reports.render import pdf_bytes
    with analysed_2025.app_context(), force_locale("vi"):
        plan = plan_by_code(plan_code)
        followup = follow_up(plan)
        text = _text(pdf_bytes(campaign_by_code("NBH-2025"), "vi", unit_code="13300"))
        verdicts = {"met": "Đạt", "not_met": "Không đạt", "pending": "Chờ kết quả khảo sát",
                    "unknown": "Không có kết quả để so sánh"}
        rows = [(c.target.unit.name, c.status) for c in followup.targets]
        tasks = [(c.task.title, c.task.lead_unit.name, [f"{x.code}: {points(x.before)} → {points(x.now)}"
                                                        for x in c.criteria]) for c in followup.tasks]
    assert text.count(HEADING) == 1 and "Tạm thời" in text
    assert "Kế hoạch cải thiện Chỉ số CCHC năm 2025 (125/KH-UBND, 10/02/2025)" in text
    assert {"met", "not_met"} & {status for _u, status in rows}, rows  # a target judged from the demo's 2025
    section = text[text.index(HEADING):]
    for unit, status in rows:
        assert unit in section and verdicts[status] in section
    for title, lead, criteria in tasks:
        assert title in section and lead in section
        for before_now in criteria:
            assert before_now in section
