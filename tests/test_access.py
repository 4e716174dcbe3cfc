"""Every page's access rules: anonymous, each role, and a unit outside the user's scope."""
import pytest

CAMPAIGN = "HNM-2024"
ROLES = ["admin", "analyst", "supervisor", "enumerator", "unit_editor", "appraiser"]
PAGES = {  # path: roles that may open it
    "/field/": {"enumerator"},
    "/field/supervision": {"supervisor"},
    "/units/": {"unit_editor"},
    "/units/appraisal": {"appraiser"},
    f"/units/{CAMPAIGN}/35.S02": {"unit_editor", "appraiser"},  # Sở Tư pháp: the editor's own unit
    f"/units/{CAMPAIGN}/35.S09": {"appraiser"},                 # another department
    f"/units/{CAMPAIGN}/35.S02/results": {"unit_editor"},       # published: the editor's own results
    f"/units/{CAMPAIGN}/35.S09/results": set(),                 # another unit's results
    f"/analyst/campaigns/{CAMPAIGN}/index": {"analyst", "admin"},
    f"/analyst/campaigns/{CAMPAIGN}/publish": {"analyst", "admin"},
    "/analyst/": {"analyst", "admin"},
    f"/analyst/campaigns/{CAMPAIGN}": {"analyst", "admin"},
    "/admin/": {"admin"},
    "/admin/users": {"admin"},
    "/admin/units": {"admin"},
    "/admin/content": {"admin"},
    "/api/campaigns": {"analyst", "admin"},
    f"/api/campaigns/{CAMPAIGN}": {"analyst", "admin"},
}
LANDING = {"admin": "/admin/", "analyst": "/analyst/", "supervisor": "/field/supervision",
           "enumerator": "/field/", "unit_editor": "/units/", "appraiser": "/units/appraisal"}


@pytest.mark.parametrize("path", ["/", f"/campaigns/{CAMPAIGN}", "/login"])
def test_public_pages_open_to_everyone(demo_client, path):
    assert demo_client.get(path).status_code == 200


def test_home_lists_the_demo_campaign_and_every_audience(demo_client):
    page = demo_client.get("/").get_data(as_text=True)
    assert "Chỉ số CCHC và mức độ hài lòng của người dân tỉnh Hà Nam năm 2024" in page
    for link in ("/field/", "/field/supervision", "/units/", "/units/appraisal", "/analyst/", "/admin/"):
        assert f'href="{link}"' in page


@pytest.mark.parametrize("path", sorted(PAGES))
def test_anonymous_is_sent_to_sign_in(demo_client, path):
    response = demo_client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_page(demo_client, demo_auth, role):
    response = demo_auth.login(role)
    assert response.status_code == 302
    assert response.headers["Location"] == LANDING[role]
    assert demo_client.get(LANDING[role]).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_403_elsewhere(demo_client, demo_auth, role):
    demo_auth.login(role)
    for path, allowed in PAGES.items():
        expected = 200 if role in allowed else 403
        assert demo_client.get(path).status_code == expected, (role, path)


def test_wrong_password_is_refused_with_a_message(demo_client, demo_auth):
    response = demo_auth.login("admin", "not-the-password")
    assert response.status_code == 422
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)
    assert demo_client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_refused(demo_client):
    response = demo_client.post("/login", data={"username": "admin", "password": "demo-2024"})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_logout_needs_a_post_with_csrf(demo_client, demo_auth):
    demo_auth.login("admin")
    assert demo_client.get("/logout").status_code == 405
    demo_auth.logout()
    assert demo_client.get("/admin/").status_code == 302


def test_next_parameter_cannot_leave_the_site(demo_client, demo_auth):
    token = demo_auth.csrf("/login")
    response = demo_client.post("/login?next=//evil.example/x", data={
        "username": "admin", "password": "demo-2024", "csrf_token": token})
    assert response.headers["Location"] == "/admin/"


def test_enumerator_sees_only_own_cases(demo_client, demo_auth):
    demo_auth.login("enumerator")
    page = demo_client.get("/field/").get_data(as_text=True)
    assert "Phường Quang Trung" in page          # Phủ Lý, the enumerator's area
    assert "Phường Đồng Văn" not in page         # Duy Tiên: another enumerator's


def test_supervisor_sees_enumerators_and_rates(demo_client, demo_auth):
    demo_auth.login("supervisor")
    page = demo_client.get("/field/supervision").get_data(as_text=True)
    assert "Nguyễn Văn Điều Tra" in page and "Điều tra viên khối sở" in page
    assert "%" in page


def test_unit_editor_sees_own_scores_with_vietnamese_numbers(demo_client, demo_auth):
    demo_auth.login("unit_editor")
    page = demo_client.get(f"/units/{CAMPAIGN}/35.S02").get_data(as_text=True)
    assert "Sở Tư pháp" in page
    assert "Điểm theo lĩnh vực" in page
    assert ",00" in page or ",50" in page or ",25" in page or ",75" in page
