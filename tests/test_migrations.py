"""Migrating an empty database to head gives exactly the models' schema."""
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from survey_app.extensions import db


def test_head_matches_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_alembic_version_is_head(app):
    from alembic.script import ScriptDirectory

    with app.app_context(), db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    script = ScriptDirectory(str(Path(__file__).resolve().parents[1] / "migrations"))
    assert current is not None and current == script.get_current_head()
