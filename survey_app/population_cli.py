"""``flask --app wsgi population import FILE.csv``: the adults of each unit by sex and age group."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from survey_app.cli_support import import_or_exit
from survey_app.i18n import _

population_cli = AppGroup("population", help="Import the population figures the analysis weights to.")


@population_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def population_import(file):
    """Import population figures from FILE (CSV: unit_code, year, sex, age_group, count)."""
    from survey_app.population_import import import_population

    result = import_or_exit(import_population, file)
    click.echo(_("%(created)s population figures created, %(updated)s updated, %(unchanged)s unchanged, "
                 "%(removed)s removed.", created=result.created, updated=result.updated,
                 unchanged=result.unchanged, removed=result.removed))
