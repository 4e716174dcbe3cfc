"""The demo campaign's PDF report: every page has content, the text layer holds Vietnamese exactly,
the shipped font is embedded, free text stays text; ``flask report`` and its errors."""
from __future__ import annotations

import re
import subprocess
import time
import unicodedata

import numpy as np
import pytest
from babel.numbers import format_decimal
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import CaseStatus, SampleCase, SampleList
from survey_app.queries import campaign_by_code, campaign_units
from survey_app.reports.render import pdf_bytes
from tests.reports.conftest import HOSTILE

pytestmark = pytest.mark.slow
TITLE = "Chỉ số CCHC và mức độ hài lòng của người dân tỉnh Hà Nam năm 2024"
DEFINITION = ("Số phiếu hoàn thành chia cho số trường hợp mà lần tiếp cận kết thúc bằng phỏng vấn, "
              "từ chối hoặc không gặp được.")


@pytest.fixture(scope="module")
def report_pdf(demo_app, hostile_unit, tmp_path_factory):
    with demo_app.app_context():
        started = time.perf_counter()
        content = pdf_bytes(campaign_by_code("HNM-2024"), "vi")
        print(f"\ndemo report: {time.perf_counter() - started:.1f} s, {len(content):,} bytes")
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(content)
    return path


def text_of(path) -> str:
    """The PDF's text layer, lines joined, NFC, whitespace collapsed."""
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", raw.decode("utf-8")))


def read_pgm(path) -> np.ndarray:
    data = path.read_bytes()
    _, width, height, _, body = data.split(maxsplit=4)
    return np.frombuffer(body, dtype=np.uint8)[: int(width) * int(height)].reshape(int(height), int(width))


def test_every_page_has_content_below_its_header(report_pdf, tmp_path):
    info = subprocess.run(["pdfinfo", str(report_pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(report_pdf), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.pgm"))
    assert len(images) == pages > 10
    for image in images:
        pixels = read_pgm(image)
        body = pixels[int(pixels.shape[0] * 0.12): int(pixels.shape[0] * 0.9)]
        assert (body < 160).sum() > 50, f"{image.name} is blank"


def test_text_layer_holds_vietnamese_exactly(demo_app, report_pdf):
    text = text_of(report_pdf)
    assert TITLE in text
    assert DEFINITION in text
    with demo_app.app_context():
        completed = db.session.scalar(select(func.count()).select_from(SampleCase).join(SampleList)
                                      .where(SampleCase.status == CaseStatus.COMPLETED,
                                             SampleList.campaign_id == campaign_by_code("HNM-2024").id))
    assert f"Đã hoàn thành {format_decimal(completed, locale='vi')} phiếu" in text


def test_shipped_font_is_embedded(report_pdf):
    fonts = subprocess.run(["pdffonts", str(report_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("Report-Sans" in row[0] for row in rows)
    assert all(row[-5] == "yes" for row in rows)  # "emb" column


def test_free_text_is_printed_as_text(report_pdf):
    assert HOSTILE in text_of(report_pdf)


def test_command_writes_one_unit_in_english(demo_app, hostile_unit, tmp_path):
    target = tmp_path / "unit.pdf"
    result = demo_app.test_cli_runner().invoke(
        args=["report", "HNM-2024", "--unit", hostile_unit, "--lang", "en", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = text_of(target)
    assert "Report on the sociological survey" in text and "Unit profiles" in text
    with demo_app.app_context():
        units = campaign_units(campaign_by_code("HNM-2024"))
        other = next(cu.unit for cu in units if cu.unit.code != hostile_unit and cu.framework_level == "commune")
    assert text.count(other.name) < text.count(next(cu.unit.name for cu in units if cu.unit.code == hostile_unit))


@pytest.mark.parametrize("args, message", [
    (["report", "NOPE-2024", "-o", "x.pdf"], "Không có đợt đánh giá NOPE-2024."),
    (["report", "HNM-2024", "--unit", "99999", "-o", "x.pdf"], "no unit 99999"),
    (["report", "HNM-2024", "--lang", "fr", "-o", "x.pdf"], "Invalid value for '--lang'"),
])
def test_command_refuses_bad_input(demo_app, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = demo_app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "x.pdf").exists()
