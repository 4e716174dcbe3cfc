"""``flask --app wsgi population import FILE.csv``: the adults of each unit by sex and age group."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey_app.extensions import db
from survey_app.i18n import _

population_cli = AppGroup("population", help="Import the population figures the analysis weights to.")


@population_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def population_import(file):
    """Import population figures from FILE (CSV: unit_code, year, sex, age_group, count)."""
    from survey_app.population_import import PopulationImportRefused, import_population

    try:
        result = import_population(Path(file).read_bytes())
    except PopulationImportRefused as exc:
        db.session.rollback()
        for row, message in exc.problems:
            click.echo(_("Row %(row)s: %(message)s", row=row, message=message) if row else message, err=True)
        raise click.ClickException(_("Nothing was imported.")) from None
    click.echo(_("%(created)s population figures created, %(updated)s updated, %(unchanged)s unchanged, "
                 "%(removed)s removed.", created=result.created, updated=result.updated,
                 unchanged=result.unchanged, removed=result.removed))
