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
        with pytest.raises(FrameworkError, match=r"level commune, field 1 1\.1: parts add up to"):
            load_framework(_broken(tmp_path, bump))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Framework)) == 0
        assert db.session.scalar(select(func.count()).select_from(FrameworkNode)) == 0


def test_unknown_method_is_named(app, tmp_path):
    def unknown(document):
        document["levels"]["district"]["fields"][0]["criteria"][0]["sub_criteria"][0]["method"] = "guess"
    with app.app_context(), pytest.raises(FrameworkError, match="unknown method 'guess'"):
        load_framework(_broken(tmp_path, unknown))


def test_cli_refuses_a_broken_file_with_one_line(runner, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("code: x\nversion: 1\nlevels: {}\n")
    result = runner.invoke(args=["framework", "load", str(path)])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: the file has no levels:"


def test_leaves_are_sub_criteria(app):
    with app.app_context():
        framework = load_framework(SHIPPED)
        assert {n.kind for n in framework.leaves("commune")} == {NodeKind.SUB_CRITERION}
