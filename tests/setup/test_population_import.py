"""Population figures from a CSV file: a good file stores the weighting targets once and a second
import of the same unit and year replaces them; each kind of bad row is refused with its row number
and a Vietnamese reason, and nothing is stored. The command and the admin page use the same service."""
import io

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AdminUnit, Campaign, Role, UnitPopulation, User, UserRole
from survey_app.population_import import PopulationImportRefused, import_population
from survey_app.survey_analysis.weights import unit_populations
from survey_app.unit_import import import_units
from tests.setup.test_setup_pages import _admin, _upload
from tests.setup.test_unit_import import GOOD as UNITS

HEADER = "unit_code,year,sex,age_group,count\n"
AGES = ("18_29", "30_44", "45_59", "60_plus")
#: Ninh Bình in 2025 (questionnaire sex codes) and Phủ Lý in 2024 (the names the weights use).
GOOD = HEADER + "".join(f"37,2025,{sex},{age},{40_000 + i}\n" for i, (sex, age) in
                        enumerate((s, a) for s in ("1", "2") for a in AGES)) \
    + "".join(f"347,2024,{sex},{age},1000\n" for sex in ("male", "female") for age in AGES)


def _count():
    return db.session.scalar(select(func.count()).select_from(UnitPopulation))


def _units(app):
    with app.app_context():
        import_units(UNITS.encode())


def test_good_file_gives_the_analysis_its_targets_and_a_second_import_replaces_them(app):
    _units(app)
    with app.app_context():
        result = import_population(GOOD.encode("utf-8-sig"))  # a BOM, as spreadsheet programs write it
        assert (result.created, result.updated, result.unchanged, result.removed) == (16, 0, 0, 0)
        again = import_population(GOOD.encode("utf-8"))
        assert (again.created, again.updated, again.unchanged, again.removed) == (0, 0, 16, 0)
        changed = HEADER + "37,2025,male,18_29,50000\n" + "37,2025,female,18_29,40004\n"
        result = import_population(changed.encode("utf-8"))
        assert (result.created, result.updated, result.unchanged, result.removed) == (0, 1, 1, 6)
        figures = {(p.sex, p.age_group): p.count for p in db.session.scalars(
            select(UnitPopulation).where(UnitPopulation.year == 2025))}
        assert figures == {("male", "18_29"): 50_000, ("female", "18_29"): 40_004}
        assert _count() == 10  # Phủ Lý's 2024 figures untouched


def test_the_weights_read_the_imported_figures_under_the_analysis_codes(app):
    _units(app)
    with app.app_context():
        import_population(GOOD.encode("utf-8"))
        province = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "37"))
        targets = unit_populations(Campaign(year=2025, province=province))["37"]
        assert targets[("male", "18_29")] == 40_000 and targets[("female", "60_plus")] == 40_007
        assert {sex for sex, _ in targets} == {"male", "female"}


BAD_ROWS = [
    ("99,2025,male,18_29,10\n", "Không có đơn vị 99 còn hiệu lực năm 2025"),
    ("347,2026,male,18_29,10\n", "Không có đơn vị 347 còn hiệu lực năm 2026"),  # Phủ Lý ended in 2025
    ("37,2025,nam,18_29,10\n", "Không có mã giới tính “nam”"),
    ("37,2025,male,18-29,10\n", "Không có nhóm tuổi “18-29”"),
    ("37,2025,male,30_44,-5\n", "Số người phải là số nguyên từ 0 trở lên, không phải “-5”"),
    ("37,2025,male,30_44,12.5\n", "Số người phải là số nguyên từ 0 trở lên, không phải “12.5”"),
    ("37,2025,male,30_44,40000000000\n", "Số người 40000000000 lớn hơn số người trưởng thành"),
    ("37,năm 2025,male,30_44,10\n", "Năm phải là một năm (2025)"),
    ("37,2025,1,18_29,10\n", "Trùng đơn vị, năm, giới tính và nhóm tuổi với dòng 2"),
]


@pytest.mark.parametrize("row,reason", BAD_ROWS)
def test_each_bad_row_is_refused_with_its_number_and_nothing_is_stored(app, row, reason):
    _units(app)
    with app.app_context():
        data = HEADER + "37,2025,male,18_29,40000\n" + row
        with pytest.raises(PopulationImportRefused) as refused:
            import_population(data.encode("utf-8"))
        db.session.rollback()
        assert [number for number, _ in refused.value.problems] == [3]
        assert reason in refused.value.problems[0][1]
        assert _count() == 0


def test_a_file_not_in_utf8_and_a_missing_column_are_refused(app):
    _units(app)
    with app.app_context():
        with pytest.raises(PopulationImportRefused, match="UTF-8"):
            import_population(GOOD.encode("utf-16"))
        with pytest.raises(PopulationImportRefused, match="Thiếu cột: count"):
            import_population(b"unit_code,year,sex,age_group\n37,2025,male,18_29\n")
        assert _count() == 0


def test_cli_prints_each_problem_and_stores_nothing_then_imports(runner, tmp_path, app):
    _units(app)
    path = tmp_path / "dan-so.csv"
    path.write_text(HEADER + "37,2025,male,18_29,40000\n37,2025,male,30_44,nhiều\n36,2025,male,18_29,1\n",
                    encoding="utf-8")
    result = runner.invoke(args=["population", "import", str(path)])
    assert result.exit_code == 1
    assert "Dòng 3: Số người phải là số nguyên từ 0 trở lên, không phải “nhiều”." in result.output
    assert "Dòng 4: Không có đơn vị 36 còn hiệu lực năm 2025." in result.output
    assert "Không nhập gì." in result.output
    with app.app_context():
        assert _count() == 0
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["population", "import", str(path)])
    assert result.exit_code == 0 and "16 số liệu dân số được tạo" in result.output
    result = runner.invoke(args=["population", "import", str(path)])
    assert result.exit_code == 0 and "0 số liệu dân số được tạo, 0 được cập nhật, 16 không đổi" in result.output


def test_population_page_refuses_bad_rows_then_imports_and_shows_totals(app, client, auth):
    _units(app)
    _admin(app, auth)
    assert "/admin/population" in client.get("/admin/").get_data(as_text=True)
    bad = (HEADER + "37,2025,male,18_29,40000\n37,2025,male,18_29,40000\n").encode("utf-8")
    page = _upload(client, auth, "/admin/population", bad, "dan-so.csv")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Dòng 3: Trùng đơn vị, năm, giới tính và nhóm tuổi với dòng 2." in text
    assert "Tệp bị từ chối; không nhập gì." in text
    assert _upload(client, auth, "/admin/population", GOOD.encode(), "dan-so.csv",
                   with_token=False).status_code == 400
    with app.app_context():
        assert _count() == 0
    page = _upload(client, auth, "/admin/population", GOOD.encode("utf-8-sig"), "dan-so.csv")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "16 số liệu dân số được tạo" in text
    assert '<tr data-unit="37" data-year="2025"><td>37</td><td>Tỉnh Ninh Bình</td><td>2025</td>' \
           '<td class="num">320.028</td><td class="num">8</td></tr>' in text
    assert '<td>Thành phố Phủ Lý</td><td>2024</td><td class="num">8.000</td>' in text


@pytest.mark.parametrize("role", [Role.ANALYST, Role.UNIT_EDITOR])
def test_population_page_is_for_administrators_only(app, client, auth, role):
    with app.app_context():
        user = User(username="khac", full_name="Người khác")
        user.set_password("other-password")
        user.roles.append(UserRole(role=role))
        db.session.add(user)
        db.session.commit()
    auth.login("khac", "other-password")
    assert client.get("/admin/population").status_code == 403
    token = auth.csrf("/")  # the sign-out form's token: the refusal is the role, not the token
    upload = client.post("/admin/population", data={"file": (io.BytesIO(GOOD.encode()), "dan-so.csv"),
                                                    "csrf_token": token}, content_type="multipart/form-data")
    assert upload.status_code == 403
    with app.app_context():
        assert _count() == 0
