"""XLSForm conformance: pyxform's own test workbooks (shared/conformance/xlsform).

Every form in accept/ imports, with questions, pages and expressions our engine parses;
every form in reject/ is refused naming its row or column, and nothing is stored.
"""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Questionnaire, QuestionnaireVersion
from survey_app.questionnaire import expressions
from survey_app.questionnaire.importer import ImportRefused, import_form

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "xlsform"
ACCEPT = sorted((CONFORMANCE / "accept").glob("*.*"))

# What each refusal must say (the row or column that is wrong, and why).
REJECT = {
    "bad_calc.xlsx": ["dòng 2", "cột calculation", "because pyxform doesn't know what to do"],
    "calculate_without_calculation.xls": ["row : 34", "Missing calculation"],
    "duplicate_columns.xlsx": ["Duplicate column header: label"],
    "unknown_question_type.xls": ["'bind:relevant'", "'relevance'", "survey"],
}

pytestmark = pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=f"{CONFORMANCE} is missing")


def _expressions(question: dict):
    bind = question["bind"]
    for expr in (bind["relevant"], bind["constraint"], bind["calculation"], bind["required"],
                 bind["readonly"], question["repeat_count"], question["choice_filter_expression"],
                 bind["default"] if bind["default_is_dynamic"] else None):
        if expr:
            yield expr


def _page_paths(pages: list[dict]):
    for page in pages:
        yield from page.get("questions", [])
        yield from _page_paths(page.get("pages", []))


def test_the_conformance_forms_are_there():
    assert len(ACCEPT) == 17
    assert sorted(p.name for p in (CONFORMANCE / "reject").glob("*.*")) == sorted(REJECT)


@pytest.mark.parametrize("path", ACCEPT, ids=lambda p: p.name)
def test_accepted_form_imports(app, path):
    with app.app_context():
        version = import_form(path.name, path.read_bytes())
        db.session.commit()
        definition = db.session.get(QuestionnaireVersion, version.id).definition
    questions, pages = definition["questions"], definition["pages"]
    assert questions and definition["pyxform"]["children"]
    paths = {q["path"] for q in questions}
    assert set(_page_paths(pages)) <= paths
    if any(q["type"] not in ("calculate", "hidden") for q in questions):
        assert pages
    for question in questions:
        assert question["row"] is not None, question["name"]
        for expr in _expressions(question):
            expressions.validate(expr)


@pytest.mark.parametrize("name", sorted(REJECT))
def test_rejected_form_is_refused_and_nothing_stored(app, name):
    path = CONFORMANCE / "reject" / name
    with app.app_context():
        with pytest.raises(ImportRefused) as refused:
            import_form(name, path.read_bytes())
        assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 0
        assert db.session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 0
    message = str(refused.value)
    assert message.startswith(f"Không nhập được phiếu {name}: ")
    for expected in REJECT[name]:
        assert expected in message


def test_rejected_form_through_the_command_line_exits_1(app, runner):
    result = runner.invoke(args=["questionnaire", "import",
                                 str(CONFORMANCE / "reject" / "bad_calc.xlsx")])
    assert result.exit_code == 1
    assert "dòng 2, cột calculation" in result.output
