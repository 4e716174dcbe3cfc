/* ParExpr: the XLSForm expression language (ODK XPath subset) in the browser.
 * Twin of survey_app/questionnaire/expressions.py + expr_functions.py: the
 * grammar (EBNF), AST, value model, conversions and functions are documented
 * there and must stay identical (tests/questionnaire/expression_vectors.json).
 * API: ParExpr.evaluate(expr, answers, {current, repeat_path, now, fields})
 * -> string | number | boolean; parse(expr) -> AST arrays; references(expr)
 * -> array of names; validate(expr); toStr/toNum/toBool; errors are Error
 * objects with .code ('parse', 'unknown_function', 'arity',
 * 'unknown_reference', 'type', 'context', 'regex'). repeat_path indexes are
 * 0-based; now is a Date or an ISO datetime string (no offset = UTC). */
var ParExpr = (function () {
  'use strict';
  var G = typeof self !== 'undefined' ? self : typeof global !== 'undefined' ? global : {};
  var NUM_RE = /^[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*$/;
  var TIME = '([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?';
  var DATE = '([0-9]{4})-([0-9]{2})-([0-9]{2})';
  var TEMPORAL = [['date', DATE], ['datetime', DATE + 'T' + TIME], ['time', TIME]]
    .map(function (p) { return [p[0], new RegExp('^' + p[1] + '$')]; });
  var MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
  var TOKEN = /[ \t\r\n]*(?:([0-9]+(?:\.[0-9]*)?|\.[0-9]+)|("[^"]*"|'[^']*')|\$\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z_][A-Za-z0-9_-]*)?)|(!=|<=|>=|\.\.|[()+\-*=<>,.])|($))/y;
  var KINDS = [null, 'num', 'str', 'ref', 'name', 'op', 'end'];
  var LEVELS = [['or'], ['and'], ['=', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', 'div', 'mod']];
  var WORD_OPS = ['and', 'or', 'div', 'mod'];

  function fail(code, message) { var e = new Error(code + ': ' + message); e.code = code; e.detail = message; return e; }
  function NodeSet(values) { this.values = values; }
  function nfc(s) { return s.normalize('NFC'); }
  function strip(s) { return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''); }
  function pad(n, w) { n = String(n); while (n.length < w) n = '0' + n; return n; }

  /* ---- conversions (XPath 1.0 section 4, JavaRosa node-set unpacking) ---- */
  function numStr(n) {
    if (n !== n) return 'NaN';
    if (!isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
    if (n === 0) return '0';
    var parts = n.toExponential().split('e'), m = parts[0], p = +parts[1] + 1, neg = m[0] === '-';
    var d = m.replace('-', '').replace('.', '');
    var s = p <= 0 ? '0.' + '0'.repeat(-p) + d : p >= d.length ? d + '0'.repeat(p - d.length)
      : d.slice(0, p) + '.' + d.slice(p);
    return (neg ? '-' : '') + s;
  }
  function toStr(v) {
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return numStr(v);
    return v.values.length ? v.values[0] : '';
  }
  function toNum(v) {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return v;
    var s = toStr(v), m = NUM_RE.exec(s), t;
    if (m) return Number(m[1]);
    t = parseTemporal(strip(s));
    return t ? temporalDays(t) : NaN;
  }
  function toBool(v) {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return !(v === 0 || v !== v);
    return toStr(v) !== '';
  }
  function toInt(v) { var n = toNum(v); return n !== n ? 0 : Math.max(-1e9, Math.min(1e9, Math.trunc(n))); }
  function answer(v) {
    if (v === null || v === undefined) return '';
    return typeof v === 'number' || typeof v === 'boolean' ? toStr(v) : nfc(String(v));
  }

  /* ---- dates: no date type; ISO strings, days since 1970-01-01 as numbers ---- */
  function parseTemporal(s) {
    var kind, m, i;
    for (i = 0; i < 3 && !m; i++) { kind = TEMPORAL[i][0]; m = TEMPORAL[i][1].exec(s); }
    if (!m) return null;
    var ymd = kind === 'time' ? [1970, 1, 1] : [+m[1], +m[2], +m[3]];
    var g = kind === 'datetime' ? m.slice(4) : kind === 'time' ? m.slice(1) : [];
    var h = +(g[0] || 0), mi = +(g[1] || 0), sec = +(g[2] || 0), ms = +(((g[3] || '0') + '00').slice(0, 3));
    var off = offsetMinutes(g[4]);
    if (!(ymd[0] >= 1 && ymd[1] >= 1 && ymd[1] <= 12 && ymd[2] >= 1 && ymd[2] <= monthDays(ymd[0], ymd[1]) &&
      h < 24 && mi < 60 && sec < 60 && off !== false)) return null;
    return [kind, ymd[0], ymd[1], ymd[2], h, mi, sec, ms, off];
  }
  function offsetMinutes(text) {
    if (!text) return null;
    if (text === 'Z') return 0;
    var d = text.slice(1).replace(':', ''), h = +d.slice(0, 2), m = +(d.slice(2) || 0);
    if (h > 23 || m > 59) return false;
    return (h * 60 + m) * (text[0] === '-' ? -1 : 1);
  }
  function monthDays(y, m) {
    if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
    return [4, 6, 9, 11].indexOf(m) >= 0 ? 30 : 31;
  }
  function daysFromCivil(y, m, d) { // H. Hinnant's algorithm
    y -= m <= 2 ? 1 : 0;
    var era = Math.floor(y / 400), yoe = y - era * 400;
    var doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  }
  function civilFromDays(z) {
    if (!(z >= -719162 && z <= 2932896)) throw fail('type', 'date out of range');
    z += 719468;
    var era = Math.floor(z / 146097), doe = z - era * 146097;
    var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    var doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)), mp = Math.floor((5 * doy + 2) / 153);
    var m = mp < 10 ? mp + 3 : mp - 9;
    return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, doy - Math.floor((153 * mp + 2) / 5) + 1];
  }
  function temporalDays(t) {
    var secs = t[4] * 3600 + t[5] * 60 + t[6];
    if (t[0] === 'time') return (secs + t[7] / 1000) / 86400;
    var days = daysFromCivil(t[1], t[2], t[3]);
    return t[0] === 'date' ? days : days + (secs - (t[8] || 0) * 60 + t[7] / 1000) / 86400;
  }
  function fieldsFromDays(n) {
    var ms = Math.floor(n * 86400000 + 0.5), days = Math.floor(ms / 86400000), rem = ms - days * 86400000;
    var c = civilFromDays(days);
    return ['datetime', c[0], c[1], c[2], Math.floor(rem / 3600000), Math.floor(rem % 3600000 / 60000),
      Math.floor(rem % 60000 / 1000), rem % 1000, 0];
  }
  function temporalArg(v) {
    if (typeof v !== 'number' && typeof v !== 'boolean') {
      var s = strip(toStr(v)), t;
      if (s === '') return null;
      if ((t = parseTemporal(s))) return t;
      if (!NUM_RE.test(s)) throw fail('type', 'not a date: ' + s);
    }
    var n = toNum(v);
    if (n === Infinity || n === -Infinity) throw fail('type', 'date out of range');
    return n !== n ? null : fieldsFromDays(n);
  }
  function dateText(t) { return pad(t[1], 4) + '-' + pad(t[2], 2) + '-' + pad(t[3], 2); }
  function datetimeText(t) {
    var off = t[8] || 0, a = Math.abs(off);
    return dateText(t) + 'T' + pad(t[4], 2) + ':' + pad(t[5], 2) + ':' + pad(t[6], 2) + '.' + pad(t[7], 3) +
      (off < 0 ? '-' : '+') + pad(Math.floor(a / 60), 2) + ':' + pad(a % 60, 2);
  }
  function formatDate(t, fmt) {
    var codes = { Y: pad(t[1], 4), y: pad(t[1] % 100, 2), m: pad(t[2], 2), n: String(t[2]), d: pad(t[3], 2),
      e: String(t[3]), H: pad(t[4], 2), M: pad(t[5], 2), S: pad(t[6], 2), b: MONTHS[t[2] - 1], '%': '%' };
    return fmt.replace(/%([\s\S]?)/g, function (all, c) { return codes.hasOwnProperty(c) && c ? codes[c] : all; });
  }
  function clock(now) {
    if (now === undefined || now === null) now = new Date();
    if (now instanceof Date) {
      return ['datetime', now.getFullYear(), now.getMonth() + 1, now.getDate(), now.getHours(), now.getMinutes(),
        now.getSeconds(), now.getMilliseconds(), -now.getTimezoneOffset()];
    }
    var t = parseTemporal(nfc(String(now)));
    if (!t || t[0] !== 'datetime') throw fail('context', 'now must be an ISO datetime, got ' + now);
    t[8] = t[8] || 0;
    return t;
  }

  /* ---- regex: the portable subset documented in expressions.py ---- */
  function regex(pattern) {
    var inClass = false, i, c, r;
    for (i = 0; i < pattern.length; i++) {
      c = pattern[i]; r = pattern.slice(i + 1);
      if ((c === '\\' && /^[A-Za-z0-9]/.test(r) && 'dDwWsSbBntrfvux'.indexOf(r[0]) < 0) ||
        (!inClass && ((c === '(' && r[0] === '?' && ':=!'.indexOf(r[1] || 'x') < 0) ||
          (c === '[' && (r[0] === ']' || r.slice(0, 2) === '^]')) || (c === '{' && r[0] === ',')))) {
        throw fail('regex', 'unsupported regex construct at ' + i + ': ' + pattern.slice(i, i + 3));
      }
      if (c === '\\') { i++; continue; }
      inClass = (inClass && c !== ']') || (!inClass && c === '[');
    }
    try { return new RegExp(pattern); } catch (e) { throw fail('regex', 'invalid regex: ' + e.message); }
  }

  /* ---- functions: name -> [min args, max args, fn(ctx, ...values)] ---- */
  function nodes(v, name) {
    if (!(v instanceof NodeSet)) throw fail('type', name + '() needs a node-set such as ${name}');
    return v.values;
  }
  function cur(ctx) {
    if (ctx.current === null) throw fail('context', "no current value ('.') here");
    return ctx.current;
  }
  function choices(v) { return toStr(v).split(/[ \t\r\n]+/).filter(Boolean); }
  function chars(v) { return Array.from(toStr(v)); }
  function safe(f) { return function (ctx, x) { return f(toNum(x)); }; }
  function substr(ctx, s, start, end) {
    var c = chars(s), n = c.length, a = toInt(start), b = end === undefined ? n : toInt(end);
    a = Math.max(0, Math.min(a < 0 ? a + n : a, n));
    b = Math.max(0, Math.min(b < 0 ? b + n : b, n));
    return a < b ? c.slice(a, b).join('') : '';
  }
  function increment(s) {
    var i = s.length - 1;
    while (i >= 0 && s[i] === '9') i--;
    return i < 0 ? '1' + '0'.repeat(s.length) : s.slice(0, i) + (+s[i] + 1) + '0'.repeat(s.length - i - 1);
  }
  function round(ctx, x, digits) { // 2 args: half away from zero on the shortest decimal text
    var n = toNum(x);
    if (!isFinite(n)) return n;
    if (digits === undefined) return Math.floor(n + 0.5);
    var k = toNum(digits);
    if (k !== k) return NaN;
    k = Math.max(-400, Math.min(400, Math.trunc(k)));
    var parts = numStr(Math.abs(n)).split('.'), all = parts[0] + (parts[1] || ''), cut = parts[0].length + k;
    if (cut >= all.length) return n;
    var keep = cut < 0 ? '' : all.slice(0, cut);
    if (cut >= 0 && all[cut] >= '5') keep = increment(keep);
    var v = Number((keep || '0') + 'e' + (-k));
    return n < 0 ? -v : v;
  }
  function extreme(pick) {
    return function (ctx) {
      var nums = [], i;
      for (i = 1; i < arguments.length; i++) {
        var a = arguments[i];
        (a instanceof NodeSet ? a.values : [a]).forEach(function (x) { nums.push(toNum(x)); });
      }
      return !nums.length || nums.some(function (n) { return n !== n; }) ? NaN : pick.apply(Math, nums);
    };
  }
  function rnd(k) {
    var c = G.crypto;
    return c && c.getRandomValues ? c.getRandomValues(new Uint32Array(1))[0] % k : Math.floor(Math.random() * k);
  }
  function uuid(ctx, n) {
    var abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', s = '', i;
    if (n === undefined) {
      return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (ch) {
        var r = rnd(16); return (ch === 'x' ? r : (r & 3) | 8).toString(16);
      });
    }
    for (i = Math.max(0, toInt(n)); i > 0; i--) s += abc[rnd(62)];
    return s;
  }
  var FUNCTIONS = {
    'true': [0, 0, function () { return true; }],
    'false': [0, 0, function () { return false; }],
    'not': [1, 1, function (ctx, v) { return !toBool(v); }],
    'boolean': [1, 1, function (ctx, v) { return toBool(v); }],
    'string': [0, 1, function (ctx, v) { return toStr(v === undefined ? cur(ctx) : v); }],
    'number': [0, 1, function (ctx, v) { return toNum(v === undefined ? cur(ctx) : v); }],
    'int': [1, 1, safe(Math.trunc)],
    'floor': [1, 1, safe(Math.floor)],
    'ceiling': [1, 1, safe(Math.ceil)],
    'abs': [1, 1, safe(Math.abs)],
    'round': [1, 2, round],
    'pow': [2, 2, function (ctx, a, b) { return Math.pow(toNum(a), toNum(b)); }],
    'if': [3, 3, null], // lazy: see call()
    'coalesce': [2, 2, function (ctx, a, b) { return toStr(a) || toStr(b); }],
    'concat': [0, Infinity, function (ctx) {
      return Array.prototype.slice.call(arguments, 1).map(function (a) {
        return a instanceof NodeSet ? a.values.join('') : toStr(a);
      }).join('');
    }],
    'join': [2, 2, function (ctx, sep, ns) { return nodes(ns, 'join').join(toStr(sep)); }],
    'string-length': [0, 1, function (ctx, v) { return chars(v === undefined ? cur(ctx) : v).length; }],
    'substr': [2, 3, substr],
    'contains': [2, 2, function (ctx, a, b) { return toStr(a).indexOf(toStr(b)) >= 0; }],
    'starts-with': [2, 2, function (ctx, a, b) { return toStr(a).startsWith(toStr(b)); }],
    'ends-with': [2, 2, function (ctx, a, b) { return toStr(a).endsWith(toStr(b)); }],
    'regex': [2, 2, function (ctx, a, p) { return regex(toStr(p)).test(toStr(a)); }],
    'selected': [2, 2, function (ctx, v, c) { return choices(v).indexOf(strip(toStr(c))) >= 0; }],
    'count-selected': [1, 1, function (ctx, v) { return choices(v).length; }],
    'selected-at': [2, 2, function (ctx, v, i) { var c = choices(v), k = toInt(i); return k >= 0 && k < c.length ? c[k] : ''; }],
    'count': [1, 1, function (ctx, ns) { return nodes(ns, 'count').length; }],
    'sum': [1, 1, function (ctx, ns) { return nodes(ns, 'sum').reduce(function (t, x) { return t + toNum(x); }, 0); }],
    'min': [1, Infinity, extreme(Math.min)],
    'max': [1, Infinity, extreme(Math.max)],
    'position': [0, 1, function (ctx) {
      if (ctx.position === null) throw fail('context', 'position(..) outside a repeat');
      return ctx.position;
    }],
    'today': [0, 0, function (ctx) { return dateText(ctx.now); }],
    'now': [0, 0, function (ctx) { return datetimeText(ctx.now); }],
    'date': [1, 1, function (ctx, v) { var t = temporalArg(v); return t ? dateText(t) : ''; }],
    'decimal-date-time': [1, 1, function (ctx, v) { return toNum(v); }],
    'format-date': [2, 2, function (ctx, v, f) { var t = temporalArg(v); return t ? formatDate(t, toStr(f)) : ''; }],
    'once': [1, 1, function (ctx, v) { return ctx.current ? ctx.current : v; }],
    'uuid': [0, 1, uuid]
  };

  /* ---- tokenizer and recursive-descent parser (grammar: expressions.py) ---- */
  function tokenize(text) {
    var tokens = [], pos = 0, m, k, start;
    for (;;) {
      TOKEN.lastIndex = pos;
      if (!(m = TOKEN.exec(text))) badChar(text, pos);
      for (k = 1; m[k] === undefined; k++);
      start = pos + /^[ \t\r\n]*/.exec(m[0])[0].length;
      var val = KINDS[k] === 'str' ? m[k].slice(1, -1) : m[k];
      if (KINDS[k] === 'ref' && !/^[A-Za-z_][A-Za-z0-9_.\-]*$/.test(val)) throw fail('parse', 'invalid reference name ${' + val + '} at ' + start);
      tokens.push([KINDS[k], val, start]);
      if (KINDS[k] === 'end') return tokens;
      pos = TOKEN.lastIndex;
    }
  }
  function badChar(text, pos) {
    while (' \t\r\n'.indexOf(text[pos]) >= 0) pos++;
    if (text[pos] === "'" || text[pos] === '"') throw fail('parse', 'unterminated string at ' + pos);
    if (text.slice(pos, pos + 2) === '${') throw fail('parse', 'unterminated reference at ' + pos);
    throw fail('parse', "unexpected character '" + text[pos] + "' at " + pos);
  }
  function show(t) { return t[0] === 'end' ? 'end of expression' : "'" + t[1] + "'"; }
  function Parser(text) { this.t = tokenize(text); this.i = 0; }
  Parser.prototype = {
    peek: function () { return this.t[this.i]; },
    take: function () { return this.t[this.i++]; },
    isOp: function (v) { var t = this.peek(); return t[0] === 'op' && t[1] === v; },
    expect: function (v) {
      var t = this.take();
      if (t[0] !== 'op' || t[1] !== v) throw fail('parse', "expected '" + v + "' at " + t[2] + ', found ' + show(t));
    },
    operator: function () {
      var t = this.peek();
      return t[0] === 'op' || (t[0] === 'name' && WORD_OPS.indexOf(t[1]) >= 0) ? t[1] : null;
    },
    binary: function (level) {
      if (level === LEVELS.length) return this.unary();
      var left = this.binary(level + 1);
      while (LEVELS[level].indexOf(this.operator()) >= 0) left = ['bin', this.take()[1], left, this.binary(level + 1)];
      return left;
    },
    unary: function () {
      if (this.operator() === '-') { this.take(); return ['neg', this.unary()]; }
      return this.primary();
    },
    primary: function () {
      var t = this.take(), k = t[0], v = t[1], node;
      if (k === 'num') return ['num', Number(v)];
      if (k === 'str' || k === 'ref') return [k, v];
      if (k === 'name' && this.isOp('(')) return this.call(v, t[2]);
      if (k === 'op' && v === '(') { node = this.binary(0); this.expect(')'); return node; }
      if (k === 'op' && v === '.') return ['cur'];
      if (k === 'name') throw fail('parse', "bare name '" + v + "' at " + t[2] + ' (a question is ${' + v + '})');
      if (k === 'op' && v === '..') throw fail('parse', "'..' is only allowed as position(..) at " + t[2]);
      throw fail('parse', 'unexpected ' + show(t) + ' at ' + t[2]);
    },
    call: function (name, pos) {
      var args = [];
      this.take();
      if (!this.isOp(')')) {
        args.push(this.argument(name));
        while (this.isOp(',')) { this.take(); args.push(this.argument(name)); }
      }
      this.expect(')');
      checkCall(name, args, pos);
      return ['call', name, args];
    },
    argument: function (name) {
      if (name === 'position' && this.isOp('..')) { this.take(); return ['parent']; }
      return this.binary(0);
    }
  };
  function checkCall(name, args, pos) {
    var f = FUNCTIONS.hasOwnProperty(name) ? FUNCTIONS[name] : null;
    if (!f) throw fail('unknown_function', 'unknown function ' + name + '() at ' + pos);
    if (args.length < f[0] || args.length > f[1]) {
      throw fail('arity', name + '() takes ' + f[0] + (f[1] === f[0] ? '' : ' to ' + (f[1] === Infinity ? 'any' : f[1])) +
        ' arguments, got ' + args.length + ' at ' + pos);
    }
    if (name === 'position' && args.length && args[0][0] !== 'parent') throw fail('parse', "position() only accepts '..' at " + pos);
    if (name === 'regex' && args[1][0] === 'str') regex(args[1][1]);
  }
  var cache = new Map();
  function parse(expr) {
    if (typeof expr !== 'string') throw fail('parse', 'expression must be text');
    if (cache.has(expr)) return cache.get(expr);
    var p = new Parser(nfc(expr)), node = p.binary(0), t = p.peek();
    if (t[0] !== 'end') throw fail('parse', 'unexpected ' + show(t) + ' at ' + t[2]);
    if (cache.size > 2000) cache.clear();
    cache.set(expr, node);
    return node;
  }
  function references(expr) {
    var names = [];
    (function walk(n) {
      if (n[0] === 'ref' && names.indexOf(n[1]) < 0) names.push(n[1]);
      if (n[0] === 'neg') walk(n[1]);
      if (n[0] === 'bin') { walk(n[2]); walk(n[3]); }
      if (n[0] === 'call') n[2].forEach(walk);
    })(parse(expr));
    return names;
  }

  /* ---- evaluation context: answers tree, '.', repeat path, clock ---- */
  function isGroup(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
  function collect(node, name, path, out) {
    var found = false;
    Object.keys(node).forEach(function (key) {
      var val = node[key], on, list;
      if (key === name) {
        found = true;
        if (Array.isArray(val)) val.forEach(function () { out.push(''); });
        else out.push(isGroup(val) ? '' : answer(val));
      } else if (isGroup(val)) {
        found = collect(val, name, path, out) || found;
      } else if (Array.isArray(val)) {
        on = path.length > 0 && path[0][0] === key;
        list = on ? val.slice(path[0][1], path[0][1] + 1) : val;
        list.forEach(function (inst) { found = collect(inst, name, on ? path.slice(1) : [], out) || found; });
      }
    });
    return found;
  }
  function findRepeat(node, name) {
    var keys = Object.keys(node), i, hit;
    for (i = 0; i < keys.length; i++) {
      if (keys[i] === name && Array.isArray(node[keys[i]])) return node[keys[i]];
      if (isGroup(node[keys[i]]) && (hit = findRepeat(node[keys[i]], name))) return hit;
    }
    return null;
  }
  function context(answers, o) {
    var path = (o.repeat_path || []).map(function (s) { return [s[0], Math.trunc(s[1])]; }), node = answers;
    path.forEach(function (s) {
      var list = findRepeat(node, s[0]);
      if (!list || !(s[1] >= 0 && s[1] < list.length)) throw fail('context', 'no repeat instance ' + s[0] + '[' + s[1] + '] (0-based)');
      node = list[s[1]];
    });
    return { answers: answers, path: path, fields: o.fields || null, now: clock(o.now),
      current: o.current === undefined || o.current === null ? null : answer(o.current),
      position: path.length ? path[path.length - 1][1] + 1 : null };
  }
  function resolve(ctx, name) {
    var out = [];
    if (!collect(ctx.answers, name, ctx.path, out) && !(ctx.fields && ctx.fields.indexOf(name) >= 0)) {
      throw fail('unknown_reference', 'unknown question ${' + name + '}');
    }
    return new NodeSet(out);
  }

  /* ---- evaluator ---- */
  function ev(n, ctx) {
    switch (n[0]) {
      case 'num': case 'str': return n[1];
      case 'ref': return resolve(ctx, n[1]);
      case 'cur': return new NodeSet([cur(ctx)]);
      case 'neg': return -toNum(ev(n[1], ctx));
      case 'bin': return binary(n[1], n[2], n[3], ctx);
      case 'parent': return null;
      default: return call(n[1], n[2], ctx);
    }
  }
  function call(name, args, ctx) {
    if (name === 'if') return ev(toBool(ev(args[0], ctx)) ? args[1] : args[2], ctx);
    return FUNCTIONS[name][2].apply(null, [ctx].concat(args.map(function (a) { return ev(a, ctx); })));
  }
  var ARITH = {
    '+': function (x, y) { return x + y; }, '-': function (x, y) { return x - y; },
    '*': function (x, y) { return x * y; }, 'div': function (x, y) { return x / y; },
    'mod': function (x, y) { return x % y; }
  };
  var REL = {
    '=': function (x, y) { return x === y; }, '!=': function (x, y) { return x !== y; },
    '<': function (x, y) { return x < y; }, '<=': function (x, y) { return x <= y; },
    '>': function (x, y) { return x > y; }, '>=': function (x, y) { return x >= y; }
  };
  function binary(op, left, right, ctx) {
    if (op === 'and' || op === 'or') {
      var first = toBool(ev(left, ctx));
      return first === (op === 'or') ? first : toBool(ev(right, ctx));
    }
    var a = ev(left, ctx), b = ev(right, ctx);
    return ARITH[op] ? ARITH[op](toNum(a), toNum(b)) : compare(op, a, b);
  }
  function compare(op, a, b) { // XPath 1.0 section 3.4; node-sets compared existentially
    var ta = typeof a, tb = typeof b;
    if (a instanceof NodeSet || b instanceof NodeSet) {
      if (ta === 'boolean' || tb === 'boolean') return compare(op, toBool(a), toBool(b));
      var xs = a instanceof NodeSet ? a.values : [a], ys = b instanceof NodeSet ? b.values : [b];
      return xs.some(function (x) { return ys.some(function (y) { return compare(op, x, y); }); });
    }
    if (op === '=' || op === '!=') {
      if (ta === 'boolean' || tb === 'boolean') return REL[op](toBool(a), toBool(b));
      if (ta === 'number' || tb === 'number') return REL[op](toNum(a), toNum(b));
      return REL[op](a, b);
    }
    return REL[op](toNum(a), toNum(b));
  }

  function evaluate(expr, answers, options) {
    var ctx = context(answers || {}, options || {}), v = ev(parse(expr), ctx);
    return v instanceof NodeSet ? toStr(v) : v;
  }
  return {
    evaluate: evaluate, parse: parse, references: references,
    validate: function (expr) { parse(expr); },
    toStr: toStr, toNum: toNum, toBool: toBool, NodeSet: NodeSet, FUNCTIONS: FUNCTIONS
  };
})();
if (typeof module !== 'undefined') module.exports = ParExpr;
