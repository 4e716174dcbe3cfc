"""Importing XLSForms: the command line, the admin upload page, and what is refused.

Forms are small Markdown XLSForms written into tmp_path; every refusal is checked for its
row/column/reason and for an untouched database.
"""
import io

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Questionnaire, QuestionnaireVersion, Role, User, UserRole, VersionStatus

FORM = """
| survey |
| | type | name | label::Tiếng Việt (vi) | label::English (en) | relevant |
| | integer | age | Tuổi | Age | |
| | select_one yn | happy | Hài lòng? | Satisfied? | ${{age}} >= 18 |
| | text | why | Vì sao? | Why? | {relevant} |
| choices |
| | list_name | name | label::Tiếng Việt (vi) | label::English (en) |
| | yn | 1 | Có | Yes |
| | yn | 0 | Không | No |
| settings |
| | form_id | version | form_title |
| | hai_long | {version} | Hài lòng |
"""


def _write(tmp_path, name="hai_long.md", relevant="${happy} = '0'", version="2024.1", text=None):
    path = tmp_path / name
    path.write_text(text or FORM.format(relevant=relevant, version=version), encoding="utf-8")
    return path


def _stored(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Questionnaire)),
                db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)))


def test_cli_import_publishes_a_normalised_definition(app, runner, tmp_path):
    result = runner.invoke(args=["questionnaire", "import", str(_write(tmp_path)), "--publish"])
    assert result.exit_code == 0, result.output
    assert "hai_long 2024.1: published" in result.output
    with app.app_context():
        version = db.session.scalar(select(QuestionnaireVersion))
        definition = version.definition
        assert version.status is VersionStatus.PUBLISHED
        assert version.source_filename == "hai_long.md"
        assert version.languages == ["Tiếng Việt (vi)", "English (en)"]
    assert {"name": "Tiếng Việt (vi)", "code": "vi"} in definition["languages"]
    assert definition["pyxform"]["id_string"] == "hai_long"
    why = next(q for q in definition["questions"] if q["name"] == "why")
    assert why["row"] == 4 and why["type"] == "text"
    assert why["labels"] == {"Tiếng Việt (vi)": "Vì sao?", "English (en)": "Why?"}
    happy = next(q for q in definition["questions"] if q["name"] == "happy")
    assert [c["name"] for c in happy["choices"]] == ["1", "0"]
    assert happy["bind"]["relevant"] == "${age} >= 18"
    assert [p["questions"] for p in definition["pages"]] == [["age"], ["happy"], ["why"]]


def test_published_version_cannot_be_imported_again(app, runner, tmp_path):
    path = _write(tmp_path)
    assert runner.invoke(args=["questionnaire", "import", str(path), "--publish"]).exit_code == 0
    result = runner.invoke(args=["questionnaire", "import", str(path)])
    assert result.exit_code == 1
    assert "hai_long" in result.output and "2024.1" in result.output
    assert "Không nhập được phiếu" in result.output
    assert _stored(app) == (1, 1)


def test_draft_is_replaced_by_a_new_import_of_the_same_version(app, runner, tmp_path):
    assert runner.invoke(args=["questionnaire", "import", str(_write(tmp_path))]).exit_code == 0
    changed = _write(tmp_path, relevant="${happy} = '1'")
    assert runner.invoke(args=["questionnaire", "import", str(changed)]).exit_code == 0
    assert _stored(app) == (1, 1)
    with app.app_context():
        version = db.session.scalar(select(QuestionnaireVersion))
        assert version.status is VersionStatus.DRAFT
        why = next(q for q in version.definition["questions"] if q["name"] == "why")
        assert why["bind"]["relevant"] == "${happy} = '1'"


def test_unsupported_type_is_refused_by_name_and_row(app, runner, tmp_path):
    text = FORM.format(relevant="", version="1").replace("| | text | why |", "| | geotrace | why |")
    result = runner.invoke(args=["questionnaire", "import", str(_write(tmp_path, text=text))])
    assert result.exit_code == 1
    assert "geotrace" in result.output and "dòng 4" in result.output
    assert _stored(app) == (0, 0)


def test_expression_our_engine_cannot_read_is_refused_with_row_and_column(app, runner, tmp_path):
    path = _write(tmp_path, relevant="../happy = '0'")
    result = runner.invoke(args=["questionnaire", "import", str(path)])
    assert result.exit_code == 1
    assert "dòng 4, cột relevant" in result.output and "../happy" in result.output
    assert _stored(app) == (0, 0)


def test_unknown_reference_is_refused_with_row_and_column(app, runner, tmp_path):
    result = runner.invoke(args=["questionnaire", "import",
                                 str(_write(tmp_path, relevant="${nobody} = '0'"))])
    assert result.exit_code == 1
    assert "row : 4" in result.output and "relevant" in result.output and "nobody" in result.output
    assert _stored(app) == (0, 0)


def _user(app, username, role):
    with app.app_context():
        user = User(username=username, full_name=username)
        user.set_password("mot-mat-khau-dai")
        user.roles.append(UserRole(role=role))
        db.session.add(user)
        db.session.commit()


def _upload(client, auth, name, content, **extra):
    data = {"file": (io.BytesIO(content), name),
            "csrf_token": auth.csrf("/admin/questionnaires/upload"), **extra}
    return client.post("/admin/questionnaires/upload", data=data,
                       content_type="multipart/form-data")


def test_admin_uploads_a_form_and_sees_the_result(app, client, auth, tmp_path):
    _user(app, "root", Role.ADMIN)
    auth.login("root", "mot-mat-khau-dai")
    response = _upload(client, auth, "hai_long.md", _write(tmp_path).read_bytes(), publish="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đã nhập hai_long phiên bản 2024.1 (published): 3 câu hỏi, 3 trang." in page
    assert _stored(app) == (1, 1)


def test_upload_refusal_is_422_with_the_reason_and_nothing_stored(app, client, auth, tmp_path):
    _user(app, "root", Role.ADMIN)
    auth.login("root", "mot-mat-khau-dai")
    content = _write(tmp_path, relevant="${happy} = ").read_bytes()
    response = _upload(client, auth, "hai_long.md", content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "dòng 4, cột relevant" in page and 'type="file"' in page
    assert _stored(app) == (0, 0)


def test_upload_wrong_extension_is_422(app, client, auth):
    _user(app, "root", Role.ADMIN)
    auth.login("root", "mot-mat-khau-dai")
    response = _upload(client, auth, "phieu.pdf", b"%PDF-1.4")
    assert response.status_code == 422
    assert "Chỉ nhận tệp XLSForm: .xlsx, .xls, .csv, .md." in response.get_data(as_text=True)
    assert _stored(app) == (0, 0)


def test_upload_too_large_is_413_with_a_message(app, client, auth, tmp_path, monkeypatch):
    _user(app, "root", Role.ADMIN)
    auth.login("root", "mot-mat-khau-dai")
    monkeypatch.setitem(app.config, "QUESTIONNAIRE_MAX_BYTES", 1024 * 1024)
    response = _upload(client, auth, "hai_long.md", b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "Tệp lớn hơn 1.0 MB." in response.get_data(as_text=True)
    assert _stored(app) == (0, 0)


def test_upload_needs_csrf(app, client, auth, tmp_path):
    _user(app, "root", Role.ADMIN)
    auth.login("root", "mot-mat-khau-dai")
    response = client.post("/admin/questionnaires/upload", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(_write(tmp_path).read_bytes()), "f.md")})
    assert response.status_code == 400
    assert _stored(app) == (0, 0)


def test_upload_page_is_for_admins_only(app, client, auth):
    _user(app, "phan.tich", Role.ANALYST)
    assert client.get("/admin/questionnaires/upload").status_code == 302
    auth.login("phan.tich", "mot-mat-khau-dai")
    assert client.get("/admin/questionnaires/upload").status_code == 403
    token = auth.csrf("/")
    response = client.post("/admin/questionnaires/upload", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(b"x"), "f.md")})
    assert response.status_code == 403
    assert _stored(app) == (0, 0)
