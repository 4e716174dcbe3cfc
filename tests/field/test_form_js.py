"""The offline collector's form.js against the server engine, run in node (no browser): the
answers it finishes have the engine's shape and pass its check, and the problems it finds
inside repeat instances are the ones the server finds (same keys)."""
import json
import subprocess
from pathlib import Path


from survey_app.questionnaire.engine import FormEngine
from survey_app.questionnaire.importer import parse_form
from survey_app.questionnaire.types import browser_types
from tests.field.world import MEDIA_FORM, MINI_FORM, SIPAS
from tests.programs import need_program

RUNNER = Path(__file__).with_name("form_js.js")
META = {"start": "2024-08-05T09:00:00+07:00", "end": "2024-08-05T09:10:00+07:00", "deviceid": "dev-1"}
PHOTO = "a" * 64 + ".png"
NESTED = """| survey |
| | type | name | label |
| | begin_repeat | household | Household |
| | text | address | Address |
| | begin_repeat | person | Person |
| | text | pname | Name |
| | end_repeat | | |
| | end_repeat | | |
| settings |
| | form_id | version |
| | nested | 1 |
"""


def definition(text: str, name: str = "form.md") -> dict:
    """The form as the collector's bundle sends it: with its types' descriptions."""
    parsed = parse_form(name, text.encode()).definition
    return dict(parsed, types=browser_types(q["type"] for q in parsed["questions"]))


def run(form: dict, answers: dict, meta: dict | None = None) -> dict:
    node = need_program("node", "to check survey_app/static/field/form.js")
    proc = subprocess.run([node, str(RUNNER)], input=json.dumps({"definition": form, "answers": answers,
                                                                 "meta": meta or {}}),
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)


def household(**changes) -> dict:
    """A draft as the collector holds it: no calculations, no metadata yet."""
    answers = {"visits": "2", "visit": [{"wait": "15"}, {"wait": "40"}],
               "member": [{"m_name": "An", "m_age": "44", "m_work": "1"}, {"m_name": "Bình", "m_age": "9"}],
               "photo": PHOTO}
    answers.update(changes)
    return answers


def test_finished_answers_have_the_engines_shape_and_pass_its_check():
    form = definition(MEDIA_FORM)
    result = run(form, household(), META)
    finished = result["finished"]
    assert result["supported"] is True and result["problems"] == {}
    assert finished == {**META, "visits": "2", "photo": PHOTO, "members": "2", "adults": "1",
                        "visit": [{"wait": "15", "visit_no": "1"}, {"wait": "40", "visit_no": "2"}],
                        "member": [{"m_name": "An", "m_age": "44", "m_adult": "1", "m_work": "1"},
                                   {"m_name": "Bình", "m_age": "9", "m_adult": "0"}]}
    engine = FormEngine(form)
    assert engine.problems(finished) == []
    assert engine.calculate(finished) == finished  # the server calculates the same values


def test_problems_inside_instances_are_the_servers():
    form = definition(MEDIA_FORM)
    answers = household(member=[{"m_name": "An", "m_age": "44"}, {"m_name": "", "m_age": "130"}],
                        visit=[{"wait": "-3"}, {"wait": "5"}])
    result = run(form, answers)
    engine = FormEngine(form)
    server = {p.key for p in engine.problems(engine.calculate(answers))}
    assert set(result["problems"]) == server == {"member[1]/m_work", "member[2]/m_name", "member[2]/m_age",
                                                  "member[2]/m_work", "visit[1]/wait"}


def test_a_counted_repeat_is_sized_by_its_count_and_a_hidden_one_dropped():
    form = definition(MEDIA_FORM)
    finished = run(form, household(visits="1"))["finished"]
    assert finished["visit"] == [{"wait": "15", "visit_no": "1"}]
    finished = run(form, household(visits="0", visit=[]))["finished"]
    assert finished["visit"] == [] and FormEngine(form).problems(finished) == []


def test_repeats_inside_repeats_are_refused_before_an_interview_starts():
    assert run(definition(NESTED), {})["supported"] is False
    assert run(definition(MINI_FORM), {})["supported"] is True
    assert run(definition(SIPAS.read_text(encoding="utf-8"), SIPAS.name), {})["supported"] is True
