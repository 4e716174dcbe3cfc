"""The one refusal of the campaign services, with its problems in the reader's language."""
from __future__ import annotations


class CampaignRefused(ValueError):
    """The campaign cannot be created or changed so; ``problems`` are in the reader's language."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems
