"""Value model, XPath conversions and the function table of the XLSForm
expression language (see ``expressions.py`` for the grammar and the public
API).  Pure Python; ``survey_app/static/js/expr.js`` mirrors every rule here
so that the server and the browser agree exactly.

Value model
-----------
An evaluated value is one of ``str``, ``float``, ``bool`` or ``NodeSet``
(the answers a ``${name}`` reference selects, as strings).  There is no date
type: date functions return ISO strings ('YYYY-MM-DD', or
'YYYY-MM-DDTHH:MM:SS.sss+HH:MM' for now()), and numeric contexts convert ISO
date / datetime / time strings to days (see ``to_number``).

Conversions (XPath 1.0 section 4, with JavaRosa's node-set unpacking):

* ``to_string``: bool -> 'true'/'false'; number -> ``number_to_string``;
  node-set -> value of its first node, '' when empty.
* ``to_number``: bool -> 1/0; node-set -> ``to_number(to_string(ns))``;
  string -> a decimal number (``-?digits(.digits)?``, an exponent ``e-12`` allowed as in
  JavaRosa, optional surrounding ' \\t\\r\\n', no '+'), else an ISO date (days since
  1970-01-01; month and day may have one digit, '1970-1-2'), datetime (fractional days,
  UTC; no offset means UTC), time (fraction of a day, wall clock, offset ignored), else
  NaN.  So '' is NaN.
* ``to_boolean``: number -> non-zero and not NaN; string -> non-empty;
  node-set -> ``to_boolean(to_string(ns))`` (JavaRosa: an unanswered
  question is false, not "the node exists").
"""
import functools
import math
import random
import re
import string as _string
import unicodedata
import uuid as uuid_lib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

WS = ' \t\r\n'
_NUMBER_RE = re.compile(r'[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t\r\n]*')
_TIME = r'([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?'
_DATE = r'([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})'
_TEMPORAL_RES = (('date', re.compile(_DATE)), ('datetime', re.compile(_DATE + 'T' + _TIME)),
                 ('time', re.compile(_TIME)))
_MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split()
_WEEKDAYS = 'Mon Tue Wed Thu Fri Sat Sun'.split()
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


class ExpressionError(Exception):
    """Any error of an expression, with a stable machine ``code``: 'parse',
    'unknown_function', 'arity', 'unknown_reference', 'type', 'context' or
    'regex'; ``message`` is for humans."""

    def __init__(self, code, message):
        super().__init__(f'{code}: {message}')
        self.code = code
        self.message = message


class NodeSet:
    """The answers selected by a reference, in document order (strings)."""
    __slots__ = ('values',)

    def __init__(self, values):
        self.values = list(values)

    def __repr__(self):
        return f'NodeSet({self.values!r})'


def nfc(text):
    """Unicode NFC normalisation: all inputs are compared and measured in NFC."""
    return unicodedata.normalize('NFC', text)


def normalise_answer(value):
    """An answer as stored text: None -> '', numbers/bools via XPath string()."""
    if value is None:
        return ''
    if isinstance(value, (bool, int, float)):
        return to_string(float(value) if not isinstance(value, bool) else value)
    return nfc(str(value))


def number_to_string(n):
    """XPath string() of a number: no exponent, integers without '.0'."""
    if n != n:
        return 'NaN'
    if math.isinf(n):
        return 'Infinity' if n > 0 else '-Infinity'
    if n == 0:
        return '0'
    return format(Decimal(repr(n)).normalize(), 'f')


def to_string(v):
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, float):
        return number_to_string(v)
    return v.values[0] if v.values else ''


def to_number(v):
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    s = to_string(v)
    m = _NUMBER_RE.fullmatch(s)
    if m:
        return float(m.group(1))
    t = parse_temporal(s.strip(WS))
    return temporal_days(t) if t else math.nan


def to_boolean(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return not (v == 0 or v != v)
    return to_string(v) != ''


def to_int(v):
    """Truncated integer of a value for index arguments; NaN -> 0."""
    n = to_number(v)
    if n != n:
        return 0
    return int(max(-1e9, min(1e9, math.trunc(n) if not math.isinf(n) else n)))


# ---------------------------------------------------------------- dates

def parse_temporal(s):
    """ISO date/datetime/time -> (kind, y, mo, d, h, mi, s, ms, offset_minutes
    or None), or None when ``s`` is not a valid one (calendar-checked)."""
    for kind, rx in _TEMPORAL_RES:
        m = rx.fullmatch(s)
        if m:
            break
    else:
        return None
    g = m.groups()
    y, mo, d = (int(x) for x in g[:3]) if kind != 'time' else (1970, 1, 1)
    tg = g[3:] if kind == 'datetime' else (g if kind == 'time' else (None,) * 5)
    h, mi, sec = int(tg[0] or 0), int(tg[1] or 0), int(tg[2] or 0)
    ms = int((tg[3] or '0')[:3].ljust(3, '0'))
    off = _offset_minutes(tg[4])
    if not (1 <= y and 1 <= mo <= 12 and 1 <= d <= _days_in_month(y, mo)
            and h < 24 and mi < 60 and sec < 60 and off is not False):
        return None
    return (kind, y, mo, d, h, mi, sec, ms, off)


def _offset_minutes(text):
    """'Z' / '+07:00' / '-0530' / '+07' -> minutes; None if absent; False if bad."""
    if not text:
        return None
    if text == 'Z':
        return 0
    digits = text[1:].replace(':', '')
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        return False
    return (hours * 60 + minutes) * (-1 if text[0] == '-' else 1)


def _days_in_month(y, mo):
    if mo == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if mo in (4, 6, 9, 11) else 31


def days_from_civil(y, mo, d):
    return date(y, mo, d).toordinal() - _EPOCH_ORDINAL


def civil_from_days(days):
    """Integer days since 1970-01-01 -> (y, mo, d); 'type' error out of 1..9999."""
    ordinal = days + _EPOCH_ORDINAL
    if not 1 <= ordinal <= 3652059:
        raise ExpressionError('type', 'date out of range')
    x = date.fromordinal(ordinal)
    return x.year, x.month, x.day


def temporal_days(t):
    """Days since the epoch of a parsed temporal (see module docstring)."""
    kind, y, mo, d, h, mi, sec, ms, off = t
    secs = h * 3600 + mi * 60 + sec
    if kind == 'time':
        return (secs + ms / 1000) / 86400
    days = days_from_civil(y, mo, d)
    if kind == 'date':
        return float(days)
    return days + (secs - (off or 0) * 60 + ms / 1000) / 86400


def fields_from_days(n):
    """Fractional days -> temporal fields (UTC), rounded to the millisecond."""
    ms = math.floor(n * 86400000 + 0.5)
    days = math.floor(ms / 86400000)
    rem = ms - days * 86400000
    y, mo, d = civil_from_days(days)
    return ('datetime', y, mo, d, rem // 3600000, rem % 3600000 // 60000,
            rem % 60000 // 1000, rem % 1000, 0)


def temporal_arg(v):
    """A date-ish argument -> fields, or None when it is empty or NaN."""
    if not isinstance(v, (float, bool)):
        s = to_string(v).strip(WS)
        if s == '':
            return None
        t = parse_temporal(s)
        if t:
            return t
        if not _NUMBER_RE.fullmatch(s):
            raise ExpressionError('type', f'not a date: {s!r}')
    n = to_number(v)
    if math.isinf(n):
        raise ExpressionError('type', 'date out of range')
    return None if n != n else fields_from_days(n)


def date_text(t):
    return f'{t[1]:04d}-{t[2]:02d}-{t[3]:02d}'


def datetime_text(t):
    off = t[8] or 0
    sign = '-' if off < 0 else '+'
    return (f'{date_text(t)}T{t[4]:02d}:{t[5]:02d}:{t[6]:02d}.{t[7]:03d}'
            f'{sign}{abs(off) // 60:02d}:{abs(off) % 60:02d}')


def format_date(t, fmt):
    """ODK's tokens: %Y %y %m %n %b %d %e %a %H %h %M %S %3 %%; others kept as is."""
    codes = {'Y': f'{t[1]:04d}', 'y': f'{t[1] % 100:02d}', 'm': f'{t[2]:02d}',
             'n': str(t[2]), 'd': f'{t[3]:02d}', 'e': str(t[3]), 'H': f'{t[4]:02d}',
             'h': str(t[4]), 'M': f'{t[5]:02d}', 'S': f'{t[6]:02d}', '3': f'{t[7]:03d}',
             'b': _MONTHS[t[2] - 1], 'a': _WEEKDAYS[date(t[1], t[2], t[3]).weekday()], '%': '%'}
    return re.sub('%(.?)', lambda m: codes.get(m.group(1), m.group(0)), fmt, flags=re.S)


# ---------------------------------------------------------------- regex

_ESCAPES = set('dDwWsSbBntrfvux')
_HEX = re.compile('[0-9A-Fa-f]+')


def compile_regex(pattern):
    """Compile a pattern of the portable subset (see expressions.py) so that it
    means what JavaScript's ``new RegExp(pattern)`` means."""
    try:
        return _compiled(_portable(pattern))
    except re.error as exc:
        raise ExpressionError('regex', f'invalid regex: {exc}') from None


def _portable(pattern):
    """Refuse constructs outside the subset; translate '$' to '\\Z' (JS '$'
    never matches before a final newline)."""
    out, i, in_class, class_start = [], 0, False, 0
    while i < len(pattern):
        c = pattern[i]
        if _refused(pattern, i, in_class, class_start):
            raise ExpressionError('regex', f'unsupported regex construct at {i}: {pattern[i:i + 3]!r}')
        if c == '\\':
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if not in_class and c == '[':
            class_start = i + (2 if pattern[i + 1:i + 2] == '^' else 1)
        in_class = (in_class and c != ']') or (not in_class and c == '[')
        out.append('\\Z' if c == '$' and not in_class else c)
        i += 1
    return ''.join(out)


def _refused(p, i, in_class, class_start):
    """Constructs Python and JavaScript read differently (or only one accepts):
    unknown letter escapes, backreferences, short \\x/\\u, ranges with a class
    escape, nested-set syntax, (? forms other than (?: (?= (?!, empty classes,
    '{,n}' and possessive quantifiers."""
    c, rest = p[i], p[i + 1:]
    if c == '\\':
        e = rest[:1]
        width = {'x': 2, 'u': 4}.get(e, 0)
        return ((e.isascii() and e.isalnum() and e not in _ESCAPES)
                or (width and len((_HEX.match(rest[1:1 + width]) or [''])[0]) < width)
                or (in_class and e in 'dDwWsS' and e != '' and (
                    (p[i - 1] == '-' and i - 1 > class_start) or (rest[1:2] == '-' and rest[2:3] != ']'))))
    if in_class:
        return c == '[' or (c in '-&~|' and rest[:1] == c)
    return ((c == '(' and rest[:1] == '?' and rest[1:2] not in (':', '=', '!'))
            or (c == '[' and (rest[:1] == ']' or rest[:2] == '^]'))
            or (c == '{' and rest[:1] == ',') or (c in '*+?}' and rest[:1] == '+'))


@functools.lru_cache(maxsize=256)
def _compiled(pattern):
    return re.compile(pattern, re.ASCII)


def random_uuid(length=None):
    """uuid(): RFC 4122 v4 text; uuid(n): n random characters [A-Za-z0-9]."""
    if length is None:
        return str(uuid_lib.uuid4())
    alphabet = _string.ascii_letters + _string.digits
    return ''.join(random.SystemRandom().choice(alphabet) for _ in range(length))


# ---------------------------------------------------------------- functions
# Every implementation is ``fn(ctx, *args)`` with evaluated arguments; ``ctx``
# offers ``current`` (the '.' value or None), ``position`` (1-based index of the
# innermost repeat instance or None) and ``now`` (temporal fields).

def _node_values(v, fname):
    if not isinstance(v, NodeSet):
        raise ExpressionError('type', f'{fname}() needs a node-set such as ${{name}}')
    return v.values


def flat_values(args):
    """Arguments as one list of values, each node-set replaced by its answers."""
    out = []
    for a in args:
        out.extend(a.values if isinstance(a, NodeSet) else [a])
    return out


def _current(ctx):
    if ctx.current is None:
        raise ExpressionError('context', "no current value ('.') here")
    return ctx.current


def _choices(v):
    return [t for t in re.split('[ \t\r\n]+', to_string(v)) if t]


def _substr(ctx, s, start, end=None):
    """ODK substr: 0-based start, exclusive end; negatives count from the end."""
    chars = to_string(s)
    n = len(chars)
    a = to_int(start)
    b = n if end is None else to_int(end)
    a, b = (a + n if a < 0 else a), (b + n if b < 0 else b)
    a, b = max(0, min(a, n)), max(0, min(b, n))
    return chars[a:b] if a < b else ''


def _round(ctx, x, digits=None):
    """1 arg: XPath round (ties toward +inf); 2 args: ODK, half away from zero
    on the shortest decimal text of the number (like Java's BigDecimal)."""
    n = to_number(x)
    if n != n or math.isinf(n):
        return n
    if digits is None:
        return float(math.floor(n + 0.5))
    k = to_number(digits)
    if k != k:
        return math.nan
    k = int(max(-400, min(400, math.trunc(k) if not math.isinf(k) else k)))
    with localcontext() as c:
        c.prec = 1000
        return float(Decimal(repr(n)).quantize(Decimal(1).scaleb(-k), ROUND_HALF_UP))


def _safe(op):
    """Wrap a math function so NaN and infinities pass through (no exceptions)."""
    def fn(ctx, x):
        n = to_number(x)
        return n if n != n or math.isinf(n) else float(op(n))
    return fn


def _pow(ctx, a, b):
    """JavaScript Math.pow semantics (Python's math.pow raises or differs)."""
    x, y = to_number(a), to_number(b)
    if y != y or (x != x and y != 0) or (abs(x) == 1 and math.isinf(y)):
        return math.nan if y != 0 else 1.0
    if x < 0 and not math.isinf(x) and not math.isinf(y) and y != math.trunc(y):
        return math.nan
    try:
        return math.pow(x, y)
    except (OverflowError, ValueError):
        odd = not math.isinf(y) and y == math.trunc(y) and int(y) % 2 == 1
        return -math.inf if odd and math.copysign(1, x) < 0 else math.inf


def _extreme(pick):
    def fn(ctx, *args):
        nums = [to_number(x) for x in flat_values(args)]
        if not nums or any(n != n for n in nums):
            return math.nan
        return pick(nums)
    return fn


def _sum(ctx, ns):
    total = 0.0
    for x in _node_values(ns, 'sum'):
        total += to_number(x)
    return total


def _concat(ctx, *args):
    return ''.join(''.join(a.values) if isinstance(a, NodeSet) else to_string(a) for a in args)


def _position(ctx, parent=None):
    if ctx.position is None:
        raise ExpressionError('context', 'position(..) outside a repeat')
    return float(ctx.position)


def _date(ctx, v):
    t = temporal_arg(v)
    return '' if t is None else date_text(t)


def _format_date(ctx, v, fmt):
    t = temporal_arg(v)
    return '' if t is None else format_date(t, to_string(fmt))


def _selected_at(ctx, v, i):
    items, k = _choices(v), to_int(i)
    return items[k] if 0 <= k < len(items) else ''


def _uuid(ctx, n=None):
    return random_uuid(None if n is None else max(0, to_int(n)))


def _once(ctx, v):
    return ctx.current if ctx.current else v


# name -> (min args, max args or None for any number, implementation)
FUNCTIONS = {
    'true': (0, 0, lambda ctx: True),
    'false': (0, 0, lambda ctx: False),
    'not': (1, 1, lambda ctx, v: not to_boolean(v)),
    'boolean': (1, 1, lambda ctx, v: to_boolean(v)),
    'string': (0, 1, lambda ctx, v=None: to_string(_current(ctx) if v is None else v)),
    'number': (0, 1, lambda ctx, v=None: to_number(_current(ctx) if v is None else v)),
    'int': (1, 1, _safe(math.trunc)),
    'floor': (1, 1, _safe(math.floor)),
    'ceiling': (1, 1, _safe(math.ceil)),
    'abs': (1, 1, lambda ctx, v: abs(to_number(v))),
    'round': (1, 2, _round),
    'pow': (2, 2, _pow),
    'if': (3, 3, None),  # lazy: evaluated by expressions._call
    'coalesce': (2, 2, lambda ctx, a, b: to_string(a) or to_string(b)),
    'concat': (0, None, _concat),
    'string-length': (0, 1, lambda ctx, v=None: float(len(
        to_string(_current(ctx) if v is None else v)))),
    'substr': (2, 3, _substr),
    'contains': (2, 2, lambda ctx, a, b: to_string(b) in to_string(a)),
    'starts-with': (2, 2, lambda ctx, a, b: to_string(a).startswith(to_string(b))),
    'ends-with': (2, 2, lambda ctx, a, b: to_string(a).endswith(to_string(b))),
    'regex': (2, 2, lambda ctx, a, p: compile_regex(to_string(p)).search(to_string(a)) is not None),
    'selected': (2, 2, lambda ctx, v, c: to_string(c).strip(WS) in _choices(v)),
    'count-selected': (1, 1, lambda ctx, v: float(len(_choices(v)))),
    'selected-at': (2, 2, _selected_at),
    'count': (1, 1, lambda ctx, ns: float(len(_node_values(ns, 'count')))),
    'sum': (1, 1, _sum),
    'min': (1, None, _extreme(min)),
    'max': (1, None, _extreme(max)),
    'position': (0, 1, _position),
    'today': (0, 0, lambda ctx: date_text(ctx.now)),
    'now': (0, 0, lambda ctx: datetime_text(ctx.now)),
    'date': (1, 1, _date),
    'decimal-date-time': (1, 1, lambda ctx, v: to_number(v)),
    'format-date': (2, 2, _format_date),
    'once': (1, 1, _once),
    'uuid': (0, 1, _uuid),
}
