"""The framework loader: shipped file loads; a file whose points do not add up is refused."""
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.frameworks import FrameworkError, load_framework
from survey_app.models import Framework, FrameworkNode, NodeKind

SHIPPED = Path(__file__).resolve().parents[1] / "questionnaires" / "frameworks" / "par_units_2024.yaml"


def test_shipped_framework_loads_with_three_levels(app):
    with app.app_context():
        framework = load_framework(SHIPPED)
        db.session.commit()
        for level in ("department", "district", "commune"):
            fields = framework.roots(level)
            assert len(fields) == 8
            assert sum(f.max_points for f in fields) == 100
            assert all(n.method is not None for n in framework.leaves(level))
        assert load_framework(SHIPPED).id == framework.id  # the same version loads once


def _broken(tmp_path, change) -> Path:
    document = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_points_that_do_not_add_up_are_refused_and_nothing_stored(app, tmp_path):
    def bump(document):
        document["levels"]["commune"]["fields"][0]["criteria"][0]["max_points"] += 1
    with app.app_context():
        with pytest.raises(FrameworkError, match=r"cấp commune, lĩnh vực 1 1\.1: tổng các phần là 3, không phải 4"):
            load_framework(_broken(tmp_path, bump))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Framework)) == 0
        assert db.session.scalar(select(func.count()).select_from(FrameworkNode)) == 0


def test_unknown_method_is_named(app, tmp_path):
    def unknown(document):
        document["levels"]["district"]["fields"][0]["criteria"][0]["sub_criteria"][0]["method"] = "guess"
    with app.app_context(), pytest.raises(FrameworkError, match="không có phương pháp chấm 'guess'"):
        load_framework(_broken(tmp_path, unknown))


def test_cli_refuses_a_broken_file_with_one_line(runner, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("code: x\nversion: 1\nlevels: {}\n")
    result = runner.invoke(args=["framework", "load", str(path)])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: tệp không có levels: (các cấp)"


def test_leaves_are_sub_criteria(app):
    with app.app_context():
        framework = load_framework(SHIPPED)
        assert {n.kind for n in framework.leaves("commune")} == {NodeKind.SUB_CRITERION}


SHIPPED_2025 = SHIPPED.with_name("par_units_2025.yaml")


def _first_leaf(document, level="department", method=None):
    for field in document["levels"][level]["fields"]:
        for criterion in field["criteria"]:
            for leaf in criterion["sub_criteria"]:
                if method is None or leaf.get("method", "self_assessed") == method:
                    return leaf
    raise AssertionError("no such leaf")


@pytest.mark.parametrize("change,message", [
    (lambda d: _first_leaf(d, method="survey")["survey"].update(indicator="pct_happy"),
     "chỉ số pct_happy không phải là chỉ số mà phân tích tính ra"),
    (lambda d: _first_leaf(d, method="survey")["survey"].update(factor="F9"), "không có yếu tố F9"),
    (lambda d: _first_leaf(d, method="self_assessed").update(step=0.3), "không phải là bội của bước điểm 0.3"),
    (lambda d: _first_leaf(d, method="penalty").update(step=0), "bước điểm 0 không phù hợp"),
])
def test_survey_indicators_steps_and_caps_are_checked_with_the_node_named(app, tmp_path, change, message):
    with app.app_context(), pytest.raises(FrameworkError, match=rf"cấp department, lĩnh vực \d+ [\d.]+ [\d.]+: .*{message}"):
        load_framework(_broken(tmp_path, change))


def test_versions_side_by_side_a_changed_file_under_a_stored_version_is_refused(app, tmp_path):
    with app.app_context():
        old = load_framework(SHIPPED)
        new = load_framework(SHIPPED_2025)
        db.session.commit()
        assert (old.version, new.version) == ("2024.1", "2025.1")
        assert set(new.settings["levels"]) == {"department", "commune"}  # two tiers, no district
        assert any(n.province_choice for n in new.nodes)

        def retitle(document):
            document["levels"]["commune"]["fields"][0]["name"]["vi"] = "Lĩnh vực mới"
        with pytest.raises(FrameworkError, match="2024.1 đã được nạp từ một tệp khác"):
            load_framework(_broken(tmp_path, retitle))


def test_diff_names_added_removed_changed_and_moved_nodes(app, runner, tmp_path):
    def edit(document):
        document["version"] = "2024.2"
        fields = document["levels"]["commune"]["fields"]
        moved = fields[0]["criteria"].pop()  # last criterion of field 1 moves to field 2
        fields[1]["criteria"].append(moved)
        fields[0]["max_points"] -= moved["max_points"]
        fields[1]["max_points"] += moved["max_points"]
        del document["levels"]["district"]
    with app.app_context():
        load_framework(SHIPPED)
        load_framework(_broken(tmp_path, edit))
        db.session.commit()
    result = runner.invoke(args=["framework", "diff", "par_units", "2024.1", "2024.2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("commune 1.") and "chuyển từ 1 sang 2" in line for line in lines)
    assert any(line.startswith("commune 1 (") and "điểm tối đa" in line for line in lines)
    assert any(line.startswith("district 1 (") and line.endswith("bị bỏ") for line in lines)
    missing = runner.invoke(args=["framework", "diff", "par_units", "2024.1", "9"])
    assert missing.exit_code == 1 and "Không có bộ chỉ số par_units phiên bản 9." in missing.output
