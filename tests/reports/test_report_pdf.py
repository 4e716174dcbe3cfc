"""The demo campaign's PDF report: every page has content, the text layer holds Vietnamese exactly
and no English word, the cover is ready to sign, the publication's version is on every page, tables
are in level order with one total, the certain differences are spelled out, the shipped font is
embedded, free text stays text; ``flask report`` and its errors."""
from __future__ import annotations

import gc
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
from survey_app.reports import REPORTS_DIR
from survey_app.reports.data import build_report
from survey_app.reports.render import CHART_SCHEME, context, layout, local_fetcher, pdf_bytes, render, \
    report_html_class, young_collections_only
from survey_app.results import official
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


@pytest.fixture(scope="module")
def report_html(demo_app, hostile_unit) -> str:
    from flask_babel import force_locale
    with demo_app.app_context(), force_locale("vi"):
        report = build_report(campaign_by_code("HNM-2024"), "vi")
        return render("report.html", **context(report, for_pdf=True))


def text_of(path) -> str:
    """The PDF's text layer, lines joined, NFC, whitespace collapsed."""
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", raw.decode("utf-8")))


def page_texts(path) -> list[str]:
    """Each page's text layer (pypdf), NFC."""
    from pypdf import PdfReader
    return [unicodedata.normalize("NFC", page.extract_text() or "") for page in PdfReader(str(path)).pages]


#: Words of the English catalogue and of stored codes that must never reach a Vietnamese page.
ENGLISH = ("stratified", "two-stage", "village", "villages", "replacement", "fpc", "PSUs", "strata", "unit",
           "units", "logit", "degrees of freedom", "Satisfaction", "Index", "legend", "Overall", "Percent",
           "points", "interval", "rank", "design", "weights", "raking", "sex", "age group", "survey", "draft",
           "signature", "decision", "version", "the", "and", "with", "of")


def english_words(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.IGNORECASE)]


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


def test_no_english_word_on_any_vietnamese_page(report_pdf):
    texts = page_texts(report_pdf)
    assert len(texts) > 10
    for number, text in enumerate(texts, 1):
        assert not english_words(text), f"page {number}: {english_words(text)}"


def test_cover_names_the_issuer_the_decision_and_the_signer(demo_app, report_pdf):
    with demo_app.app_context():
        publication = official.current_publication(campaign_by_code("HNM-2024"))
        decision, signer, day = publication.decision_number, publication.signer, publication.decision_date
    cover = re.sub(r"\s+", " ", page_texts(report_pdf)[0])
    assert "UBND TỈNH HÀ NAM" in cover and "SỞ NỘI VỤ" in cover
    assert f"Quyết định số {decision} ngày {day:%d/%m/%Y}" in cover
    assert f"ngày {day.day} tháng {day.month} năm {day.year}" in cover
    assert signer.upper() in cover and "(Ký, ghi rõ họ tên và đóng dấu)" in cover


def test_publication_version_is_on_every_page(demo_app, report_pdf):
    with demo_app.app_context():
        publication = official.current_publication(campaign_by_code("HNM-2024"))
        footer = f"Phiên bản công bố {publication.version} · quyết định số {publication.decision_number}"
    texts = page_texts(report_pdf)
    missing = [number for number, text in enumerate(texts, 1) if footer not in re.sub(r"\s+", " ", text)]
    assert not missing, f"pages without the version: {missing}"


def test_sample_table_is_in_level_order_with_one_total(report_pdf):
    layout = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(report_pdf), "-"], capture_output=True,
                            check=True).stdout.decode("utf-8")
    totals = re.findall(r"^\s*Tổng\s+[\d.]+\s+[\d.]+\s+[\d.]+", layout, re.MULTILINE)
    assert len(totals) == 1, totals
    table = layout[layout.index("Mẫu thực hiện được"):layout.index(totals[0])]
    assert table.index("Sở, ban, ngành") < table.index("Sở Nội vụ") < table.index("Huyện, thị xã, thành phố") \
        < table.index("Thành phố Phủ Lý") < table.index("Xã, phường, thị trấn") < table.index("Phường Quang Trung")


def test_certain_differences_are_said_in_plain_words(report_pdf):
    text = text_of(report_pdf)
    assert "Những khác biệt chắc chắn giữa các đơn vị" in text
    # 33 communes make 528 pairs; the sentence counts how many of them the survey orders for certain
    assert re.search(r"Xã, phường, thị trấn: thứ tự của [\d.]+ trong 528 cặp đơn vị là chắc chắn; "
                     r"khảo sát không phân biệt được [\d.]+ cặp còn lại\.", text)
    assert "Khoảng mô phỏng 95%" in text and "bậc tự do" in text


def test_profile_intervals_say_what_they_are(report_pdf):
    """A profile's index line names its intervals in the words of the index chapter and the annex,
    and its survey table says its brackets are confidence intervals."""
    text = text_of(report_pdf)
    profile = re.compile(r"Chỉ số CCHC: [\d,]+ / [\d.]+ điểm \(khoảng mô phỏng 95%: [\d,]+ – [\d,]+\) · xếp loại "
                         r"\S+ .{1,30}? Thứ hạng: \d+ / \d+ \(khoảng thứ hạng: \d+ – \d+\)")
    assert len(profile.findall(text)) == 54
    assert text.count("Đơn vị này (khoảng tin cậy 95%)") == 54


def test_shipped_font_is_embedded(report_pdf):
    fonts = subprocess.run(["pdffonts", str(report_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("Report-Sans" in row[0] for row in rows)
    assert all(row[-5] == "yes" for row in rows)  # "emb" column


def test_every_chart_is_in_the_pdf(report_pdf):
    """The charts reach WeasyPrint from memory by ``report-chart:`` URLs (it would drop a chart it
    cannot fetch with only a warning): factors, satisfaction ranking, rank intervals, index ranking."""
    listing = subprocess.run(["pdfimages", "-list", str(report_pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    images = [line.split() for line in listing if line.split()[2] == "image"]
    assert len(images) == 4 and all(int(row[3]) >= 900 for row in images)  # width in pixels, 150 dpi


#: What the user-agent sheet sets: boxes, text, lists, tables, breaks and bookmarks.
STYLED = ("display", "position", "float", "visibility", "margin_top", "margin_right", "margin_bottom",
          "margin_left", "padding_top", "padding_right", "padding_bottom", "padding_left", "border_top_width",
          "border_bottom_width", "border_left_width", "border_right_width", "border_bottom_color",
          "border_collapse", "border_spacing", "box_sizing", "table_layout", "width", "height", "overflow",
          "font_family", "font_size", "font_weight", "font_style", "line_height", "color", "background_color",
          "color_scheme", "text_align_all", "text_indent", "text_decoration_line", "text_transform",
          "white_space", "vertical_align", "direction", "hyphens", "list_style_type", "list_style_position",
          "font_variant_numeric", "counter_reset", "content", "break_before", "break_after", "break_inside",
          "bookmark_level", "bookmark_label")


def test_lean_user_agent_sheet_styles_the_report_as_weasyprints_own(report_html):
    """reports/styles/user-agent.css leaves out only what the report cannot match: every element of
    the demo report, and every list marker, computes the same style with it as with WeasyPrint's
    HTML5 sheet."""
    from weasyprint import HTML
    from weasyprint.css import get_all_computed_styles

    def parsed(cls):
        document = cls(string=report_html, base_url=str(REPORTS_DIR) + "/", url_fetcher=local_fetcher())
        return document, get_all_computed_styles(document)
    (theirs, their_style), (ours, our_style) = parsed(HTML), parsed(report_html_class())
    elements = [(a, b) for a, b in zip(theirs.etree_element.iter(), ours.etree_element.iter()) if isinstance(a.tag, str)]
    assert len(elements) > 9000
    for a, b in elements:
        for pseudo in (None, "marker") if a.tag == "li" else (None,):
            mine, reference = our_style(b, pseudo), their_style(a, pseudo)
            differing = [name for name in STYLED if mine[name] != reference[name]]
            assert not differing, (a.tag, a.get("class"), pseudo, differing)


def test_weasyprint_still_asks_for_the_user_agent_sheet(monkeypatch):
    """The report's sheet reaches WeasyPrint through ``HTML._ua_stylesheets``: were the hook renamed,
    the report would be laid out with WeasyPrint's own sheet again, slower, and nothing would say so."""
    asked = []
    report = report_html_class()
    lean = report._ua_stylesheets
    monkeypatch.setattr(report, "_ua_stylesheets", lambda self, *args, **kwargs: asked.append(1) or lean(self))
    assert len(layout("<p>Báo cáo</p>").pages) == 1
    assert asked


def test_full_collections_come_back_when_the_last_report_is_done():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), young_collections_only():
        with young_collections_only():  # a second report in another thread, say
            assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] >= 100_000
        assert gc.get_threshold()[2] >= 100_000  # the first is still running
        raise RuntimeError("a report failing")
    assert gc.get_threshold() == before


def test_fetcher_serves_the_report_charts_and_local_files_only():
    fetcher = local_fetcher({"factors": b"\x89PNG bytes"})
    if callable(fetcher) and not hasattr(fetcher, "fetch"):  # WeasyPrint < 68
        assert fetcher(f"{CHART_SCHEME}:factors")["string"] == b"\x89PNG bytes"
        fetch = fetcher
    else:
        assert fetcher.fetch(f"{CHART_SCHEME}:factors").read() == b"\x89PNG bytes"
        fetch = fetcher.fetch
    for url in (f"{CHART_SCHEME}:missing", "https://example.org/x.png"):
        with pytest.raises(ValueError):
            fetch(url)


def test_free_text_is_printed_as_text(report_pdf):
    assert HOSTILE in text_of(report_pdf)


def test_command_writes_one_unit_in_english(demo_app, hostile_unit, tmp_path):
    target = tmp_path / "unit.pdf"
    result = demo_app.test_cli_runner().invoke(
        args=["report", "HNM-2024", "--unit", hostile_unit, "--lang", "en", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = text_of(target)
    assert "Report on the sociological survey" in text and "Unit profiles" in text
    assert re.search(r"PAR Index: [\d.]+ / [\d,]+ points \(95% simulated interval: [\d.]+ – [\d.]+\)", text)
    assert re.search(r"Rank: \d+ / \d+ \(rank interval: \d+ – \d+\)", text)
    assert {"unit", "Index", "the"} <= set(english_words(text))  # the word list does catch English
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
