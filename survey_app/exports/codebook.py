"""The codebook (*sổ mã biến*): every exported variable with its label, question and answer codes,
read from the questionnaire version's normalised definition (``definition["questions"]``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from survey_app.questionnaire.definition import language_code
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
]


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

    @property
    def numeric_codes(self) -> bool:
        return bool(self.choices) and all(c.lstrip("-").isdigit() for c in self.choices)


def question_variables(definition: dict, locale: str) -> list[Variable]:
    """Answer variables in form order; selects carry their choices as code → label."""
    out = []
    for q in definition.get("questions", []):
        if q.get("type") in SKIPPED_TYPES or not question_type(q.get("type")).has_value:
            continue
        label = label_in(q.get("labels"), locale)
        choices = {str(c["name"]): label_in(c.get("labels"), locale) for c in q.get("choices") or []}
        out.append(Variable(q["name"], label or q["name"], q.get("type", "text"), label, choices))
    return out


def design_variables(locale: str) -> list[Variable]:
    return [Variable(name, vi if locale == "vi" else en, "design") for name, en, vi in DESIGN_VARIABLES]


def codebook(definition: dict, locale: str) -> list[Variable]:
    """Design variables first, then the questionnaire's answers (a question named like a design
    variable, such as the hidden ``unit_code``, is given once, from the design)."""
    design = design_variables(locale)
    taken = {v.name for v in design}
    return design + [v for v in question_variables(definition, locale) if v.name not in taken]


def codebook_rows(variables: list[Variable]):
    """Rows ``(variable, label, type, question, code, code label)``, one per answer code."""
    yield ("variable", "label", "type", "question", "code", "code_label")
    for v in variables:
        if not v.choices:
            yield (v.name, v.label, v.kind, v.question, "", "")
        for code, text in v.choices.items():
            yield (v.name, v.label, v.kind, v.question, code, text)
