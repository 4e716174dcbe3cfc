"""The rest of ODK XForms' function set (https://getodk.github.io/xforms-spec/#xpath-functions):
maths, XPath 1.0's string functions, checklists, digest, geography and date-times.  Pure
Python; ``expr_functions.py`` holds the value model and the core table, which this module's
``LIBRARY`` completes (``expressions.FUNCTIONS`` is both).  ``static/js/expr.js`` mirrors
every rule; ``tests/questionnaire/expression_vectors.json`` pins their agreement.

Rules chosen where ODK leaves room (both evaluators follow them):

* Maths (``sin`` … ``pi``) are JavaScript's ``Math``: NaN in, NaN out; ``log(0)`` is
  -Infinity, ``sqrt(-1)`` NaN, ``exp(1000)`` Infinity, never an error.
* ``substring`` is XPath 1.0's (1-based, rounded start and length); ``substr`` stays ODK's.
* ``checklist``/``weighted-checklist``: an item counts when it converts to a number > 0
  (the spec's wording; true() is 1); a node-set argument contributes each of its answers;
  a negative min or max means "no bound".
* ``digest(text, 'MD5'|'SHA-1'|'SHA-256'|'SHA-384'|'SHA-512', 'base64'|'hex')`` hashes the
  text's UTF-8 bytes; base64 is the default; an unknown algorithm or encoding is a 'type'
  error.
* ``area``/``distance`` (``expr_geography``): points are 'lat lon [alt acc]', a geotrace/geoshape is points
  separated by ';'; every argument (answers of a node-set, texts) adds its points in order.
  The Earth is a sphere of the equatorial radius 6,378,100 m (Enketo's and JavaRosa's);
  area is the geodesic polygon area (closed implicitly), distance the sum of great-circle
  legs (haversine), both rounded to 2 decimals.  Too few points give 0; no point at all, or
  a malformed one (not two numbers, latitude beyond ±90, longitude beyond ±180), gives NaN
  (ODK's web-forms tests, whose examples are among the vectors).
* ``randomize(${x}, seed?)`` shuffles a node-set as the spec says (inside-out Fisher-Yates;
  with a seed, Park-Miller on trunc(seed), so the same seed gives ODK's order everywhere).
* ``indexed-repeat(${x}, ${repeat}, i[, ${inner}, j[, ${inner2}, k]])`` is ``${x}`` in the
  i-th (1-based) instance of the repeat (and the j-th of the inner one): the arguments in
  ``${}`` must be references; an index that is no whole number >= 1, or beyond the
  instances, gives the empty node-set.
* Time zones: the local zone of both evaluators is the province's, Asia/Ho_Chi_Minh, a fixed
  UTC+07:00 (no daylight saving since 1975), whatever the phone's or server's zone: the
  default clock of today()/now() reads it.  A number of days is an instant since
  1970-01-01T00:00Z (``decimal-date-time``'s result); ``date-time(n)`` and
  ``format-date-time(n, f)`` show it in province time, while ``date(n)`` and
  ``format-date(n, f)`` keep ODK's calendar-day reading (day floor(n), time of day in UTC).
  A text date-time keeps its own offset (shown as written; none, and a date's midnight,
  mean UTC, as number() reads them).  ``decimal-time`` reads a time with an offset in
  province time ('05:00Z' is 0.5).
* ``jr:choice-name(value, '${question}')`` is the label, in the respondent's language, of the
  choice named ``value`` of that question (the second argument may also be an XPath such as
  '/data/group/question': its last step names the question).  The caller gives the labels
  (``choices``: question name -> choice name -> label, in the language shown); a value that is
  no choice of the question gives '', a question without choices (or none given) is an
  'unknown_reference' error.
* ``extract-signed(contents, key)``: see ``expr_signed`` (Ed25519, RFC 8032).
* ``format-date``/``format-date-time`` tokens: %Y %y %m %n %b %d %e %a %H %h %M %S %3 %%;
  month and weekday names are English (Jan…, Sun…) as in the spec.
"""
import base64
import binascii
import hashlib
import math
import random as _random
import re

from .expr_functions import (WS, ExpressionError, NodeSet, _current, _node_values, datetime_text,
                             fields_from_days, flat_values, format_date, parse_temporal, temporal_arg,
                             to_number, to_string)
from .expr_geography import area, distance
from .expr_signed import extract_signed

PROVINCE_OFFSET_MINUTES = 7 * 60
_DIGESTS = {'MD5': 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384',
            'SHA-512': 'sha512'}
_BASE64_RE = re.compile('(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?')


def _chars(v):
    return list(to_string(v))


def _maths(op):
    """One-argument maths with JavaScript's results (Python raises where JS returns NaN/inf)."""
    def fn(ctx, x):
        n = to_number(x)
        if n != n:
            return n
        try:
            return float(op(n))
        except OverflowError:
            return math.inf
        except ValueError:  # log(0) is -Infinity in JS; every other domain error NaN
            return -math.inf if n == 0 and op in (math.log, math.log10) else math.nan
    return fn


def _exp10(n):
    return 10.0 ** n


def _atan2(ctx, y, x):
    return math.atan2(to_number(y), to_number(x))


def _xpath_round(n):
    return n if n != n or math.isinf(n) else float(math.floor(n + 0.5))


def _substring(ctx, s, start, length=None):
    """XPath 1.0 substring: characters at 1-based positions p with round(start) <= p <
    round(start) + round(length); NaN and infinities follow IEEE arithmetic."""
    chars = _chars(s)
    a = _xpath_round(to_number(start))
    b = math.inf if length is None else a + _xpath_round(to_number(length))
    if a != a or b != b:
        return ''
    return ''.join(c for p, c in enumerate(chars, 1) if a <= p < b)


def _substring_before(ctx, s, t):
    s, t = to_string(s), to_string(t)
    i = s.find(t)
    return '' if i < 0 else s[:i]


def _substring_after(ctx, s, t):
    s, t = to_string(s), to_string(t)
    i = s.find(t)
    return '' if i < 0 else s[i + len(t):]


def _translate(ctx, s, source, target):
    source, target = _chars(source), _chars(target)
    table = {}
    for i, c in enumerate(source):
        table.setdefault(c, target[i] if i < len(target) else '')
    return ''.join(table.get(c, c) for c in _chars(s))


def _normalize_space(ctx, v=None):
    return ' '.join(t for t in re.split('[ \t\r\n]+', to_string(_current(ctx) if v is None else v)) if t)


def _within(low, high, total):
    low, high = to_number(low), to_number(high)
    return (low != low or low < 0 or total >= low) and (high != high or high < 0 or total <= high)


def _checklist(ctx, low, high, *args):
    return _within(low, high, sum(1 for v in flat_values(args) if to_number(v) > 0))


def _weighted_checklist(ctx, low, high, *args):
    items = flat_values(args)
    if len(items) % 2:
        raise ExpressionError('type', 'weighted-checklist() needs value and weight pairs')
    total = 0.0
    for v, w in zip(items[::2], items[1::2]):
        if to_number(v) > 0:
            total += to_number(w)
    return _within(low, high, total)


def _count_non_empty(ctx, ns):
    if not isinstance(ns, NodeSet):
        raise ExpressionError('type', 'count-non-empty() needs a node-set such as ${name}')
    return float(sum(1 for v in ns.values if v != ''))


def _join(ctx, sep, *args):
    return to_string(sep).join(to_string(v) for v in flat_values(args))


def _boolean_from_string(ctx, v):
    return to_string(v) in ('true', '1')


def _digest(ctx, data, algorithm, encoding=None):
    name = _DIGESTS.get(to_string(algorithm).upper())
    enc = 'base64' if encoding is None else to_string(encoding).lower()
    if name is None or enc not in ('base64', 'hex'):
        raise ExpressionError('type', f'digest(): unknown algorithm or encoding '
                                      f'{to_string(algorithm)!r}, {enc!r}')
    raw = hashlib.new(name, to_string(data).encode('utf-8', 'surrogatepass')).digest()
    return raw.hex() if enc == 'hex' else base64.b64encode(raw).decode('ascii')


def _base64_decode(ctx, v):
    """Base64 (padded or not) -> UTF-8 text; '' when it is not valid base64 of UTF-8."""
    s = to_string(v)
    if not _BASE64_RE.fullmatch(s):
        return ''
    try:
        return base64.b64decode(s + '=' * (-len(s) % 4)).decode('utf-8')
    except (binascii.Error, UnicodeDecodeError):
        return ''


def _question_named(path):
    """'${question}' or an XPath '/data/group/question' -> 'question'."""
    text = to_string(path).strip(WS)
    if text.startswith('${') and text.endswith('}'):
        return text[2:-1]
    return text.rstrip('/').rsplit('/', 1)[-1]


def _choice_name(ctx, value, path):
    name = _question_named(path)
    labels = (ctx.choices or {}).get(name)
    if labels is None:
        raise ExpressionError('unknown_reference', f'jr:choice-name(): ${{{name}}} is no question with choices')
    return labels.get(to_string(value).strip(WS), '')


def _random_number(ctx):
    return _random.random()


def _park_miller(seed):
    """ODK's seeded generator: Park-Miller on trunc(seed) (NaN and infinities are 0), with
    JavaScript's remainder, giving floats in [0, 1)."""
    n = to_number(seed)
    state = int(math.fmod(0 if n != n or math.isinf(n) else math.trunc(n), 2147483647))
    state = state + 2147483646 if state <= 0 else state

    def next_float():
        nonlocal state
        state = state * 16807 % 2147483647
        return (state - 1) / 2147483646
    return next_float


def _randomize(ctx, ns, seed=None):
    """The answers of a node-set shuffled by the "inside-out" Fisher-Yates of the spec."""
    values = _node_values(ns, 'randomize')
    rng = _random.random if seed is None else _park_miller(seed)
    out = [''] * len(values)
    for i, value in enumerate(values):
        j = math.floor(rng() * (i + 1))
        if j != i:
            out[i] = out[j]
        out[j] = value
    return NodeSet(out)


# ---------------------------------------------------------------- date-times

def _instant(v):
    """A date-time argument -> fields: a text date/date-time keeps its own offset, a number is
    an instant shown in province time (module docstring); None when empty or NaN."""
    if not isinstance(v, (float, bool)):
        t = parse_temporal(to_string(v).strip(WS))
        if t:
            return t[:8] + (t[8] or 0,)
    if temporal_arg(v) is None:  # '' or NaN; text that is no date nor number raises 'type'
        return None
    t = fields_from_days(to_number(v) + PROVINCE_OFFSET_MINUTES / 1440)
    return t[:8] + (PROVINCE_OFFSET_MINUTES,)


def _date_time(ctx, v):
    t = _instant(v)
    return '' if t is None else datetime_text(t)


def _format_date_time(ctx, v, fmt):
    t = _instant(v)
    return '' if t is None else format_date(t, to_string(fmt))


def _decimal_time(ctx, v):
    """A time -> fraction of the day in province time; NaN for anything else."""
    t = parse_temporal(to_string(v).strip(WS))
    if not t or t[0] != 'time':
        return math.nan
    minutes = t[4] * 60 + t[5]
    if t[8] is not None:
        minutes += PROVINCE_OFFSET_MINUTES - t[8]
    return ((minutes % 1440) * 60 + t[6] + t[7] / 1000) / 86400


LIBRARY = {
    'sin': (1, 1, _maths(math.sin)),
    'cos': (1, 1, _maths(math.cos)),
    'tan': (1, 1, _maths(math.tan)),
    'asin': (1, 1, _maths(math.asin)),
    'acos': (1, 1, _maths(math.acos)),
    'atan': (1, 1, _maths(math.atan)),
    'atan2': (2, 2, _atan2),
    'sqrt': (1, 1, _maths(math.sqrt)),
    'exp': (1, 1, _maths(math.exp)),
    'exp10': (1, 1, _maths(_exp10)),
    'log': (1, 1, _maths(math.log)),
    'log10': (1, 1, _maths(math.log10)),
    'pi': (0, 0, lambda ctx: math.pi),
    'random': (0, 0, _random_number),
    'randomize': (1, 2, _randomize),
    'indexed-repeat': (3, 7, None),  # lazy: evaluated by expressions._indexed_repeat
    'substring': (2, 3, _substring),
    'substring-before': (2, 2, _substring_before),
    'substring-after': (2, 2, _substring_after),
    'translate': (3, 3, _translate),
    'normalize-space': (0, 1, _normalize_space),
    'join': (1, None, _join),
    'boolean-from-string': (1, 1, _boolean_from_string),
    'count-non-empty': (1, 1, _count_non_empty),
    'checklist': (2, None, _checklist),
    'weighted-checklist': (2, None, _weighted_checklist),
    'digest': (2, 3, _digest),
    'base64-decode': (1, 1, _base64_decode),
    'area': (1, None, area),
    'distance': (1, None, distance),
    'date-time': (1, 1, _date_time),
    'format-date-time': (2, 2, _format_date_time),
    'decimal-time': (1, 1, _decimal_time),
    'jr:choice-name': (2, 2, _choice_name),
    'extract-signed': (2, 2, extract_signed),
}
