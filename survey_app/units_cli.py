"""``flask --app wsgi units import FILE.csv``: the units of the province from a CSV file."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from survey_app.cli_support import import_or_exit
from survey_app.i18n import _

units_cli = AppGroup("units", help="Import administrative units.")


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def units_import(file):
    """Import units from FILE (CSV: code, name, level, parent_code, valid_from, valid_to, predecessors)."""
    from survey_app.unit_import import import_units

    result = import_or_exit(import_units, file)
    click.echo(_("%(created)s units created, %(updated)s updated, %(unchanged)s unchanged, "
                 "%(successions)s successions recorded.", created=result.created, updated=result.updated,
                 unchanged=result.unchanged, successions=result.successions))
