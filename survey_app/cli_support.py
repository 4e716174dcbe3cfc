"""What every ``flask --app wsgi`` command shares: finding the campaign it names, or stopping
with the one message in the operator's language."""
from __future__ import annotations

from pathlib import Path

import click
from survey_app.i18n import _

from survey_app.models import Campaign
from survey_app.queries import campaign_by_code


def campaign_or_exit(code: str) -> Campaign:
    """The campaign ``code`` (*đợt đánh giá*); a missing one stops the command with exit code 1."""
    found = campaign_by_code(code)
    if found is None:
        raise click.ClickException(_("No campaign %(code)s.", code=code))
    return found


def import_or_exit(importer, file: str):
    """Run ``importer`` on the bytes of ``file`` (a CSV imported whole or refused row by row);
    on refusal print each row's problem and stop with nothing stored."""
    from survey_app.extensions import db
    from survey_app.unit_import import UnitImportRefused

    try:
        return importer(Path(file).read_bytes())
    except UnitImportRefused as exc:
        db.session.rollback()
        for row, message in exc.problems:
            click.echo(_("Row %(row)s: %(message)s", row=row, message=message) if row else message, err=True)
        raise click.ClickException(_("Nothing was imported.")) from None
