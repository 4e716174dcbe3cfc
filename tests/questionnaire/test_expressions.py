"""The XLSForm expression language: shared vectors against the Python
evaluator and (through ``run_vectors.js``) the browser evaluator, plus the
Python-only API (references, validate, parse caching).

Vector format (expression_vectors.json): {"expr", "answers", optional
"current", "repeat_path" ([name, 0-based index] pairs), "now" (ISO datetime),
"fields", "choices" (question -> choice -> label, for jr:choice-name)} and either "error": code or "expected", compared by type:
a JSON string -> the result is that exact str; true/false -> that bool; a
JSON number -> a number (not bool) within 1e-9 * max(1, |expected|);
{"number": "NaN" | "Infinity" | "-Infinity"} -> that number;
{"matches": regex} -> a str that the regex matches in full.
An optional "source" names where the case comes from: "xforms-spec: NAME" for an example
or statement of ODK's XForms specification (getodk.github.io/xforms-spec, "XPath Functions"
and "XPath Operators", including the XPath/XForms behaviour it refers to), "odk-docs: NAME"
for ODK's "Form Operators and Functions" page; the evaluators ignore it.
"""
import json
import math
import os
import pathlib
import re
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:  # works without an (up-to-date) editable install too
    sys.path.insert(0, str(ROOT))

from survey_app.questionnaire import expressions as ex  # noqa: E402
from survey_app.questionnaire.expressions import (  # noqa: E402
    ExpressionError, evaluate, parse, references, validate)
from tests.programs import need_program

VECTORS = json.loads((HERE / 'expression_vectors.json').read_text(encoding='utf-8'))


def matches(result, expected):
    """The comparison rule of the module docstring (run_vectors.js has the twin)."""
    if isinstance(expected, bool):
        return isinstance(result, bool) and result == expected
    if isinstance(expected, str):
        return isinstance(result, str) and result == expected
    if isinstance(result, bool):
        return False
    if isinstance(expected, dict) and 'matches' in expected:
        return isinstance(result, str) and re.fullmatch(expected['matches'], result) is not None
    if not isinstance(result, float):
        return False
    if isinstance(expected, dict):
        want = float(expected['number'])
        return math.isnan(result) if math.isnan(want) else result == want
    return abs(result - expected) <= 1e-9 * max(1.0, abs(expected))


def run_vector(v):
    kwargs = {k: v[k] for k in ('current', 'repeat_path', 'now', 'fields', 'choices') if k in v}
    return evaluate(v['expr'], v['answers'], **kwargs)


def need_node() -> str:
    """Node's path; under CI a missing Node fails (it checks survey_app/static/js/expr.js)."""
    return need_program('node', 'to check survey_app/static/js/expr.js')


@pytest.mark.parametrize('vector', VECTORS, ids=[f'{i}:{v["expr"]}' for i, v in enumerate(VECTORS)])
def test_vector_python(vector):
    if 'error' in vector:
        with pytest.raises(ExpressionError) as info:
            run_vector(vector)
        assert info.value.code == vector['error'], info.value.message
    else:
        result = run_vector(vector)
        assert matches(result, vector['expected']), f'got {result!r}'


def test_vector_count_and_shape():
    assert len(VECTORS) >= 1000
    for v in VECTORS:
        assert ('error' in v) != ('expected' in v), v['expr']


def test_every_function_has_vectors():
    """Each function of the table is exercised by at least three vectors, one of them a
    successful evaluation."""
    for name in ex.FUNCTIONS:
        calls = [v for v in VECTORS if re.search(rf'(?<![\w:-]){re.escape(name)}\(', v['expr'])]
        assert len(calls) >= 3, name
        assert any('expected' in v for v in calls), name


#: The function table of ODK's XForms specification ("XPath Functions"), in its order.
SPEC_FUNCTIONS = (
    'string', 'concat', 'join', 'substr', 'substring-before', 'substring-after', 'translate',
    'string-length', 'normalize-space', 'contains', 'starts-with', 'ends-with', 'uuid', 'digest',
    'pulldata',
    'if', 'coalesce', 'once', 'true', 'false', 'boolean', 'boolean-from-string', 'not', 'regex',
    'checklist', 'weighted-checklist',
    'number', 'random', 'int', 'sum', 'max', 'min', 'round', 'pow', 'log', 'log10', 'abs', 'sin',
    'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sqrt', 'exp', 'exp10', 'pi',
    'count', 'count-non-empty', 'position', 'instance', 'current', 'randomize',
    'today', 'now', 'format-date', 'format-date-time', 'date', 'decimal-date-time', 'decimal-time',
    'selected', 'selected-at', 'count-selected', 'jr:choice-name',
    'jr:itext',
    'indexed-repeat',
    'area', 'distance',
)
#: Spec functions the language deliberately lacks: secondary instances and itext translations
#: do not exist in our forms (an XLSForm naming them is refused at import with name and row).
SPEC_FUNCTIONS_LEFT_OUT = {'pulldata', 'instance', 'current', 'jr:itext'}


def test_every_spec_function_has_a_spec_vector():
    """Each function of the specification's table that we support is pinned by a vector taken
    from the specification, and that vector calls it; the ones we lack are exactly those left
    out on purpose."""
    assert {name for name in SPEC_FUNCTIONS if name not in ex.FUNCTIONS} == SPEC_FUNCTIONS_LEFT_OUT
    for name in SPEC_FUNCTIONS:
        if name in SPEC_FUNCTIONS_LEFT_OUT:
            continue
        from_spec = [v for v in VECTORS if v.get('source') == f'xforms-spec: {name}']
        assert from_spec, name
        assert all(re.search(rf'(?<![\w:-]){re.escape(name)}\(', v['expr']) for v in from_spec), name


def test_spec_and_docs_operators_have_vectors():
    """Every operator of the specification's "XPath Operators" and of ODK's operator tables has
    a vector from those pages."""
    operators = ['and', 'or', 'mod', 'div', '=', '!=', '<=', '<', '>=', '>', '+', '-', '*', '.', '..']
    sources = {v['source'] for v in VECTORS if 'source' in v}
    assert not [op for op in operators if f'odk-docs: operator {op}' not in sources]
    assert 'xforms-spec: operator |' in sources


def test_union_joins_node_sets():
    """XPath's '|' (the specification's operator list): a node-set of both operands' nodes, an
    operand named twice counted once, anything but a node-set refused; same AST in JS."""
    answers = {'a': '1', 'b': '2', 'member': [{'m_age': '34'}, {'m_age': '5'}]}
    assert evaluate('count(${a} | ${b} | ${a})', answers) == 2.0
    assert evaluate('sum(${m_age} | ${b})', answers) == 41.0
    assert evaluate('sum(${m_age} | ${b})', answers, repeat_path=[('member', 1)]) == 7.0
    assert parse('-${a} | ${b}') == ('neg', ('bin', '|', ('ref', 'a'), ('ref', 'b')))
    with pytest.raises(ExpressionError) as info:
        evaluate("count(${a} | 'x')", answers)
    assert info.value.code == 'type'
    assert references('count(${a} | ${b})') == {'a', 'b'}


def test_js_has_the_same_functions():
    """Both evaluators know the same names with the same arities."""
    node = need_node()
    script = ("const F = require('./survey_app/static/js/expr.js').FUNCTIONS;"
              "console.log(JSON.stringify(Object.keys(F).map("
              "(k) => [k, F[k][0], F[k][1] === Infinity ? null : F[k][1]])))")
    proc = subprocess.run([node, '-e', script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True)
    js = {name: (low, high) for name, low, high in json.loads(proc.stdout)}
    assert js == {name: (low, high) for name, (low, high, _) in ex.FUNCTIONS.items()}


def test_vectors_node():
    """The JS evaluator agrees with every vector (zero disagreements)."""
    node = need_node()
    proc = subprocess.run([node, str(HERE / 'run_vectors.js')], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    summary = json.loads(proc.stdout)
    assert summary['total'] == len(VECTORS)
    assert summary['failures'] == [], json.dumps(summary['failures'][:20], ensure_ascii=False)


def test_js_ast_matches_python():
    """Both parsers give the same AST (same grammar, same shape)."""
    node = need_node()
    exprs = [v['expr'] for v in VECTORS if 'error' not in v]
    proc = subprocess.run([node, str(HERE / 'run_vectors.js'), '--ast'], cwd=ROOT, input=json.dumps(exprs),
                          capture_output=True, text=True, timeout=120, check=True)
    js_asts = json.loads(proc.stdout)
    py_asts = json.loads(json.dumps([parse(e) for e in exprs]))
    for expr, js_ast, py_ast in zip(exprs, js_asts, py_asts):
        assert js_ast == py_ast, expr


def test_references():
    assert references('${a} + sum(${b}) > count(${a}) and if(., ${c}, position(..))') == {'a', 'b', 'c'}
    assert references("'${not_a_ref}' = 1") == set()
    assert references('today()') == set()
    refs = references('${x}')
    refs.add('mutated')
    assert references('${x}') == {'x'}


@pytest.mark.parametrize('expr,code', [
    ('1 +', 'parse'), ('nope(1)', 'unknown_function'), ('concat(', 'parse'),
    ('selected(${a})', 'arity'), ("regex(${a}, '(?P<n>x)')", 'regex'), ('${a b}', 'parse'),
])
def test_validate_errors(expr, code):
    with pytest.raises(ExpressionError) as info:
        validate(expr)
    assert info.value.code == code
    assert info.value.message and code in str(info.value)


def test_validate_accepts_runtime_only_problems():
    """Unknown names and bad dynamic regexes are runtime matters."""
    assert validate('${unknown} + regex(${a}, ${b})') is None


def test_parse_is_cached():
    text = '${cache_probe} * 2 + 1'
    first = parse(text)
    hits = parse.cache_info().hits
    assert parse(text) is first
    assert parse.cache_info().hits == hits + 1
    assert first == ('bin', '+', ('bin', '*', ('ref', 'cache_probe'), ('num', 2.0)), ('num', 1.0))


def test_python_only_inputs():
    import datetime as dt
    tz = dt.timezone(dt.timedelta(hours=7))
    when = dt.datetime(2024, 5, 1, 23, 30, 0, 250000, tzinfo=tz)
    assert evaluate('now()', {}, now=when) == '2024-05-01T23:30:00.250+07:00'
    assert evaluate('today()', {}, now=when) == '2024-05-01'
    assert re.fullmatch(r'\d{4}-\d{2}-\d{2}', evaluate('today()', {}))
    with pytest.raises(ExpressionError) as info:
        evaluate('1', {}, now='yesterday')
    assert info.value.code == 'context'
    assert ex.to_string(ex.NodeSet([])) == '' and ex.to_number(ex.NodeSet(['2'])) == 2.0


def test_the_default_clock_is_province_time_in_both_evaluators():
    """today()/now() read the province's zone (Asia/Ho_Chi_Minh), whatever the machine's."""
    import datetime as dt
    from zoneinfo import ZoneInfo
    assert evaluate('today()', {}) == dt.datetime.now(ZoneInfo('Asia/Ho_Chi_Minh')).date().isoformat()
    assert evaluate('now()', {}).endswith('+07:00')
    node = need_node()
    script = ("const E = require('./survey_app/static/js/expr.js');"
              "console.log(JSON.stringify([E.evaluate('now()', {}, {now: new Date('2024-05-01T20:30:00Z')}),"
              "E.evaluate('today()', {}, {now: new Date('2024-05-01T20:30:00Z')}), E.evaluate('now()', {})]))")
    proc = subprocess.run([node, '-e', script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True, env={**os.environ, 'TZ': 'America/New_York'})
    at, day, current = json.loads(proc.stdout)
    assert (at, day) == ('2024-05-02T03:30:00.000+07:00', '2024-05-02')
    assert current.endswith('+07:00')
