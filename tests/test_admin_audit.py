"""Creating accounts through the admin form, and the audit log written for every change."""
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, User, UserRole


def _admin(app):
    with app.app_context():
        user = User(username="root", full_name="Quản trị")
        user.set_password("admin-password")
        user.roles.append(UserRole(role=Role.ADMIN))
        db.session.add(user)
        db.session.commit()


def _form(auth, **fields):
    data = {"username": "dtv.moi", "full_name": "Nguyễn Thị Mới", "email": "",
            "password": "mot-mat-khau-dai", "role": "enumerator", "unit_code": "",
            "csrf_token": auth.csrf("/admin/users")}
    data.update(fields)
    return data


def test_admin_creates_an_account_and_it_is_audited(app, client, auth):
    _admin(app)
    auth.login("root", "admin-password")
    response = client.post("/admin/users", data=_form(auth))
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(select(User).where(User.username == "dtv.moi"))
        assert created.primary_role() is Role.ENUMERATOR
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "user_account")))
        inserted = [e for e in entries if e.entity_id == created.id and e.action == "insert"]
        assert inserted and inserted[0].actor == "root"
        assert inserted[0].after["username"] == "dtv.moi"


def test_bad_account_input_is_refused_in_vietnamese_and_nothing_stored(app, client, auth):
    _admin(app)
    auth.login("root", "admin-password")
    response = client.post("/admin/users", data=_form(auth, username="A B", password="short",
                                                      unit_code="99999"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mật khẩu có ít nhất 10 ký tự." in page
    assert "Chỉ dùng chữ thường không dấu" in page
    assert "Không có đơn vị nào mang mã này." in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "A B")) is None


def test_missing_csrf_token_is_a_400_and_nothing_stored(app, client, auth):
    _admin(app)
    auth.login("root", "admin-password")
    data = _form(auth)
    data.pop("csrf_token")
    assert client.post("/admin/users", data=data).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "dtv.moi")) is None


def test_updates_record_before_and_after(app):
    _admin(app)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "root"))
        user.full_name = "Quản trị hệ thống"
        db.session.commit()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
        assert entry.before == {"full_name": "Quản trị"}
        assert entry.after == {"full_name": "Quản trị hệ thống"}
        assert entry.actor == "system"
