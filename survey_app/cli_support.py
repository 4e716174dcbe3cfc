"""What every ``flask --app wsgi`` command shares: finding the campaign it names, or stopping
with the one message in the operator's language."""
from __future__ import annotations

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
