"""One error type for every domain refusal (*từ chối*): an HTTP status, a message for the reader
and the problems found, rendered once by :mod:`survey_app.errors` as an HTML page or JSON.

The refusals of each part (an upload, an import, a send from the collector…) subclass it, so a
view that does not catch one still answers its 4xx with the message, never a 500.
"""
from __future__ import annotations


class Refused(ValueError):
    """A request the platform will not carry out; nothing was stored."""

    def __init__(self, status: int = 422, problems=(), message: str | None = None):
        self.status = status
        self.problems = list(problems)
        self.message = str(message) if message is not None else "; ".join(
            str(p.get("message", p)) if isinstance(p, dict) else str(getattr(p, "message", p))
            for p in self.problems)
        super().__init__(self.message)

    def problem_list(self) -> list:
        """The problems as JSON: ``{"key", "message"}`` objects or plain texts."""
        out = []
        for problem in self.problems:
            if isinstance(problem, (dict, str)):
                out.append(problem)
            else:
                out.append({"key": getattr(problem, "key", None), "message": str(getattr(problem, "message", problem))})
        return out


class MessageRefused(Refused):
    """A refusal said in one message (the older refusal classes take only that)."""

    def __init__(self, message: str = "", status: int = 422):
        super().__init__(status, (), message)
