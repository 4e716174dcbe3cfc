"""The administrator's set-up pages: units from CSV and framework versions, CSRF on, roles checked."""
import io
from pathlib import Path

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AdminUnit, Framework, Role, User, UserRole
from tests.setup.test_unit_import import GOOD, HEADER

FRAMEWORKS = Path(__file__).resolve().parents[2] / "questionnaires" / "frameworks"


def _admin(app, auth):
    with app.app_context():
        user = User(username="root", full_name="Quản trị")
        user.set_password("admin-password")
        user.roles.append(UserRole(role=Role.ADMIN))
        db.session.add(user)
        db.session.commit()
    auth.login("root", "admin-password")


def _upload(client, auth, path, content: bytes, name: str, with_token: bool = True):
    data = {"file": (io.BytesIO(content), name)}
    if with_token:
        data["csrf_token"] = auth.csrf(path)
    return client.post(path, data=data, content_type="multipart/form-data")


def _units(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AdminUnit))


def test_units_upload_refuses_bad_rows_by_number_then_imports_and_shows_the_tree(app, client, auth):
    _admin(app, auth)
    bad = (HEADER + "35,Tỉnh Hà Nam,province,,1997,,\n347,,district,35,1997,,\n"
           "13285,Phường Quang Trung,xa,347,1997,,\n").encode("utf-8")
    page = _upload(client, auth, "/admin/units", bad, "units.csv")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Dòng 3: Thiếu tên đơn vị." in text and "Dòng 4: Không có cấp “xa”" in text
    assert "Tệp bị từ chối; không nhập gì." in text and _units(app) == 0
    assert _upload(client, auth, "/admin/units", GOOD.encode(), "units.csv", with_token=False).status_code == 400
    assert _units(app) == 0
    page = _upload(client, auth, "/admin/units", GOOD.encode("utf-8-sig"), "units.csv")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "6 đơn vị được tạo" in text
    assert "Trở thành: 00010 Phường Phủ Lý" in text and "Từ: 00004, 00007" in text
    assert "1997–2025" in text and _units(app) == 6


def test_framework_upload_keeps_versions_side_by_side_and_shows_their_difference(app, client, auth):
    _admin(app, auth)
    for name in ("par_units_2024.yaml", "par_units_2025.yaml"):
        page = _upload(client, auth, "/admin/frameworks", (FRAMEWORKS / name).read_bytes(), name)
        assert page.status_code == 200 and "Đã nạp par_units phiên bản" in page.get_data(as_text=True)
    broken = (FRAMEWORKS / "par_units_2025.yaml").read_text(encoding="utf-8").replace(
        'version: "2025.1"', 'version: "2025.2"').replace("indicator: pct_satisfied", "indicator: pct_glad", 1)
    page = _upload(client, auth, "/admin/frameworks", broken.encode("utf-8"), "broken.yaml")
    assert page.status_code == 422
    assert "chỉ số pct_glad không phải là chỉ số mà phân tích tính ra" in page.get_data(as_text=True)
    with app.app_context():
        assert sorted(db.session.scalars(select(Framework.version))) == ["2024.1", "2025.1"]
    page = client.get("/admin/frameworks?code=par_units&old=2024.1&new=2025.1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "district 1 (Công tác chỉ đạo, điều hành cải cách hành chính): bị bỏ" in text
    assert client.get("/admin/frameworks?code=par_units&old=2024.1&new=9").status_code == 404


def test_set_up_pages_are_for_administrators_only(app, client, auth):
    with app.app_context():
        user = User(username="analyst1", full_name="Phân tích")
        user.set_password("analyst-password")
        user.roles.append(UserRole(role=Role.ANALYST))
        db.session.add(user)
        db.session.commit()
    auth.login("analyst1", "analyst-password")
    for path in ("/admin/units", "/admin/frameworks"):
        assert client.get(path).status_code == 403
