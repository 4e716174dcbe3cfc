"""The plan and a period's progress report in the administrative form, as PDF (pypdf) and Word
(python-docx): heading, number, motto, section titles, and the task table's lead units in
Vietnamese with their diacritics composed (NFC)."""
from __future__ import annotations

import io
import unicodedata
from datetime import date

import docx
import pypdf
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.plans import ImprovementPlan, TaskProgress
from survey_app.plans import documents, progress

LEADS = ("Sở Tư pháp", "Sở Tài nguyên và Môi trường", "Phường Minh Khai")
SECTIONS = ("I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ, GIẢI PHÁP", "III. TỔ CHỨC THỰC HIỆN")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def docx_text(content: bytes) -> tuple[str, list[list[str]]]:
    """The paragraphs' and the tables' text, and the last table's rows (the appendix)."""
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    return text, [[c.text for c in row.cells] for row in document.tables[-1].rows]


def _plan(code):
    return db.session.scalar(select(ImprovementPlan).where(ImprovementPlan.code == code))


def _check_heading(text: str) -> None:
    assert "ỦY BAN NHÂN DÂN TỈNH HÀ NAM" in text
    assert "Số: 125/KH-UBND" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Hà Nam, ngày 10 tháng 02 năm 2025" in text
    assert "KẾ HOẠCH" in text and "Cải thiện Chỉ số cải cách hành chính năm 2025" in text


def test_the_plan_as_word(demo_app, plan_code):
    with demo_app.test_request_context():
        text, appendix = docx_text(documents.render(_plan(plan_code), "docx"))
    _check_heading(text)
    for title in SECTIONS + ("PHỤ LỤC", "Nơi nhận:"):
        assert title in text
    assert "Chỉ số CCHC đạt từ 85% tổng số điểm trở lên (năm trước: 80,12)" in text
    assert "Quý I năm 2025: gửi báo cáo trước ngày 15/04/2025" in text
    assert "Sở Tư pháp chủ trì thực hiện các nhiệm vụ số 1, 2" in text
    assert appendix[0] == ["STT", "Nhiệm vụ", "Tiêu chí thành phần", "Đơn vị chủ trì", "Đơn vị phối hợp",
                           "Thời hạn", "Điểm dự kiến"]
    leads = [row[3] for row in appendix[1:]]
    assert leads == ["Sở Tư pháp", "Sở Tư pháp", "Sở Tài nguyên và Môi trường", "Phường Minh Khai"]
    assert all(unicodedata.is_normalized("NFC", lead) for lead in leads)
    assert appendix[1][4] == "Sở Tài nguyên và Môi trường" and appendix[1][5] == "30/09/2025"
    assert appendix[1][6] == "0,50"


def test_the_plan_as_pdf(demo_app, plan_code):
    with demo_app.test_request_context():
        content = documents.render(_plan(plan_code), "pdf")
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    _check_heading(text)
    for title in SECTIONS + ("PHỤ LỤC", "Nơi nhận:", "Đơn vị chủ trì", "Điểm dự kiến"):
        assert title in text
    for lead in LEADS:
        assert unicodedata.normalize("NFC", lead) in unicodedata.normalize("NFC", text)
    assert "Nguyễn Văn Chủ Tịch" in text


def test_a_periods_progress_report_counts_statuses_per_lead_unit(demo_app, plan_code, today):
    today(date(2025, 4, 8))
    with demo_app.test_request_context():
        plan = _plan(plan_code)
        editor = db.session.scalar(select(User).where(User.username == "unit_editor"))
        progress.submit(plan.tasks[0], plan.periods[0], editor, TaskProgress.DONE, "Đã ban hành đúng hạn.")
        text, table = docx_text(documents.render(plan, "docx", plan.periods[0]))
        pdf = pdf_text(documents.render(plan, "pdf", plan.periods[0]))
    for found in (" ".join(text.split()), " ".join(pdf.split())):  # the PDF wraps table cells
        assert "BÁO CÁO" in found and "Số: …/BC-UBND" in found and "Quý I năm 2025" in found
        assert "Hoàn thành: 1" in found and "Đã ban hành đúng hạn." in found
    assert "Phường Minh Khai" in text and table[1][2] == "Sở Tư pháp"  # sections by unit name


def test_documents_through_the_pages_and_the_shell(demo_client, demo_auth, demo_app, plan_code, tmp_path):
    demo_auth.login("analyst")
    response = demo_client.get(f"/plans/{plan_code}/document.docx")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith(".docx")
    assert "Phường Minh Khai" in docx_text(response.data)[0]
    assert demo_client.get(f"/plans/{plan_code}/document.odt").status_code == 404
    token = demo_auth.csrf("/account/password")
    assert demo_client.post(f"/plans/{plan_code}/document.pdf", data={"csrf_token": token, "lang": "fr"}).status_code == 400
    job = demo_client.post(f"/plans/{plan_code}/document.pdf", data={"csrf_token": token})
    assert job.status_code == 303 and "/analyst/jobs/" in job.location
    assert "Đã xong." in demo_client.get(job.location).get_data(as_text=True)
    pdf = demo_client.get(job.location + "/download")
    assert pdf.status_code == 200 and pdf.headers["Content-Disposition"].endswith(f"{plan_code}-plan_pdf.pdf")
    assert "Số: 125/KH-UBND" in pdf_text(pdf.data)
    target = tmp_path / "ke-hoach.pdf"
    result = demo_app.test_cli_runner().invoke(args=["plan", "document", plan_code, str(target)])
    assert result.exit_code == 0, result.output
    assert "Sở Tài nguyên và Môi trường" in pdf_text(target.read_bytes())
