"""National index results: entered, imported from CSV (row-numbered refusals, nothing stored on any
error, re-import replaces), shown as a trend with a chart drawn without JavaScript."""
import io

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import NationalIndex, NationalIndexResult, Role, User, UserRole
from survey_app.plans.trend import chart_points, trends

GOOD = ("index,year,province,score,rank,group\n"
        "par_index,2022,Hà Nam,\"84,12\",20,\n"
        "PAR INDEX,2023,Hà Nam,86.5,14,\n"
        "papi,2023,Hà Nam,43.2,,Nhóm cao nhất\n"
        "pci,2024,Hà Nam,66.8,25,\n")


def _analyst(app):
    with app.app_context():
        user = User(username="phantich", full_name="Phân Tích")
        user.set_password("mot-mat-khau-dai")
        user.roles.append(UserRole(role=Role.ANALYST))
        db.session.add(user)
        db.session.commit()


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(NationalIndexResult))


def _upload(client, auth, text: str):
    return client.post("/plans/national/import", data={
        "file": (io.BytesIO(text.encode("utf-8")), "national.csv"), "csrf_token": auth.csrf("/plans/national")},
        content_type="multipart/form-data")


def test_import_replaces_and_refuses_row_by_row(app, client, auth):
    _analyst(app)
    auth.login("phantich", "mot-mat-khau-dai")
    first = _upload(client, auth, GOOD)
    assert first.status_code == 200 and "Đã tạo 4 kết quả, cập nhật 0, giữ nguyên 0." in first.get_data(as_text=True)
    again = _upload(client, auth, GOOD.replace("66.8,25", "67.1,21"))
    assert "Đã tạo 0 kết quả, cập nhật 1, giữ nguyên 3." in again.get_data(as_text=True)
    bad = _upload(client, auth, GOOD + "papi,20x4,Hà Nam,40,,\nvcci,2024,Hà Nam,1,,\npci,2024,Hà Nam,101,,\n"
                  "pci,2023,Hà Nam,,,\npar_index,2023,Hà Nam,80,1,\n")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Tệp bị từ chối; không nhập gì." in page
    for message in ("Dòng 6: Năm phải là số nguyên từ 2000 đến 2100, không phải “20x4”.",
                    "Dòng 7: Không biết chỉ số quốc gia “vcci”",
                    "Dòng 8: Điểm phải nằm trong khoảng 0 đến 100.",
                    "Dòng 9: Hãy nhập điểm, thứ hạng hoặc nhóm.",
                    "Dòng 10: Trùng chỉ số, năm và tỉnh với dòng 3."):
        assert message in page, message
    missing = _upload(client, auth, "index,year,score\npapi,2023,1\n")
    assert missing.status_code == 422 and "Thiếu cột: province, rank, group." in missing.get_data(as_text=True)
    assert _count(app) == 4
    with app.app_context():
        pci = db.session.scalar(select(NationalIndexResult).where(NationalIndexResult.national_index == NationalIndex.PCI))
        assert float(pci.score) == 67.1 and pci.rank == 21


def test_the_command_imports_and_refuses_with_exit_code_1(app, runner, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text("index,year,province,score,rank,group\nsipas,2024,,80,,\n", encoding="utf-8")
    result = runner.invoke(args=["plan", "national-import", str(good)])
    assert result.exit_code == 0 and "Đã tạo 4 kết quả" in result.output
    refused = runner.invoke(args=["plan", "national-import", str(bad)])
    assert refused.exit_code == 1 and "Dòng 2: Hãy ghi tên tỉnh (tối đa 120 ký tự)." in refused.output
    assert "Không nhập gì." in refused.output and _count(app) == 4


def test_the_trend_page_draws_each_index_and_entry_is_checked(app, client, auth):
    _analyst(app)
    auth.login("phantich", "mot-mat-khau-dai")
    _upload(client, auth, GOOD)
    form = {"index": "par_index", "year": "2024", "province": "Hà Nam", "score": "88,25", "rank": "9", "group": ""}
    assert client.post("/plans/national", data={**form, "csrf_token": auth.csrf("/plans/national")}).status_code == 302
    refused = client.post("/plans/national", data={**form, "rank": "0", "csrf_token": auth.csrf("/plans/national")})
    assert refused.status_code == 422 and "Thứ hạng phải là số nguyên từ 1 đến 100" in refused.get_data(as_text=True)
    page = client.get("/plans/national?province=Hà Nam").get_data(as_text=True)
    assert page.count("<svg") == 3 and "<script" not in page  # PAR Index, PAPI, PCI: one chart each
    assert "88,25" in page and 'data-index="par_index" data-province="Hà Nam"' in page
    with app.app_context():
        par = next(t for t in trends("Hà Nam") if t.index is NationalIndex.PAR_INDEX)
        assert [r.year for r in par.rows] == [2022, 2023, 2024]
        ys = [y for _, y, _, _ in par.points]
        assert ys[0] > ys[1] > ys[2]  # rising scores go up the chart (smaller y)
        assert f'points="{par.polyline}"' in page


def test_chart_points_span_the_years_and_pad_the_scale():
    rows = [NationalIndexResult(year=y, score=s) for y, s in ((2020, 61.0), (2022, 74.0), (2021, None))]
    points, low, high = chart_points(rows)
    assert (low, high) == (55.0, 75.0)
    assert [p[2] for p in points] == [2020, 2022] and points[0][0] == 24 and points[1][0] == 296
