"""The languages of a questionnaire definition: keys are the XLSForm column suffixes as written
(``label::Tiếng Việt (vi)`` -> "Tiếng Việt (vi)"), read at import and again by every reader of a
stored definition (the codebook, back-checks), which need the ISO code, not pyxform.
"""
from __future__ import annotations

import re

_ISO_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\)\s*$")


def language_code(language: str) -> str | None:
    """The ISO code in parentheses at the end of a language key: "Tiếng Việt (vi)" -> "vi"."""
    match = _ISO_CODE.search(language)
    return match.group(1).lower() if match else None
