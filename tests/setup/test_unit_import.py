"""Units from a CSV file: a good file stores the tree and its successions once; each kind of bad
row is refused with its row number and a Vietnamese reason, and nothing is stored."""
import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AdminUnit, UnitSuccession
from survey_app.unit_import import UnitImportRefused, import_units

HEADER = "code,name,level,parent_code,valid_from,valid_to,predecessors\n"
GOOD = HEADER + (
    "37,Tỉnh Ninh Bình,province,,2025,,\n"
    "35,Tỉnh Hà Nam,province,,1997,2025-06-30,\n"
    "347,Thành phố Phủ Lý,district,35,1997,2025-06-30,\n"
    "00004,Phường Quang Trung,commune,347,1997,2025,\n"
    "00007,Phường Lê Hồng Phong,commune,347,1997,2025,\n"
    "00010,Phường Phủ Lý,commune,37,2025-07-01,,00004;00007\n")


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_good_file_keeps_codes_and_successions_and_a_second_import_changes_nothing(app):
    with app.app_context():
        result = import_units(GOOD.encode("utf-8-sig"))  # a BOM, as spreadsheet programs write it
        assert (result.created, result.successions) == (6, 2)
        ward = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "00010"))
        assert ward.parent.code == "37" and ward.valid_from == 2025 and ward.level.code == "commune"
        assert sorted(s.predecessor.code for s in db.session.scalars(select(UnitSuccession))) == ["00004", "00007"]
        assert db.session.scalar(select(AdminUnit).where(AdminUnit.code == "347")).valid_to == 2025
        again = import_units(GOOD.encode("utf-8"))
        assert (again.created, again.updated, again.unchanged, again.successions) == (0, 0, 6, 0)
        assert _count(AdminUnit) == 6 and _count(UnitSuccession) == 2


BAD_ROWS = [
    ("35,Tỉnh Hà Nam,tinh,,1997,,\n", "Không có cấp"),
    ("35,Tỉnh Hà Nam,province,99,1997,,\n", "Không có đơn vị cấp trên 99"),
    ("35,Tỉnh Hà Nam,province,,2025,,77\n", "Không có đơn vị tiền thân 77"),
    ("37,Tỉnh Ninh Bình,province,,2020,,\n", "Mã 37 xuất hiện hai lần"),
    ("35,Tỉnh Hà Nam,province,,2024,2020,\n", "valid_to (2020) trước valid_from (2024)"),
    ("35,,province,,1997,,\n", "Thiếu tên"),
    ("35,Tỉnh Hà Nam,province,,năm 1997,,\n", "valid_from phải là một năm"),
]


@pytest.mark.parametrize("row,reason", BAD_ROWS)
def test_each_bad_row_is_refused_with_its_number_and_nothing_is_stored(app, row, reason):
    with app.app_context():
        data = HEADER + "37,Tỉnh Ninh Bình,province,,2025,,\n" + row
        with pytest.raises(UnitImportRefused) as refused:
            import_units(data.encode("utf-8"))
        db.session.rollback()
        assert [number for number, _ in refused.value.problems] == [3]
        assert reason in refused.value.problems[0][1]
        assert _count(AdminUnit) == 0


def test_a_file_not_in_utf8_and_a_missing_column_are_refused(app):
    with app.app_context():
        with pytest.raises(UnitImportRefused, match="UTF-8"):
            import_units(GOOD.encode("utf-16"))  # Excel's "Unicode text"
        with pytest.raises(UnitImportRefused, match="Thiếu cột: predecessors"):
            import_units(b"code,name,level,parent_code,valid_from,valid_to\n35,X,province,,1997,\n")
        assert _count(AdminUnit) == 0


def test_cli_prints_each_problem_and_stores_nothing(runner, tmp_path, app):
    path = tmp_path / "units.csv"
    path.write_text(HEADER + "35,Tỉnh Hà Nam,province,,1997,,\n001,Xã A,commune,36,2000,,\n", encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 1
    assert "Dòng 3: Không có đơn vị cấp trên 36 còn hiệu lực năm 2000." in result.output
    assert "Không nhập gì." in result.output
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 0 and "6 đơn vị được tạo" in result.output
