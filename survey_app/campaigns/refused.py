"""The one refusal of the campaign services, with its problems in the reader's language, and
who made a change."""
from __future__ import annotations

from survey_app.refusals import Refused


class CampaignRefused(Refused):
    """The campaign cannot be created or changed so; ``problems`` are in the reader's language
    (422 for what was asked, 409 for a step the campaign's state does not allow)."""

    def __init__(self, problems: list[str], status: int = 422):
        super().__init__(status, problems)


def actor_id() -> int | None:
    """The signed-in user's id for a change's record, as the audit log sees them (None: the CLI)."""
    from survey_app.models.audit import _current_actor

    return _current_actor()[0]
