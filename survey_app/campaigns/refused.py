"""The one refusal of the campaign services, with its problems in the reader's language, and
who made a change."""
from __future__ import annotations


class CampaignRefused(ValueError):
    """The campaign cannot be created or changed so; ``problems`` are in the reader's language."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def actor_id() -> int | None:
    """The signed-in user's id for a change's record, as the audit log sees them (None: the CLI)."""
    from survey_app.models.audit import _current_actor

    return _current_actor()[0]
