"""``flask --app wsgi units import FILE.csv``: the units of the province from a CSV file."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey_app.extensions import db
from survey_app.i18n import _

units_cli = AppGroup("units", help="Import administrative units.")


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def units_import(file):
    """Import units from FILE (CSV: code, name, level, parent_code, valid_from, valid_to, predecessors)."""
    from survey_app.unit_import import UnitImportRefused, import_units

    try:
        result = import_units(Path(file).read_bytes())
    except UnitImportRefused as exc:
        db.session.rollback()
        for row, message in exc.problems:
            click.echo(_("Row %(row)s: %(message)s", row=row, message=message) if row else message, err=True)
        raise click.ClickException(_("Nothing was imported.")) from None
    click.echo(_("%(created)s units created, %(updated)s updated, %(unchanged)s unchanged, "
                 "%(successions)s successions recorded.", created=result.created, updated=result.updated,
                 unchanged=result.unchanged, successions=result.successions))
