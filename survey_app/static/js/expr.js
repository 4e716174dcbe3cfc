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
  var TEMPORAL = [DATE, DATE + 'T' + TIME, TIME].map((p) => new RegExp(`^${p}$`));
  var MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
  var TOKEN = /[ \t\r\n]*(?:([0-9]+(?:\.[0-9]*)?|\.[0-9]+)|("[^"]*"|'[^']*')|\$\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z_][A-Za-z0-9_-]*)?)|(!=|<=|>=|\.\.|[()+\-*=<>,.])|($))/y;
  var KINDS = [null, 'num', 'str', 'ref', 'name', 'op', 'end'];
  var LEVELS = [['or'], ['and'], ['=', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', 'div', 'mod']];
  var WORD_OPS = ['and', 'or', 'div', 'mod'];
  const { floor, max, min, trunc, abs } = Math;
  const isNS = (v) => v instanceof NodeSet;

  const fail = (code, detail) => Object.assign(new Error(`${code}: ${detail}`), { code, detail });
  function NodeSet(values) { this.values = values; }
  const nfc = (s) => s.normalize('NFC');
  const strip = (s) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  const pad = (n, w) => String(n).padStart(w, '0');

  /* ---- conversions (XPath 1.0 section 4, JavaRosa node-set unpacking) ---- */
  function numStr(n) {
    if (n !== n) return 'NaN';
    if (!isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
    if (n === 0) return '0';
    const [m, e] = abs(n).toExponential().split('e'), d = m.replace('.', ''), p = +e + 1; // shortest digits
    return (n < 0 ? '-' : '') + (p <= 0 ? '0.' + '0'.repeat(-p) + d : p >= d.length ? d + '0'.repeat(p - d.length)
      : d.slice(0, p) + '.' + d.slice(p));
  }
  const toStr = (v) => typeof v === 'number' ? numStr(v) : isNS(v) ? (v.values.length ? v.values[0] : '') : String(v);
  function toNum(v) {
    if (typeof v === 'boolean' || typeof v === 'number') return +v;
    const s = toStr(v), m = NUM_RE.exec(s), t = !m && parseTemporal(strip(s));
    return m ? +m[1] : t ? temporalDays(t) : NaN;
  }
  const toBool = (v) => typeof v === 'boolean' || typeof v === 'number' ? !!v : toStr(v) !== '';
  const toInt = (v) => (v = toNum(v)) !== v ? 0 : max(-1e9, min(1e9, trunc(v)));
  const answer = (v) => v === null || v === undefined ? '' : typeof v === 'number' ? numStr(v) : nfc(String(v));

  /* ---- dates: no date type; ISO strings, days since 1970-01-01 as numbers ---- */
  function parseTemporal(s) { // -> [kind, y, mo, d, h, mi, s, ms, offset minutes | null] or null
    const i = TEMPORAL.findIndex((r) => r.test(s));
    if (i < 0) return null;
    const m = TEMPORAL[i].exec(s), g = i === 1 ? m.slice(4) : i ? m.slice(1) : [];
    const [y, mo, d] = i === 2 ? [1970, 1, 1] : [+m[1], +m[2], +m[3]];
    const [h, mi, sec] = g.slice(0, 3).concat(0, 0, 0).map((x) => +(x || 0)), off = offsetMinutes(g[4]);
    return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= monthDays(y, mo) && h < 24 && mi < 60 && sec < 60 &&
      off !== false ? [['date', 'datetime', 'time'][i], y, mo, d, h, mi, sec, +((g[3] || '') + '000').slice(0, 3), off] : null;
  }
  function offsetMinutes(text) { // 'Z' / '+07:00' / '-0530' / '+07' -> minutes; null if absent; false if bad
    if (!text || text === 'Z') return text ? 0 : null;
    const d = text.slice(1).replace(':', ''), h = +d.slice(0, 2), m = +d.slice(2);
    return h > 23 || m > 59 ? false : (h * 60 + m) * (text[0] === '-' ? -1 : 1);
  }
  // day 0 of the next month; Date.UTC maps years 0-99 to 19xx, which keeps the same leap years for 1-99
  const monthDays = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();
  function daysFromCivil(y, m, d) { // setUTCFullYear: no 1900 offset for years < 100
    const t = new Date(0);
    t.setUTCFullYear(y, m - 1, d);
    return t.getTime() / 864e5;
  }
  function civilFromDays(z) { // 0001-01-01 .. 9999-12-31, like Python's date
    if (!(z >= -719162 && z <= 2932896)) throw fail('type', 'date out of range');
    const t = new Date(z * 864e5);
    return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
  }
  function temporalDays(t) {
    var secs = t[4] * 3600 + t[5] * 60 + t[6];
    if (t[0] === 'time') return (secs + t[7] / 1000) / 86400;
    var days = daysFromCivil(t[1], t[2], t[3]);
    return t[0] === 'date' ? days : days + (secs - (t[8] || 0) * 60 + t[7] / 1000) / 86400;
  }
  function fieldsFromDays(n) {
    var ms = floor(n * 86400000 + 0.5), days = floor(ms / 86400000), rem = ms - days * 86400000;
    var c = civilFromDays(days);
    return ['datetime', c[0], c[1], c[2], floor(rem / 3600000), floor(rem % 3600000 / 60000),
      floor(rem % 60000 / 1000), rem % 1000, 0];
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
  function formatDate(t, fmt) { // %Y %y %m %n %d %e %H %M %S %b %%; other codes kept as they are
    const codes = { Y: pad(t[1], 4), y: pad(t[1] % 100, 2), m: pad(t[2], 2), n: t[2], d: pad(t[3], 2),
      e: t[3], H: pad(t[4], 2), M: pad(t[5], 2), S: pad(t[6], 2), b: MONTHS[t[2] - 1], '%': '%' };
    return fmt.replace(/%([\s\S]?)/g, (all, c) => c && codes.hasOwnProperty(c) ? codes[c] : all);
  }
  const dateText = (t) => formatDate(t, '%Y-%m-%d');
  function datetimeText(t) {
    const off = t[8] || 0, a = abs(off);
    return formatDate(t, `%Y-%m-%dT%H:%M:%S.${pad(t[7], 3)}${off < 0 ? '-' : '+'}`) + pad(floor(a / 60), 2) + ':' + pad(a % 60, 2);
  }
  function clock(now) { // -> temporal fields; a Date is read in the browser's time zone
    now = now === undefined || now === null ? new Date() : now;
    const local = now instanceof Date && new Date(now - now.getTimezoneOffset() * 6e4).toISOString().slice(0, 23);
    const t = parseTemporal(local || nfc(String(now)));
    if (!t || t[0] !== 'datetime') throw fail('context', 'now must be an ISO datetime, got ' + now);
    t[8] = local ? -now.getTimezoneOffset() : t[8] || 0;
    return t;
  }

  /* ---- regex: the portable subset documented in expressions.py ---- */
  function refused(p, i, inClass, start) { // mirror of expr_functions._refused
    const c = p[i], r = p.slice(i + 1), e = r[0] || '';
    if (c === '\\') {
      const w = e === 'x' ? 2 : e === 'u' ? 4 : 0;
      return (/^[A-Za-z0-9]$/.test(e) && !'dDwWsSbBntrfvux'.includes(e)) ||
        (w > 0 && !new RegExp(`^[0-9A-Fa-f]{${w}}`).test(r.slice(1))) ||
        (inClass && e !== '' && 'dDwWsS'.includes(e) && ((p[i - 1] === '-' && i - 1 > start) || (r[1] === '-' && r[2] !== ']')));
    }
    if (inClass) return c === '[' || ('-&~|'.includes(c) && e === c);
    return (c === '(' && e === '?' && !':=!'.includes(r[1] || 'x')) || (c === '[' && (e === ']' || r.slice(0, 2) === '^]')) ||
      (c === '{' && e === ',') || ('*+?}'.includes(c) && e === '+');
  }
  function regex(pattern) { // the portable subset documented in expressions.py
    let inClass = false, start = 0;
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (refused(pattern, i, inClass, start)) throw fail('regex', `unsupported regex construct at ${i}: ${pattern.slice(i, i + 3)}`);
      if (c === '\\') { i++; continue; }
      if (!inClass && c === '[') start = i + (pattern[i + 1] === '^' ? 2 : 1);
      inClass = (inClass && c !== ']') || (!inClass && c === '[');
    }
    try { return new RegExp(pattern); } catch (e) { throw fail('regex', 'invalid regex: ' + e.message); }
  }

  /* ---- functions: name -> [min args, max args, fn(ctx, ...values)] ---- */
  function nodes(v, name) {
    if (!isNS(v)) throw fail('type', name + '() needs a node-set such as ${name}');
    return v.values;
  }
  const dot = (ctx, v) => v === undefined ? cur(ctx) : v;
  function cur(ctx) {
    if (ctx.current === null) throw fail('context', "no current value ('.') here");
    return ctx.current;
  }
  const choices = (v) => toStr(v).split(/[ \t\r\n]+/).filter(Boolean);
  const chars = (v) => Array.from(toStr(v));
  const safe = (f) => (ctx, x) => f(toNum(x));
  function substr(ctx, s, start, end) {
    var c = chars(s), n = c.length, a = toInt(start), b = end === undefined ? n : toInt(end);
    a = max(0, min(a < 0 ? a + n : a, n));
    b = max(0, min(b < 0 ? b + n : b, n));
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
    if (digits === undefined) return floor(n + 0.5);
    var k = toNum(digits);
    if (k !== k) return NaN;
    k = max(-400, min(400, trunc(k)));
    var parts = numStr(abs(n)).split('.'), all = parts[0] + (parts[1] || ''), cut = parts[0].length + k;
    if (cut >= all.length) return n;
    var keep = cut < 0 ? '' : all.slice(0, cut);
    if (cut >= 0 && all[cut] >= '5') keep = increment(keep);
    var v = Number((keep || '0') + 'e' + (-k));
    return n < 0 ? -v : v;
  }
  const values = (a) => isNS(a) ? a.values : [a];
  const extreme = (pick) => (ctx, ...args) => {
    const nums = [].concat(...args.map(values)).map(toNum);
    return !nums.length || nums.some((n) => n !== n) ? NaN : pick(...nums);
  };
  function rnd(k) {
    var c = G.crypto;
    return c && c.getRandomValues ? c.getRandomValues(new Uint32Array(1))[0] % k : floor(Math.random() * k);
  }
  function uuid(ctx, n) { // v4 UUID, or n random characters of [A-Za-z0-9]
    if (n === undefined) return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => (c === 'x' ? rnd(16) : 8 + rnd(4)).toString(16));
    let s = '';
    for (let i = toInt(n); i > 0; i--) s += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[rnd(62)];
    return s;
  }
  var FUNCTIONS = {
    'true': [0, 0, () => true],
    'false': [0, 0, () => false],
    'not': [1, 1, (ctx, v) => !toBool(v)],
    'boolean': [1, 1, (ctx, v) => toBool(v)],
    'string': [0, 1, (ctx, v) => toStr(dot(ctx, v))],
    'number': [0, 1, (ctx, v) => toNum(dot(ctx, v))],
    'int': [1, 1, safe(trunc)],
    'floor': [1, 1, safe(floor)],
    'ceiling': [1, 1, safe(Math.ceil)],
    'abs': [1, 1, safe(abs)],
    'round': [1, 2, round],
    'pow': [2, 2, (ctx, a, b) => Math.pow(toNum(a), toNum(b))],
    'if': [3, 3, null], // lazy: see call()
    'coalesce': [2, 2, (ctx, a, b) => toStr(a) || toStr(b)],
    'concat': [0, Infinity, (ctx, ...args) => args.map((a) => isNS(a) ? a.values.join('') : toStr(a)).join('')],
    'join': [2, 2, (ctx, sep, ns) => nodes(ns, 'join').join(toStr(sep))],
    'string-length': [0, 1, (ctx, v) => chars(dot(ctx, v)).length],
    'substr': [2, 3, substr],
    'contains': [2, 2, (ctx, a, b) => toStr(a).includes(toStr(b))],
    'starts-with': [2, 2, (ctx, a, b) => toStr(a).startsWith(toStr(b))],
    'ends-with': [2, 2, (ctx, a, b) => toStr(a).endsWith(toStr(b))],
    'regex': [2, 2, (ctx, a, p) => regex(toStr(p)).test(toStr(a))],
    'selected': [2, 2, (ctx, v, c) => choices(v).includes(strip(toStr(c)))],
    'count-selected': [1, 1, (ctx, v) => choices(v).length],
    'selected-at': [2, 2, (ctx, v, i) => choices(v)[toInt(i)] || ''],
    'count': [1, 1, (ctx, ns) => nodes(ns, 'count').length],
    'sum': [1, 1, (ctx, ns) => nodes(ns, 'sum').reduce((t, x) => t + toNum(x), 0)],
    'min': [1, Infinity, extreme(min)],
    'max': [1, Infinity, extreme(max)],
    'position': [0, 1, (ctx) => {
      if (ctx.position === null) throw fail('context', 'position(..) outside a repeat');
      return ctx.position;
    }],
    'today': [0, 0, (ctx) => dateText(ctx.now)],
    'now': [0, 0, (ctx) => datetimeText(ctx.now)],
    'date': [1, 1, (ctx, v) => (v = temporalArg(v)) ? dateText(v) : ''],
    'decimal-date-time': [1, 1, (ctx, v) => toNum(v)],
    'format-date': [2, 2, (ctx, v, f) => (v = temporalArg(v)) ? formatDate(v, toStr(f)) : ''],
    'once': [1, 1, (ctx, v) => ctx.current ? ctx.current : v],
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
      if (KINDS[k] === 'ref' && !/^[A-Za-z_][A-Za-z0-9_.\-]*$/.test(val)) throw fail('parse', `invalid reference name \${${val}} at ${start}`);
      tokens.push([KINDS[k], val, start]);
      if (KINDS[k] === 'end') return tokens;
      pos = TOKEN.lastIndex;
    }
  }
  function badChar(text, pos) {
    while (' \t\r\n'.includes(text[pos])) pos++;
    if (text[pos] === "'" || text[pos] === '"') throw fail('parse', 'unterminated string at ' + pos);
    if (text.slice(pos, pos + 2) === '${') throw fail('parse', 'unterminated reference at ' + pos);
    throw fail('parse', "unexpected character '" + text[pos] + "' at " + pos);
  }
  function show(t) { return t[0] === 'end' ? 'end of expression' : `'${t[1]}'`; }
  function parseTokens(text) { // one nested function per grammar rule
    const t = tokenize(text);
    let i = 0;
    const peek = () => t[i], take = () => t[i++];
    const isOp = (v) => t[i][0] === 'op' && t[i][1] === v;
    const operator = () => t[i][0] === 'op' || (t[i][0] === 'name' && WORD_OPS.includes(t[i][1])) ? t[i][1] : null;
    function expect(v) {
      const k = take();
      if (k[0] !== 'op' || k[1] !== v) throw fail('parse', `expected '${v}' at ${k[2]}, found ${show(k)}`);
    }
    function binary(level) {
      if (level === LEVELS.length) return unary();
      let left = binary(level + 1);
      while (LEVELS[level].includes(operator())) left = ['bin', take()[1], left, binary(level + 1)];
      return left;
    }
    function unary() {
      if (operator() !== '-') return primary();
      take();
      return ['neg', unary()];
    }
    function primary() {
      const k = take(), [kind, v, pos] = k;
      if (kind === 'num') return ['num', Number(v)];
      if (kind === 'str' || kind === 'ref') return [kind, v];
      if (kind === 'name' && isOp('(')) return call(v, pos);
      if (kind === 'op' && v === '(') { const node = binary(0); expect(')'); return node; }
      if (kind === 'op' && v === '.') return ['cur'];
      if (kind === 'name') throw fail('parse', `bare name '${v}' at ${pos} (a question is \${${v}})`);
      if (kind === 'op' && v === '..') throw fail('parse', `'..' is only allowed as position(..) at ${pos}`);
      throw fail('parse', `unexpected ${show(k)} at ${pos}`);
    }
    function call(name, pos) {
      const args = [];
      const argument = () => name === 'position' && isOp('..') ? (take(), ['parent']) : binary(0);
      take();
      if (!isOp(')')) {
        args.push(argument());
        while (isOp(',')) { take(); args.push(argument()); }
      }
      expect(')');
      checkCall(name, args, pos);
      return ['call', name, args];
    }
    const node = binary(0), k = peek();
    if (k[0] !== 'end') throw fail('parse', `unexpected ${show(k)} at ${k[2]}`);
    return node;
  }
  function checkCall(name, args, pos) {
    var f = FUNCTIONS.hasOwnProperty(name) ? FUNCTIONS[name] : null;
    if (!f) throw fail('unknown_function', `unknown function ${name}() at ${pos}`);
    if (args.length < f[0] || args.length > f[1]) {
      throw fail('arity', `${name}() takes ${f[0]}${f[1] === f[0] ? '' : ' to ' + f[1]} arguments, got ${args.length} at ${pos}`);
    }
    if (name === 'position' && args.length && args[0][0] !== 'parent') throw fail('parse', "position() only accepts '..' at " + pos);
    if (name === 'regex' && args[1][0] === 'str') regex(args[1][1]);
  }
  var cache = new Map();
  function parse(expr) {
    if (typeof expr !== 'string') throw fail('parse', 'expression must be text');
    if (cache.has(expr)) return cache.get(expr);
    const node = parseTokens(nfc(expr));
    if (cache.size > 2000) cache.clear();
    cache.set(expr, node);
    return node;
  }
  function references(expr) {
    var names = [];
    (function walk(n) {
      if (n[0] === 'ref' && !names.includes(n[1])) names.push(n[1]);
      if (n[0] === 'neg') walk(n[1]);
      if (n[0] === 'bin') { walk(n[2]); walk(n[3]); }
      if (n[0] === 'call') n[2].forEach(walk);
    })(parse(expr));
    return names;
  }

  /* ---- evaluation context: answers tree, '.', repeat path, clock ---- */
  const isGroup = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  function collect(node, name, path, out) { // values of name under node; true if found
    let found = false;
    for (const [key, val] of Object.entries(node)) {
      if (key === name) {
        found = true;
        out.push(...(Array.isArray(val) ? val.map(() => '') : [isGroup(val) ? '' : answer(val)]));
      } else if (isGroup(val)) {
        found = collect(val, name, path, out) || found;
      } else if (Array.isArray(val)) {
        const on = path.length > 0 && path[0][0] === key;
        for (const inst of on ? val.slice(path[0][1], path[0][1] + 1) : val) {
          found = collect(inst, name, on ? path.slice(1) : [], out) || found;
        }
      }
    }
    return found;
  }
  function findRepeat(node, name) {
    for (const [key, val] of Object.entries(node)) {
      const hit = key === name && Array.isArray(val) ? val : isGroup(val) && findRepeat(val, name);
      if (hit) return hit;
    }
    return null;
  }
  function context(answers, o) {
    var path = (o.repeat_path || []).map((s) => [s[0], trunc(s[1])]), node = answers;
    path.forEach((s) => {
      var list = findRepeat(node, s[0]);
      if (!list || !(s[1] >= 0 && s[1] < list.length)) throw fail('context', `no repeat instance ${s[0]}[${s[1]}] (0-based)`);
      node = list[s[1]];
    });
    return { answers: answers, path: path, fields: o.fields || null, now: clock(o.now),
      current: o.current === undefined || o.current === null ? null : answer(o.current),
      position: path.length ? path[path.length - 1][1] + 1 : null };
  }
  function resolve(ctx, name) {
    var out = [];
    if (!collect(ctx.answers, name, ctx.path, out) && !(ctx.fields && ctx.fields.includes(name))) {
      throw fail('unknown_reference', `unknown question \${${name}}`);
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
    return FUNCTIONS[name][2](ctx, ...args.map((a) => ev(a, ctx)));
  }
  var ARITH = {
    '+': (x, y) => x + y, '-': (x, y) => x - y,
    '*': (x, y) => x * y, 'div': (x, y) => x / y,
    'mod': (x, y) => x % y
  };
  var REL = {
    '=': (x, y) => x === y, '!=': (x, y) => x !== y,
    '<': (x, y) => x < y, '<=': (x, y) => x <= y,
    '>': (x, y) => x > y, '>=': (x, y) => x >= y
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
    if (isNS(a) || isNS(b)) {
      if (ta === 'boolean' || tb === 'boolean') return compare(op, toBool(a), toBool(b));
      return values(a).some((x) => values(b).some((y) => compare(op, x, y)));
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
    return isNS(v) ? toStr(v) : v;
  }
  return {
    evaluate: evaluate, parse: parse, references: references,
    validate: (expr) => { parse(expr); },
    toStr: toStr, toNum: toNum, toBool: toBool, NodeSet: NodeSet, FUNCTIONS: FUNCTIONS
  };
})();
if (typeof module !== 'undefined') module.exports = ParExpr;
