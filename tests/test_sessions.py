"""Sessions end on the server: after logout the old session cookie and remember token get the login
page, a password change, a deactivation or ``flask user end-sessions`` ends every browser's session;
the password policy holds for the CLI; an unknown username costs as much as a known one."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from survey_app.auth.passwords import password_problem
from survey_app.extensions import db
from survey_app.models import Role, User, UserRole
from tests.conftest import AuthActions

PASSWORD = "mùa thu Hà Nam 2024"


@pytest.fixture
def analyst(app):
    with app.app_context():
        user = User(username="ana", full_name="Ana")
        user.set_password(PASSWORD)
        user.roles.append(UserRole(role=Role.ANALYST))
        db.session.add(user)
        db.session.commit()
    return "ana"


def _signed_in(app, remember=False):
    client = app.test_client()
    auth = AuthActions(client)
    token = auth.csrf("/login")
    client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token,
                                "remember": "y" if remember else ""})
    assert client.get("/me").status_code == 302 and "/login" not in client.get("/me").location
    return client, auth


def _opens_a_page(app, cookies: dict) -> bool:
    other = app.test_client()
    for name, value in cookies.items():
        if value is not None:
            other.set_cookie(name, value)
    response = other.get("/analyst/")
    return response.status_code == 200


def test_logout_ends_the_old_session_cookie_and_remember_token(app, analyst):
    client, auth = _signed_in(app, remember=True)
    session, remember = client.get_cookie("session").value, client.get_cookie("remember_token").value
    assert _opens_a_page(app, {"session": session}) and _opens_a_page(app, {"remember_token": remember})
    auth.logout()
    assert not _opens_a_page(app, {"session": session})
    assert not _opens_a_page(app, {"remember_token": remember})
    assert app.test_client().get("/analyst/").location.startswith("/login")


@pytest.mark.parametrize("how", ["password", "deactivate", "cli"])
def test_a_password_change_deactivation_or_the_admin_ends_every_session(app, analyst, how):
    client, _ = _signed_in(app)
    other, _ = _signed_in(app, remember=True)
    if how == "cli":
        result = app.test_cli_runner().invoke(args=["user", "end-sessions", "ana"])
        assert result.exit_code == 0, result.output
    else:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == "ana"))
            if how == "password":
                user.set_password("một mật khẩu mới hơn")
            else:
                user.active = False
            db.session.commit()
    for browser in (client, other):
        assert browser.get("/analyst/").location.startswith("/login")


@pytest.mark.parametrize("password", ["a", "aaaaaaaaaa", "password123", "matkhau2024", "ana-ana-ana-1", "1234567890"])
def test_the_password_policy_refuses_short_repeated_and_common_passwords(app, password):
    assert password_problem(password, "ana")
    result = app.test_cli_runner().invoke(args=["user", "create", "ana", "--role", "analyst",
                                                "--password", password])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "ana")) is None


def test_a_good_password_is_taken_by_the_cli(app):
    result = app.test_cli_runner().invoke(args=["user", "create", "bao", "--role", "analyst", "--password", PASSWORD])
    assert result.exit_code == 0, result.output


def test_an_unknown_username_takes_as_long_as_a_known_one(app, analyst):
    client = app.test_client()
    auth = AuthActions(client)

    def timed(username):
        token = auth.csrf("/login")
        started = time.perf_counter()
        response = client.post("/login", data={"username": username, "password": "wrong password!",
                                               "csrf_token": token})
        assert response.status_code == 422
        return time.perf_counter() - started

    known = sorted(timed("ana") for _ in range(3))[1]
    unknown = sorted(timed("nobody-here") for _ in range(3))[1]
    assert unknown > 0.5 * known


LOGINS = """
import re, sys
from tests.conftest import CSRF_RE, make_app
from tests.limited_app import Factory

root, prefix, part = sys.argv[1], sys.argv[2], sys.argv[3]
factory = Factory(root)
app = make_app(f"sqlite:///{factory.mktemp('db')}/test.db", factory, RATELIMIT_ENABLED=True,
               RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", RATELIMIT_KEY_PREFIX=prefix, TRUSTED_PROXIES=1)
client = app.test_client()

def attempt(username, address):
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    return client.post("/login", data={"username": username, "password": "wrong password!", "csrf_token": token},
                       headers={"X-Forwarded-For": address}).status_code

if part == "1":
    print(*[attempt("ana", f"10.0.1.{n}") for n in range(10)])
else:
    print(attempt("ana", "10.0.2.1"), attempt("bob", "10.0.2.1"))
"""


def test_login_limits_are_shared_between_processes_per_account_and_per_forwarded_address(tmp_path):
    """Two processes sharing Redis: 10 failures for one account from ten addresses (behind one
    trusted proxy) lock that account in the other process, and not another account from a new address."""
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    prefix = "test-" + uuid.uuid4().hex[:8]
    outputs = []
    for part in ("1", "2"):
        folder = tmp_path / part
        folder.mkdir()
        proc = subprocess.run([sys.executable, "-c", LOGINS, str(folder), prefix, part],
                              cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        outputs.append(proc.stdout.split())
    assert outputs[0] == ["422"] * 10
    assert outputs[1] == ["429", "422"]


# --- through the pages: the admin ends sessions or deactivates; a user changes their own password ---

@pytest.fixture
def admin(app, analyst):
    with app.app_context():
        user = User(username="root", full_name="Quản trị")
        user.set_password(PASSWORD)
        user.roles.append(UserRole(role=Role.ADMIN))
        db.session.add(user)
        db.session.commit()
        return {"root": user.id, "ana": db.session.scalar(select(User.id).where(User.username == "ana"))}


def _admin_client(app):
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login("root", PASSWORD).status_code == 302
    return client, auth


@pytest.mark.parametrize("action,words", [("end-sessions", "Đã kết thúc mọi phiên đăng nhập của ana."),
                                          ("active", "Đã khóa tài khoản ana và đăng xuất trên mọi thiết bị.")])
def test_the_admin_ends_a_users_sessions_or_deactivates_them_from_the_people_page(app, admin, action, words):
    client, _ = _signed_in(app)
    other, _ = _signed_in(app, remember=True)
    root, auth = _admin_client(app)
    page = root.get("/admin/users").get_data(as_text=True)
    assert f'action="/admin/users/{admin["ana"]}/{action}"' in page
    response = root.post(f"/admin/users/{admin['ana']}/{action}", data={"csrf_token": auth.csrf("/admin/users")},
                         follow_redirects=True)
    assert response.status_code == 200 and words in response.get_data(as_text=True)
    for browser in (client, other):
        assert browser.get("/analyst/").location.startswith("/login")
    signed_in_again = AuthActions(app.test_client()).login("ana", PASSWORD).status_code
    assert signed_in_again == (302 if action == "end-sessions" else 422)
    assert root.get("/admin/").status_code == 200  # the admin's own session goes on


def test_a_deactivated_account_is_activated_again_and_signs_in(app, admin):
    root, auth = _admin_client(app)
    for _ in range(2):
        root.post(f"/admin/users/{admin['ana']}/active", data={"csrf_token": auth.csrf("/admin/users")})
    assert "đã khóa" not in root.get("/admin/users").get_data(as_text=True)
    assert AuthActions(app.test_client()).login("ana", PASSWORD).status_code == 302


def test_the_admin_cannot_deactivate_themselves_and_others_cannot_end_sessions(app, admin):
    root, auth = _admin_client(app)
    response = root.post(f"/admin/users/{admin['root']}/active", data={"csrf_token": auth.csrf("/admin/users")})
    assert response.status_code == 409 and "Không thể khóa tài khoản của chính mình." in response.get_data(as_text=True)
    assert root.post(f"/admin/users/{admin['ana']}/end-sessions").status_code == 400  # no CSRF token
    assert root.post("/admin/users/999999/end-sessions", data={"csrf_token": auth.csrf("/admin/users")}).status_code == 404
    client, ana = _signed_in(app)
    response = client.post(f"/admin/users/{admin['root']}/active", data={"csrf_token": ana.csrf("/analyst/")})
    assert response.status_code == 403
    assert root.get("/admin/").status_code == 200


def _change(client, auth, current, new, repeat=None):
    return client.post("/account/password", data={"csrf_token": auth.csrf("/account/password"), "current": current,
                                                  "new": new, "repeat": new if repeat is None else repeat})


NEW_PASSWORD = "một mật khẩu mới hơn"


def test_a_user_changes_their_password_and_their_other_sessions_end(app, analyst):
    client, auth = _signed_in(app, remember=True)
    other, _ = _signed_in(app, remember=True)
    assert "/account/password" in client.get("/analyst/").get_data(as_text=True)
    response = _change(client, auth, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert "Đã đổi mật khẩu" in client.get(response.location).get_data(as_text=True)
    assert client.get("/analyst/").status_code == 200  # this browser goes on
    remember = client.get_cookie("remember_token").value
    assert _opens_a_page(app, {"remember_token": remember})  # its new remember token works
    assert other.get("/analyst/").location.startswith("/login")
    fresh = AuthActions(app.test_client())
    assert fresh.login("ana", PASSWORD).status_code == 422
    assert fresh.login("ana", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("current,new,repeat,words", [
    ("sai mật khẩu rồi", NEW_PASSWORD, None, "Đây không phải mật khẩu hiện tại của bạn."),
    (PASSWORD, "aaaaaaaaaa", None, None),      # the policy's own message
    (PASSWORD, "ana-ana-ana-1", None, None),
    (PASSWORD, NEW_PASSWORD, "một mật khẩu khác hẳn", "Hai lần nhập mật khẩu mới không giống nhau."),
])
def test_a_refused_password_change_says_why_and_changes_nothing(app, analyst, current, new, repeat, words):
    if words is None:
        with app.test_request_context("/"):
            words = password_problem(new, "ana")
        assert words and "mật khẩu" in words.lower()
    client, auth = _signed_in(app)
    other, _ = _signed_in(app)
    response = _change(client, auth, current, new, repeat)
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    assert other.get("/analyst/").status_code == 200
    assert AuthActions(app.test_client()).login("ana", PASSWORD).status_code == 302


def test_the_password_page_needs_a_signed_in_user_and_a_csrf_token(app, analyst):
    assert app.test_client().get("/account/password").location.startswith("/login")
    client, _ = _signed_in(app)
    response = client.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD,
                                                      "repeat": NEW_PASSWORD})
    assert response.status_code == 400
    assert AuthActions(app.test_client()).login("ana", PASSWORD).status_code == 302
