"""Question labels as ODK shows them: text escaped first, then a small markdown subset."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

_BREAK = re.compile(r"&lt;br\s*/?&gt;", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])[*_](?![\s*])(.+?)(?<![\s*])[*_](?![*\w])")


def form_text(text: str | None) -> Markup:
    """Escape ``text``, then honour ``**bold**``, ``*italic*``, ``<br>`` and line breaks."""
    html = str(escape(text or ""))
    html = _BREAK.sub("<br>", html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return Markup(html.replace("\n", "<br>"))
