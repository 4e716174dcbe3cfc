"""XLSForm expression language (ODK XForms' XPath 1.0 subset): tokenizer,
parser, evaluator and the public API.  Pure Python, no Flask.  The browser
twin is ``survey_app/static/js/expr.js``; both implement this grammar and
produce the same AST; ``tests/questionnaire/expression_vectors.json`` pins
their agreement.

Grammar (EBNF; whitespace is ' ', TAB, CR, LF between tokens)::

    Expr     = OrExpr ;
    OrExpr   = AndExpr { "or" AndExpr } ;
    AndExpr  = EqExpr { "and" EqExpr } ;
    EqExpr   = RelExpr { ( "=" | "!=" ) RelExpr } ;
    RelExpr  = AddExpr { ( "<" | "<=" | ">" | ">=" ) AddExpr } ;
    AddExpr  = MulExpr { ( "+" | "-" ) MulExpr } ;
    MulExpr  = Unary { ( "*" | "div" | "mod" ) Unary } ;
    Unary    = "-" Unary | Union ;
    Union    = Primary { "|" Primary } ;   (* node-sets only, e.g. count(${a} | ${b}) *)
    Primary  = Number | String | Ref | "." | Call | "(" Expr ")" ;
    Call     = FName "(" [ Arg { "," Arg } ] ")" ;
    Arg      = Expr | ".." ;              (* ".." only as position(..) *)
    Ref      = "${" RefName "}" ;
    Number   = Digits [ "." [ Digits ] ] | "." Digits ;
    String   = "'" { any char but "'" } "'" | '"' { any char but '"' } '"' ;
    FName    = NCName [ ":" NCName ] ;    (* e.g. count-selected *)
    NCName   = ( Letter | "_" ) { Letter | Digit | "_" | "-" } ;   (* ASCII *)
    RefName  = ( Letter | "_" ) { Letter | Digit | "_" | "-" | "." } ;

"and", "or", "div", "mod" are operators only where an operator is expected;
a name elsewhere must be a function call.  Binary operators are left
associative.  "|" (XPath's union) joins node-sets: its operands must be node-sets
(references, '.', indexed-repeat(), randomize()) or a 'type' error is raised; an operand
repeated in the same union counts once, but two different operands that select the same
node (``${x} | indexed-repeat(${x}, ${r}, 1)``) count it twice, unlike XPath; the nodes
come in the operands' order (the language has no document order), which count(), sum(),
min() and max() do not notice.
There are no escapes in strings (XPath 1.0).

AST (tuples; JS uses arrays of the same shape): ('num', float),
('str', text), ('ref', name), ('cur',), ('parent',), ('neg', node),
('bin', op, left, right), ('call', name, (args...)).

Evaluation context: ``answers`` maps question names to stored text
(select_multiple: space-separated names; date 'YYYY-MM-DD'; time
'HH:MM:SS(.sss)(+07:00)'; datetime ISO 8601; geopoint 'lat lon alt acc';
'' unanswered; None is '' and numbers are converted with string()).  A dict
value is a (non-repeat) group whose names are searched too; a list of dicts is
a repeat's instances.  ``repeat_path`` is a list of (repeat name, 0-BASED
index) pairs from the outermost repeat in: ``${x}`` descends only into those
instances (the sibling in the same instance), every other repeat contributes
all its instances, so outside a repeat ``sum(${x})`` sees them all; a
reference to a repeat itself selects all its instances (``count(${member})``).
``fields`` (optional) lists every question name of the form: a name in it but
absent from ``answers`` (a child of a repeat with no instances) is an empty
node-set; any other absent name raises 'unknown_reference'.

Results: ``evaluate`` returns ``str``, ``float`` or ``bool``; a node-set result
becomes the string of its first node.  Conversions and dates: see
``expr_functions``.  ``now`` is an aware datetime or an ISO datetime string
(no offset = UTC), default: the current time in province time (UTC+07:00, see
``expr_library``); today() is its date in its offset.
All text (expression and answers) is NFC-normalised; string-length() and
substr() count code points, so string-length('Nguyễn') is 6.

Regex subset (identical in Python ``re`` with re.ASCII and JS ``RegExp``
without flags): literals, '.', classes '[a-z]' '[^0-9]' '[\\w.-]', \\d \\D
\\w \\W \\b \\B (ASCII), \\n \\t \\r \\f \\v \\xHH \\uHHHH, escaped
punctuation, ^ $ (whole string; '$' never matches before a final newline),
groups ( ) (?: ) and lookaheads (?= ) (?! ), alternation |, quantifiers
* + ? {n} {n,} {n,m} and their lazy '?' forms.  Refused with a 'regex' error
(at parse time for a literal pattern): other (? forms (lookbehind, named
groups, inline flags), backreferences, unknown letter escapes, short \\x/\\u,
'[]' '[^]', '{,n}', possessive quantifiers (a++ a*+ a{2}+), a range with a
class escape ('[a-\\d]'), '[' '--' '&&' '~~' '||' inside a class.  \\s is
allowed but matches only ASCII whitespace in Python; do not rely on '.'
matching '\\r'.  regex() searches (anchor with ^ $), as JavaRosa's find().
"""
import datetime as _dt
import functools
import math
import re

from .expr_functions import FUNCTIONS as CORE_FUNCTIONS
from .expr_functions import (ExpressionError, NodeSet, compile_regex, nfc, normalise_answer,
                             parse_temporal, to_boolean, to_number, to_string)
from .expr_library import LIBRARY, PROVINCE_OFFSET_MINUTES

__all__ = ['ExpressionError', 'NodeSet', 'evaluate', 'parse', 'references', 'validate',
           'to_string', 'to_number', 'to_boolean', 'FUNCTIONS']

_TOKEN_RE = re.compile(r"""[ \t\r\n]*(?:
  (?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
 |(?P<str>"[^"]*"|'[^']*')
 |\$\{(?P<ref>[^}]*)\}
 |(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z_][A-Za-z0-9_-]*)?)
 |(?P<op>!=|<=|>=|\.\.|[()+\-*=<>,.|])
 |(?P<end>\Z))""", re.X)
_REF_NAME_RE = re.compile(r'[A-Za-z_][A-Za-z0-9_.\-]*')
_LEVELS = (('or',), ('and',), ('=', '!='), ('<', '<=', '>', '>='), ('+', '-'),
           ('*', 'div', 'mod'))
_WORD_OPS = {'and', 'or', 'div', 'mod'}
FUNCTIONS = {**CORE_FUNCTIONS, **LIBRARY}


def tokenize(text):
    """Text -> list of (kind, value, offset); kinds num str ref name op end."""
    tokens, pos = [], 0
    while True:
        m = _TOKEN_RE.match(text, pos)
        if not m:
            _bad_char(text, pos)
        kind = m.lastgroup
        start = m.start(kind)
        value = m.group(kind)
        if kind == 'str':
            value = value[1:-1]
        elif kind == 'ref' and not _REF_NAME_RE.fullmatch(value):
            raise ExpressionError('parse', f'invalid reference name ${{{value}}} at {start}')
        tokens.append((kind, value, start))
        if kind == 'end':
            return tokens
        pos = m.end()


def _bad_char(text, pos):
    pos += len(text[pos:]) - len(text[pos:].lstrip(' \t\r\n'))
    c = text[pos]
    if c in '\'"':
        raise ExpressionError('parse', f'unterminated string at {pos}')
    if text.startswith('${', pos):
        raise ExpressionError('parse', f'unterminated reference at {pos}')
    raise ExpressionError('parse', f'unexpected character {c!r} at {pos}')


class _Parser:
    """Recursive descent over the token list, one method per grammar rule."""

    def __init__(self, text):
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i]

    def take(self):
        self.i += 1
        return self.tokens[self.i - 1]

    def expect(self, value):
        kind, val, pos = self.take()
        if kind != 'op' or val != value:
            raise ExpressionError('parse', f'expected {value!r} at {pos}, found {_show(kind, val)}')

    def operator(self):
        kind, val, _ = self.peek()
        return val if kind == 'op' or (kind == 'name' and val in _WORD_OPS) else None

    def binary(self, level=0):
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.operator() in _LEVELS[level]:
            op = self.take()[1]
            left = ('bin', op, left, self.binary(level + 1))
        return left

    def unary(self):
        if self.operator() == '-':
            self.take()
            return ('neg', self.unary())
        return self.union()

    def union(self):
        left = self.primary()
        while self.operator() == '|':
            self.take()
            left = ('bin', '|', left, self.primary())
        return left

    def primary(self):
        kind, val, pos = self.take()
        if kind == 'num':
            return ('num', float(val))
        if kind in ('str', 'ref'):
            return (kind, val)
        if kind == 'name' and self.peek()[1] == '(' and self.peek()[0] == 'op':
            return self.call(val, pos)
        if kind == 'op' and val == '(':
            node = self.binary()
            self.expect(')')
            return node
        if kind == 'op' and val == '.':
            return ('cur',)
        if kind == 'name':
            raise ExpressionError('parse', f'bare name {val!r} at {pos} (a question is ${{{val}}})')
        if kind == 'op' and val == '..':
            raise ExpressionError('parse', f"'..' is only allowed as position(..) at {pos}")
        raise ExpressionError('parse', f'unexpected {_show(kind, val)} at {pos}')

    def call(self, name, pos):
        self.take()
        args = []
        if self.peek()[1] != ')' or self.peek()[0] != 'op':
            args.append(self.argument(name))
            while self.peek()[:2] == ('op', ','):
                self.take()
                args.append(self.argument(name))
        self.expect(')')
        _check_call(name, args, pos)
        return ('call', name, tuple(args))

    def argument(self, name):
        if name == 'position' and self.peek()[:2] == ('op', '..'):
            self.take()
            return ('parent',)
        return self.binary()


def _show(kind, val):
    return 'end of expression' if kind == 'end' else repr(val)


def _check_call(name, args, pos):
    """Unknown function, arity, position()'s argument and literal regexes."""
    if name not in FUNCTIONS:
        raise ExpressionError('unknown_function', f'unknown function {name}() at {pos}')
    low, high, _ = FUNCTIONS[name]
    if len(args) < low or (high is not None and len(args) > high):
        want = f'{low}' if low == high else f'{low} to {"any" if high is None else high}'
        raise ExpressionError('arity', f'{name}() takes {want} arguments, got {len(args)} at {pos}')
    if name == 'position' and args and args[0] != ('parent',):
        raise ExpressionError('parse', f"position() only accepts '..' at {pos}")
    if name == 'regex' and args[1][0] == 'str':
        compile_regex(args[1][1])
    if name == 'indexed-repeat' and (len(args) % 2 == 0
                                     or any(a[0] != 'ref' for a in [args[0], *args[1::2]])):
        raise ExpressionError('parse', f'indexed-repeat() takes ${{name}}, ${{repeat}}, index[, ${{repeat}}, '
                                       f'index]... at {pos}')


@functools.lru_cache(maxsize=2048)
def parse(expr):
    """Expression text -> AST (cached).  Raises ExpressionError."""
    if not isinstance(expr, str):
        raise ExpressionError('parse', 'expression must be text')
    parser = _Parser(nfc(expr))
    node = parser.binary()
    kind, val, pos = parser.peek()
    if kind != 'end':
        raise ExpressionError('parse', f'unexpected {_show(kind, val)} at {pos}')
    return node


def validate(expr):
    """Raise ExpressionError if ``expr`` does not parse (syntax, unknown
    function, arity, literal regex); return None otherwise."""
    parse(expr)


def references(expr):
    """The set of ``${name}`` names an expression uses (a new set each call;
    raises ExpressionError like ``validate`` when the expression is invalid)."""
    names = set()
    _walk_refs(parse(expr), names)
    return names


def _walk_refs(node, names):
    if node[0] == 'ref':
        names.add(node[1])
    for child in node[1:]:
        if isinstance(child, tuple):
            if child and isinstance(child[0], tuple):
                for arg in child:
                    _walk_refs(arg, names)
            elif child:
                _walk_refs(child, names)


class FlatAnswers(dict):
    """Answers known to hold no repeat or group (no list or dict value): a reference is then
    one dict lookup instead of a walk over every answer. See :func:`lookup_answers`."""


def lookup_answers(answers):
    """``answers`` as :class:`FlatAnswers` when they hold no list or dict value (checked
    once, for the many evaluations of one submission), else as they are."""
    if type(answers) is FlatAnswers or any(isinstance(v, (list, dict)) for v in answers.values()):
        return answers
    return FlatAnswers(answers)


class Context:
    """What an evaluation may look at: answers, '.', the repeat instance and
    the clock.  Built by ``evaluate``; validated eagerly ('context' errors)."""

    def __init__(self, answers, current=None, repeat_path=None, now=None, fields=None, choices=None):
        self.answers = answers
        self.choices = choices
        self.current = None if current is None else normalise_answer(current)
        self.repeat_path = [(name, int(index)) for name, index in (repeat_path or ())]
        self.fields = fields
        self.position = _check_repeat_path(answers, self.repeat_path)
        # a clock given is checked now; the machine's is read only by today()/now()
        self._now = None if now is None else _clock(now)

    @property
    def now(self):
        if self._now is None:
            self._now = _clock(None)
        return self._now

    def resolve(self, name):
        """``${name}`` -> NodeSet, honouring the repeat path (module docstring)."""
        if type(self.answers) is FlatAnswers:
            if name in self.answers:
                return NodeSet([normalise_answer(self.answers[name])])
            if self.fields is None or name not in self.fields:
                raise ExpressionError('unknown_reference', f'unknown question ${{{name}}}')
            return NodeSet([])
        out = []
        if not _collect(self.answers, name, self.repeat_path, out):
            if self.fields is None or name not in self.fields:
                raise ExpressionError('unknown_reference', f'unknown question ${{{name}}}')
        return NodeSet(out)


def _collect(node, name, path, out):
    """Append the values of ``name`` under ``node``; True if it was found."""
    found = False
    for key, val in node.items():
        if key == name:
            found = True
            out.extend([''] * len(val) if isinstance(val, list) else
                       [''] if isinstance(val, dict) else [normalise_answer(val)])
        elif isinstance(val, dict):
            found = _collect(val, name, path, out) or found
        elif isinstance(val, list):
            on_path = bool(path) and path[0][0] == key
            instances = val[path[0][1]:path[0][1] + 1] if on_path else val
            for inst in instances:
                found = _collect(inst, name, path[1:] if on_path else (), out) or found
    return found


def _find_repeat(node, name):
    for key, val in node.items():
        if key == name and isinstance(val, list):
            return val
        if isinstance(val, dict):
            hit = _find_repeat(val, name)
            if hit is not None:
                return hit
    return None


def _check_repeat_path(answers, path):
    """Check each (name, 0-based index) step; return the innermost 1-based
    position, or None outside repeats."""
    node = answers
    for name, index in path:
        instances = _find_repeat(node, name)
        if instances is None or not 0 <= index < len(instances):
            raise ExpressionError('context', f'no repeat instance {name}[{index}] (0-based)')
        node = instances[index]
    return path[-1][1] + 1 if path else None


def _clock(now):
    """``now`` (aware/naive datetime, ISO text or None) -> temporal fields."""
    if now is None:
        now = _dt.datetime.now(_dt.timezone(_dt.timedelta(minutes=PROVINCE_OFFSET_MINUTES)))
    if isinstance(now, _dt.datetime):
        off = now.utcoffset()
        minutes = 0 if off is None else int(off.total_seconds() // 60)
        return ('datetime', now.year, now.month, now.day, now.hour, now.minute,
                now.second, now.microsecond // 1000, minutes)
    fields = parse_temporal(nfc(str(now)))
    if not fields or fields[0] != 'datetime':
        raise ExpressionError('context', f'now must be an ISO datetime, got {now!r}')
    return fields[:8] + (fields[8] or 0,)


def evaluate(expr, answers, *, current=None, repeat_path=None, now=None, fields=None, choices=None):
    """Evaluate ``expr`` against ``answers``; returns str, float or bool.

    ``current``: the '.' value (constraints, once()); ``repeat_path``: list of
    (repeat name, 0-based index); ``now``: the clock for today()/now();
    ``fields``: all question names of the form (see module docstring);
    ``choices``: question name -> choice name -> label in the language shown
    (jr:choice-name)."""
    ctx = Context(answers, current, repeat_path, now, fields, choices)
    value = _eval(parse(expr), ctx)
    return to_string(value) if isinstance(value, NodeSet) else value


def _eval(node, ctx):
    kind = node[0]
    if kind in ('num', 'str'):
        return node[1]
    if kind == 'ref':
        return ctx.resolve(node[1])
    if kind == 'cur':
        if ctx.current is None:
            raise ExpressionError('context', "no current value ('.') here")
        return NodeSet([ctx.current])
    if kind == 'neg':
        return -to_number(_eval(node[1], ctx))
    if kind == 'bin':
        return _binary(node[1], node[2], node[3], ctx)
    if kind == 'parent':
        return None
    return _call(node[1], node[2], ctx)


def _call(name, args, ctx):
    if name == 'if':  # lazy: only the chosen branch is evaluated
        chosen = args[1] if to_boolean(_eval(args[0], ctx)) else args[2]
        return _eval(chosen, ctx)
    if name == 'indexed-repeat':
        return _indexed_repeat(args, ctx)
    return FUNCTIONS[name][2](ctx, *[_eval(a, ctx) for a in args])


def _indexed_repeat(args, ctx):
    """``args[0]`` in the given (1-based) instances of the repeats named by ``args[1::2]``."""
    path = []
    for repeat, index in zip(args[1::2], args[2::2]):
        n = to_number(_eval(index, ctx))
        if n != n or math.isinf(n) or n != math.trunc(n) or n < 1:
            return NodeSet([])
        path.append((repeat[1], int(n) - 1))
    ctx.resolve(args[0][1])  # an unknown name is refused as anywhere else
    node = ctx.answers
    for name, index in path:  # each step a repeat of the one before, with that instance
        instances = _find_repeat(node, name)
        if instances is None or index >= len(instances):
            return NodeSet([])
        node = instances[index]
    out = []
    _collect(ctx.answers, args[0][1], path, out)
    return NodeSet(out)


def _union(node, ctx):
    """XPath's ``a | b | ...``: the node-sets of the distinct operands, in order."""
    values = []
    for operand in dict.fromkeys(_union_operands(node)):
        value = _eval(operand, ctx)
        if not isinstance(value, NodeSet):
            raise ExpressionError('type', "'|' joins node-sets only (a question, '.', a repeat)")
        values.extend(value.values)
    return NodeSet(values)


def _union_operands(node):
    if node[0] == 'bin' and node[1] == '|':
        return _union_operands(node[2]) + _union_operands(node[3])
    return [node]


def _binary(op, left, right, ctx):
    if op == '|':
        return _union(('bin', op, left, right), ctx)
    if op in ('and', 'or'):  # short-circuit, as XPath requires
        first = to_boolean(_eval(left, ctx))
        if first == (op == 'or'):
            return first
        return to_boolean(_eval(right, ctx))
    a, b = _eval(left, ctx), _eval(right, ctx)
    if op in _ARITH:
        return _ARITH[op](to_number(a), to_number(b))
    return compare(op, a, b)


def _div(x, y):
    if y == 0:
        return math.nan if x == 0 or x != x else math.copysign(math.inf, x) * math.copysign(1, y)
    return x / y


def _mod(x, y):
    """XPath mod = truncated remainder (JavaScript %), NaN for y = 0."""
    if y == 0 or x != x or y != y or math.isinf(x):
        return math.nan
    return x if math.isinf(y) else math.fmod(x, y)


_ARITH = {'+': lambda x, y: x + y, '-': lambda x, y: x - y, '*': lambda x, y: x * y,
          'div': _div, 'mod': _mod}
_REL = {'=': lambda x, y: x == y, '!=': lambda x, y: x != y, '<': lambda x, y: x < y,
        '<=': lambda x, y: x <= y, '>': lambda x, y: x > y, '>=': lambda x, y: x >= y}


def compare(op, a, b):
    """XPath 1.0 §3.4 comparison, node-sets compared existentially."""
    if isinstance(a, NodeSet) or isinstance(b, NodeSet):
        if isinstance(a, bool) or isinstance(b, bool):
            return compare(op, to_boolean(a), to_boolean(b))
        xs = a.values if isinstance(a, NodeSet) else [a]
        ys = b.values if isinstance(b, NodeSet) else [b]
        return any(compare(op, x, y) for x in xs for y in ys)
    if op in ('=', '!='):
        if isinstance(a, bool) or isinstance(b, bool):
            a, b = to_boolean(a), to_boolean(b)
        elif isinstance(a, float) or isinstance(b, float):
            a, b = to_number(a), to_number(b)
        return _REL[op](a, b)
    return _REL[op](to_number(a), to_number(b))
