"""The codebook (*sổ mã biến*): every exported variable with its label, question and answer codes,
read from the questionnaire version's normalised definition (``definition["questions"]``).

Each answer code is given as the form stores it (CSV, XLSX) and as the SPSS and Stata files
store it, so the codebook and every file agree: a list with text codes (``18_29``) is numbered
1..k in choice order in ``.sav``/``.dta``; a "don't know" or refusal code (*Không biết / không trả
lời*: the campaign's ``missing_codes``, and any choice labelled so) is declared missing, an SPSS
user-missing value and a Stata extended missing value ``.a``, ``.b``, … in code order.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from survey_app.questionnaire.languages import language_code
from survey_app.questionnaire.types import question_type

SKIPPED_TYPES = {"group", "repeat", "begin_group", "end_group"}
DESIGN_VARIABLES = [
    ("instance_uuid", "Submission identifier", "Mã phiếu"),
    ("unit_code", "Assessed unit (stratum)", "Đơn vị được đánh giá (tầng)"),
    ("stratum", "Sampling stratum", "Tầng chọn mẫu"),
    ("psu", "Primary sampling unit (village)", "Đơn vị mẫu cấp 1 (thôn, tổ dân phố)"),
    ("selection_probability", "Selection probability", "Xác suất chọn"),
    ("base_weight", "Base weight (1 / selection probability)", "Quyền số thiết kế"),
    ("weight", "Final weight (raked by unit to sex and age group)", "Quyền số cuối cùng (hiệu chỉnh)"),
    ("analysed", "Kept for analysis (1) or excluded (0)", "Đưa vào phân tích (1) hay loại (0)"),
    ("review_state", "Review state", "Trạng thái kiểm tra"),
    ("channel", "Channel: enumerator, invitation (letter), web_link, open_link (self-selected, never in the "
                "official estimates)", "Kênh thu thập: điều tra viên, thư mời, đường dẫn, đường dẫn mở (tự chọn, "
                "không đưa vào ước lượng chính thức)"),
    ("mode", "Mode (face_to_face: interviewer; web: self-completed)",
     "Hình thức (face_to_face: phỏng vấn trực tiếp; web: tự trả lời trực tuyến)"),
]
#: Choice labels (any language) that mark a "don't know" or refusal answer.
NO_ANSWER = re.compile(r"không biết|không trả lời|từ chối|don.?t know|do not know|no answer|refus", re.IGNORECASE)


def label_in(labels: dict | None, locale: str) -> str:
    """The text for ``locale`` from a ``{"Tiếng Việt (vi)": ..., "English (en)": ...}`` map."""
    if not labels:
        return ""
    for key, text in labels.items():
        if language_code(key) == locale:
            return text
    return labels.get("default") or next(iter(labels.values()))


@dataclass
class Variable:
    """One column of the export: its name, label, the question text and answer codes."""

    name: str
    label: str
    kind: str
    question: str = ""
    choices: dict[str, str] = field(default_factory=dict)
    #: The codes of ``choices`` declared missing (don't know, refusal), in choice order.
    missing: tuple[str, ...] = ()

    @property
    def handler(self):
        """The variable's question type (types/); a design variable is handled as text."""
        return question_type(self.kind)

    @property
    def coded(self) -> bool:
        """Whether the values are codes numbered and labelled in .sav/.dta (a single choice)."""
        return bool(self.choices) and self.handler.single_choice

    @property
    def numeric_codes(self) -> bool:
        return bool(self.choices) and all(c.lstrip("-").isdigit() for c in self.choices)

    def file_codes(self) -> dict[str, int]:
        """Form code → the number stored in ``.sav`` and ``.dta``: the code itself when every code
        is a whole number, else 1..k in choice order."""
        if self.numeric_codes:
            return {c: int(c) for c in self.choices}
        return {c: i for i, c in enumerate(self.choices, start=1)}

    def stata_codes(self) -> dict[str, int | str]:
        """Form code → the ``.dta`` value: :meth:`file_codes`, or the letter of the extended
        missing value (``a`` for ``.a``, …) for the missing codes, in order of their number."""
        numbers = self.file_codes()
        letters = dict(zip(sorted(self.missing, key=numbers.get), string.ascii_lowercase))
        return {c: letters.get(c, n) for c, n in numbers.items()}


def missing_choices(choices: list[dict], missing_codes: set[str]) -> tuple[str, ...]:
    """Codes of the choices that mean "don't know" or a refusal: one of the campaign's
    ``missing_codes`` (``9``), or labelled so in any language (``Không biết``, ``Refused``)."""
    return tuple(str(c["name"]) for c in choices
                 if str(c["name"]) in missing_codes
                 or any(NO_ANSWER.search(str(text)) for text in (c.get("labels") or {}).values()))


def question_variables(definition: dict, locale: str, missing_codes: set[str] = frozenset()) -> list[Variable]:
    """Answer variables in form order; selects carry their choices as code → label, and the
    codes declared missing (:func:`missing_choices`) for single-choice questions."""
    out = []
    for q in definition.get("questions", []):
        if q.get("type") in SKIPPED_TYPES or not question_type(q.get("type")).has_value:
            continue
        label = label_in(q.get("labels"), locale)
        listed = q.get("choices") or []
        choices = {str(c["name"]): label_in(c.get("labels"), locale) for c in listed}
        missing = missing_choices(listed, missing_codes) if question_type(q.get("type")).single_choice else ()
        out.append(Variable(q["name"], label or q["name"], q.get("type", "text"), label, choices, missing))
    return out


def design_variables(locale: str) -> list[Variable]:
    return [Variable(name, vi if locale == "vi" else en, "design") for name, en, vi in DESIGN_VARIABLES]


def codebook(definition: dict, locale: str, missing_codes: set[str] = frozenset()) -> list[Variable]:
    """Design variables first, then the questionnaire's answers (a question named like a design
    variable, such as the hidden ``unit_code``, is given once, from the design)."""
    design = design_variables(locale)
    taken = {v.name for v in design}
    return design + [v for v in question_variables(definition, locale, missing_codes) if v.name not in taken]


CODEBOOK_HEADER = ("variable", "label", "type", "question", "code", "code_label", "sav_code", "dta_code",
                   "missing")


def codebook_rows(variables: list[Variable]):
    """Rows of :data:`CODEBOOK_HEADER`, one per answer code: the code as in CSV and XLSX, its
    label, the value in ``.sav`` and in ``.dta`` (``.a`` for an extended missing value) and
    whether it is declared missing (1) or not (0)."""
    yield CODEBOOK_HEADER
    for v in variables:
        if not v.choices:
            yield (v.name, v.label, v.kind, v.question, "", "", "", "", "")
        sav, dta = (v.file_codes(), v.stata_codes()) if v.coded else ({}, {})
        for code, text in v.choices.items():
            stata = dta.get(code, "")
            yield (v.name, v.label, v.kind, v.question, code, text, sav.get(code, ""),
                   f".{stata}" if isinstance(stata, str) and stata else stata, int(code in v.missing))
