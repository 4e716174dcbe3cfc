/* ParExpr: the XLSForm expression language (ODK XPath subset) in the browser.
 * Twin of survey_app/questionnaire/expressions.py + expr_functions.py: the
 * grammar (EBNF), AST, value model, conversions and functions are documented
 * there and must stay identical (tests/questionnaire/expression_vectors.json).
 * API: ParExpr.evaluate(expr, answers, {current, repeat_path, now, fields, choices})
 * -> string | number | boolean; parse(expr) -> AST arrays; references(expr)
 * -> array of names; validate(expr); toStr/toNum/toBool; errors are Error
 * objects with .code ('parse', 'unknown_function', 'arity',
 * 'unknown_reference', 'type', 'context', 'regex'). repeat_path indexes are
 * 0-based; now is a Date (read in province time, UTC+07:00, like the default clock) or an
 * ISO datetime string (no offset = UTC). */
var ParExpr = (function () {
  'use strict';
  var G = typeof self !== 'undefined' ? self : typeof global !== 'undefined' ? global : {};
  var NUM_RE = /^[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t\r\n]*$/;
  var TIME = '([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?';
  var DATE = '([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})';
  var TEMPORAL = [DATE, DATE + 'T' + TIME, TIME].map((p) => new RegExp(`^${p}$`));
  var MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
  var WEEKDAYS = 'Sun Mon Tue Wed Thu Fri Sat'.split(' ');
  var PROVINCE = 420; // the local zone: Asia/Ho_Chi_Minh, UTC+07:00 (see expr_library.py)
  var TOKEN = /[ \t\r\n]*(?:([0-9]+(?:\.[0-9]*)?|\.[0-9]+)|("[^"]*"|'[^']*')|\$\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z_][A-Za-z0-9_-]*)?)|(!=|<=|>=|\.\.|[()+\-*=<>,.|])|($))/y;
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
  function formatDate(t, fmt) { // %Y %y %m %n %b %d %e %a %H %h %M %S %3 %%; other codes kept as they are
    const codes = { Y: pad(t[1], 4), y: pad(t[1] % 100, 2), m: pad(t[2], 2), n: t[2], d: pad(t[3], 2),
      e: t[3], H: pad(t[4], 2), h: t[4], M: pad(t[5], 2), S: pad(t[6], 2), 3: pad(t[7], 3), b: MONTHS[t[2] - 1],
      a: WEEKDAYS[(((daysFromCivil(t[1], t[2], t[3]) + 4) % 7) + 7) % 7], '%': '%' };
    return fmt.replace(/%([\s\S]?)/g, (all, c) => c && codes.hasOwnProperty(c) ? codes[c] : all);
  }
  const dateText = (t) => formatDate(t, '%Y-%m-%d');
  function datetimeText(t) {
    const off = t[8] || 0, a = abs(off);
    return formatDate(t, `%Y-%m-%dT%H:%M:%S.${pad(t[7], 3)}${off < 0 ? '-' : '+'}`) + pad(floor(a / 60), 2) + ':' + pad(a % 60, 2);
  }
  function clock(now) { // -> temporal fields; a Date (default: the current one) is read in province time
    now = now === undefined || now === null ? new Date() : now;
    const local = now instanceof Date && new Date(now.getTime() + PROVINCE * 6e4).toISOString().slice(0, 23);
    const t = parseTemporal(local || nfc(String(now)));
    if (!t || t[0] !== 'datetime') throw fail('context', 'now must be an ISO datetime, got ' + now);
    t[8] = local ? PROVINCE : t[8] || 0;
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
  /* ---- the rest of ODK's function set: mirror of expr_library.py (its docstring has the rules) ---- */
  const xround = (n) => isFinite(n) ? floor(n + 0.5) : n;
  const items = (args) => [].concat(...args.map(values));
  function substring(ctx, s, start, len) {
    const c = chars(s), a = xround(toNum(start)), b = len === undefined ? Infinity : a + xround(toNum(len));
    return a !== a || b !== b ? '' : c.filter((ch, i) => a <= i + 1 && i + 1 < b).join('');
  }
  function translate(ctx, s, from, to) {
    const f = chars(from), t = chars(to), map = new Map();
    f.forEach((c, i) => { if (!map.has(c)) map.set(c, i < t.length ? t[i] : ''); });
    return chars(s).map((c) => map.has(c) ? map.get(c) : c).join('');
  }
  function within(lo, hi, total) {
    lo = toNum(lo); hi = toNum(hi);
    return (lo !== lo || lo < 0 || total >= lo) && (hi !== hi || hi < 0 || total <= hi);
  }
  function weighted(ctx, lo, hi, ...args) {
    const v = items(args);
    let total = 0;
    if (v.length % 2) throw fail('type', 'weighted-checklist() needs value and weight pairs');
    for (let i = 0; i < v.length; i += 2) if (toNum(v[i]) > 0) total += toNum(v[i + 1]);
    return within(lo, hi, total);
  }
  function points(args) { // [[lat, lon] in radians] or null when a point is malformed
    const out = [];
    for (const value of items(args)) {
      for (const part of toStr(value).split(';')) {
        const w = part.split(/[ \t\r\n]+/).filter(Boolean);
        if (!w.length) continue;
        const lat = w.length > 1 ? toNum(w[0]) : NaN, lon = w.length > 1 ? toNum(w[1]) : NaN;
        if (!(abs(lat) <= 90 && abs(lon) <= 180)) return null;
        out.push([lat * Math.PI / 180, lon * Math.PI / 180]);
      }
    }
    return out;
  }
  const R = 6378100, cents = (x) => floor(x * 100 + 0.5) / 100, sin = Math.sin;
  function area(ctx, ...args) {
    const p = points(args);
    let total = 0;
    if (!p || !p.length) return NaN;
    if (p.length > 2) p.forEach((a, i) => { const b = p[(i + 1) % p.length]; total += (b[1] - a[1]) * (2 + sin(a[0]) + sin(b[0])); });
    return cents(abs(total * R * R / 2));
  }
  function distance(ctx, ...args) {
    const p = points(args);
    let total = 0;
    if (!p || !p.length) return NaN;
    for (let i = 1; i < p.length; i++) {
      const a = p[i - 1], b = p[i], h = Math.pow(sin((b[0] - a[0]) / 2), 2) + Math.cos(a[0]) * Math.cos(b[0]) * Math.pow(sin((b[1] - a[1]) / 2), 2);
      total += 2 * R * Math.asin(min(1, Math.sqrt(h)));
    }
    return cents(total);
  }
  function instant(v) { // text keeps its own offset; a number is an instant shown in province time
    if (typeof v !== 'number' && typeof v !== 'boolean') {
      const t = parseTemporal(strip(toStr(v)));
      if (t) { t[8] = t[8] || 0; return t; }
    }
    if (!temporalArg(v)) return null;
    const t = fieldsFromDays(toNum(v) + PROVINCE / 1440);
    t[8] = PROVINCE;
    return t;
  }
  function decimalTime(ctx, v) {
    const t = parseTemporal(strip(toStr(v)));
    if (!t || t[0] !== 'time') return NaN;
    let m = t[4] * 60 + t[5];
    if (t[8] !== null) m += PROVINCE - t[8];
    return ((((m % 1440) + 1440) % 1440) * 60 + t[6] + t[7] / 1000) / 86400;
  }

  /* digest: MD5, SHA-1 and SHA-2 in pure JS (SubtleCrypto is asynchronous and needs a secure context) */
  var HASH = {
    md5:'d76aa478e8c7b756242070dbc1bdceeef57c0faf4787c62aa8304613fd469501698098d88b44f7afffff5bb1895cd7be6b901122fd987193a679438e49b40821f61e2562c040b340265e5a51e9b6c7aad62f105d02441453d8a1e681e7d3fbc821e1cde6c33707d6f4d50d87455a14eda9e3e905fcefa3f8676f02d98d2a4c8afffa39428771f6816d9d6122fde5380ca4beea444bdecfa9f6bb4b60bebfbc70289b7ec6eaa127fad4ef308504881d05d9d4d039e6db99e51fa27cf8c4ac5665f4292244432aff97ab9423a7fc93a039655b59c38f0ccc92ffeff47d85845dd16fa87e4ffe2ce6e0a30143144e0811a1f7537e82bd3af2352ad7d2bbeb86d391',
    k512:'428a2f98d728ae227137449123ef65cdb5c0fbcfec4d3b2fe9b5dba58189dbbc3956c25bf348b53859f111f1b605d019923f82a4af194f9bab1c5ed5da6d8118d807aa98a303024212835b0145706fbe243185be4ee4b28c550c7dc3d5ffb4e272be5d74f27b896f80deb1fe3b1696b19bdc06a725c71235c19bf174cf692694e49b69c19ef14ad2efbe4786384f25e30fc19dc68b8cd5b5240ca1cc77ac9c652de92c6f592b02754a7484aa6ea6e4835cb0a9dcbd41fbd476f988da831153b5983e5152ee66dfaba831c66d2db43210b00327c898fb213fbf597fc7beef0ee4c6e00bf33da88fc2d5a79147930aa72506ca6351e003826f142929670a0e6e7027b70a8546d22ffc2e1b21385c26c9264d2c6dfc5ac42aed53380d139d95b3df650a73548baf63de766a0abb3c77b2a881c2c92e47edaee692722c851482353ba2bfe8a14cf10364a81a664bbc423001c24b8b70d0f89791c76c51a30654be30d192e819d6ef5218d69906245565a910f40e35855771202a106aa07032bbd1b819a4c116b8d2d0c81e376c085141ab532748774cdf8eeb9934b0bcb5e19b48a8391c0cb3c5c95a634ed8aa4ae3418acb5b9cca4f7763e373682e6ff3d6b2b8a3748f82ee5defb2fc78a5636f43172f6084c87814a1f0ab728cc702081a6439ec90befffa23631e28a4506cebde82bde9bef9a3f7b2c67915c67178f2e372532bca273eceea26619cd186b8c721c0c207eada7dd6cde0eb1ef57d4f7fee6ed17806f067aa72176fba0a637dc5a2c898a6113f9804bef90dae1b710b35131c471b28db77f523047d8432caab7b40c724933c9ebe0a15c9bebc431d67c49c100d4c4cc5d4becb3e42b6597f299cfc657e2a5fcb6fab3ad6faec6c44198c4a475817',
    iv512:'6a09e667f3bcc908bb67ae8584caa73b3c6ef372fe94f82ba54ff53a5f1d36f1510e527fade682d19b05688c2b3e6c1f1f83d9abfb41bd6b5be0cd19137e2179',
    iv384:'cbbb9d5dc1059ed8629a292a367cd5079159015a3070dd17152fecd8f70e593967332667ffc00b318eb44a8768581511db0c2e0d64f98fa747b5481dbefa4fa4'
  };
  const hexWords = (h) => h.match(/.{8}/g).map((x) => parseInt(x, 16) | 0);
  function utf8(s) { // lone surrogates as 3 bytes, like Python's 'surrogatepass'
    const out = [];
    for (const ch of s) {
      const c = ch.codePointAt(0);
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | c >> 6, 0x80 | c & 63);
      else if (c < 0x10000) out.push(0xe0 | c >> 12, 0x80 | c >> 6 & 63, 0x80 | c & 63);
      else out.push(0xf0 | c >> 18, 0x80 | c >> 12 & 63, 0x80 | c >> 6 & 63, 0x80 | c & 63);
    }
    return out;
  }
  function padded(bytes, size, little) { // message + 0x80 + zeros + bit length, as 32-bit words
    let b = bytes.concat([0x80]), bits = bytes.length * 8;
    const len = [], w = [];
    while (b.length % size !== size - size / 8) b.push(0); // SHA-512's length field has 16 bytes
    for (let i = 0; i < size / 8; i++) { len.push(bits % 256); bits = floor(bits / 256); }
    b = b.concat(little ? len : len.reverse());
    for (let i = 0; i < b.length; i += 4) {
      w.push(little ? b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24 : b[i] << 24 | b[i + 1] << 16 | b[i + 2] << 8 | b[i + 3]);
    }
    return w;
  }
  function wordBytes(words, little) {
    const out = [];
    words.forEach((x) => { for (let k = 0; k < 4; k++) out.push(x >>> (little ? 8 * k : 24 - 8 * k) & 255); });
    return out;
  }
  const rotl = (x, n) => x << n | x >>> (32 - n), rotr = (x, n) => x >>> n | x << (32 - n);
  function md5(bytes) {
    const K = hexWords(HASH.md5), S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21], w = padded(bytes, 64, true);
    let h = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
    for (let o = 0; o < w.length; o += 16) {
      let a = h[0], b = h[1], c = h[2], d = h[3];
      for (let i = 0; i < 64; i++) {
        const r = i >> 4;
        const f = r === 0 ? (b & c) | (~b & d) : r === 1 ? (d & b) | (~d & c) : r === 2 ? b ^ c ^ d : c ^ (b | ~d);
        const g = r === 0 ? i : r === 1 ? (5 * i + 1) % 16 : r === 2 ? (3 * i + 5) % 16 : (7 * i) % 16;
        const t = d;
        d = c; c = b;
        b = (b + rotl((a + f + K[i] + w[o + g]) | 0, S[r * 4 + (i & 3)])) | 0;
        a = t;
      }
      h = [h[0] + a | 0, h[1] + b | 0, h[2] + c | 0, h[3] + d | 0];
    }
    return wordBytes(h, true);
  }
  function sha1(bytes) {
    const w = padded(bytes, 64, false);
    let h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0].map((x) => x | 0);
    for (let o = 0; o < w.length; o += 16) {
      const W = w.slice(o, o + 16);
      let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
      for (let i = 0; i < 80; i++) {
        if (i >= 16) W[i] = rotl(W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16], 1);
        const f = i < 20 ? (b & c) | (~b & d) : i < 40 || i >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
        const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
        const t = (rotl(a, 5) + f + e + (k | 0) + W[i]) | 0;
        e = d; d = c; c = rotl(b, 30); b = a; a = t;
      }
      h = [h[0] + a | 0, h[1] + b | 0, h[2] + c | 0, h[3] + d | 0, h[4] + e | 0];
    }
    return wordBytes(h, false);
  }
  function sha256(bytes) {
    const K = hexWords(HASH.k512).filter((x, i) => i % 2 === 0), w = padded(bytes, 64, false);
    let h = hexWords(HASH.iv512).filter((x, i) => i % 2 === 0); // SHA-256's constants are SHA-512's high halves
    for (let o = 0; o < w.length; o += 16) {
      const W = w.slice(o, o + 16);
      let v = h.slice();
      for (let i = 0; i < 64; i++) {
        if (i >= 16) {
          const x = W[i - 15], y = W[i - 2];
          W[i] = (W[i - 16] + (rotr(x, 7) ^ rotr(x, 18) ^ x >>> 3) + W[i - 7] + (rotr(y, 17) ^ rotr(y, 19) ^ y >>> 10)) | 0;
        }
        const a = v[0], e = v[4];
        const t1 = (v[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & v[5]) ^ (~e & v[6])) + K[i] + W[i]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]))) | 0;
        v = [t1 + t2 | 0, a, v[1], v[2], v[3] + t1 | 0, e, v[5], v[6]];
      }
      h = h.map((x, j) => x + v[j] | 0);
    }
    return wordBytes(h, false);
  }
  /* 64-bit words as [high, low] int32 pairs (no BigInt on the target browsers) */
  const r64 = (x, n) => n < 32 ? [x[0] >>> n | x[1] << (32 - n), x[1] >>> n | x[0] << (32 - n)] : r64([x[1], x[0]], n - 32);
  const s64 = (x, n) => [x[0] >>> n, x[1] >>> n | x[0] << (32 - n)];
  const x64 = (a, b, c) => [a[0] ^ b[0] ^ c[0], a[1] ^ b[1] ^ c[1]];
  function a64(...xs) {
    let hi = 0, lo = 0;
    xs.forEach((x) => { hi += x[0] | 0; lo += x[1] >>> 0; });
    return [(hi + floor(lo / 4294967296)) | 0, lo | 0];
  }
  const pairs = (w) => { const out = []; for (let i = 0; i < w.length; i += 2) out.push([w[i], w[i + 1]]); return out; };
  function sha512(bytes, iv, size) {
    const K = pairs(hexWords(HASH.k512)), w = pairs(padded(bytes, 128, false));
    let h = pairs(hexWords(iv));
    for (let o = 0; o < w.length; o += 16) {
      const W = w.slice(o, o + 16);
      let v = h.slice();
      for (let i = 0; i < 80; i++) {
        if (i >= 16) {
          const x = W[i - 15], y = W[i - 2];
          W[i] = a64(W[i - 16], x64(r64(x, 1), r64(x, 8), s64(x, 7)), W[i - 7], x64(r64(y, 19), r64(y, 61), s64(y, 6)));
        }
        const a = v[0], b = v[1], c = v[2], e = v[4], f = v[5], g = v[6];
        const ch = [(e[0] & f[0]) ^ (~e[0] & g[0]), (e[1] & f[1]) ^ (~e[1] & g[1])];
        const maj = [(a[0] & b[0]) ^ (a[0] & c[0]) ^ (b[0] & c[0]), (a[1] & b[1]) ^ (a[1] & c[1]) ^ (b[1] & c[1])];
        const t1 = a64(v[7], x64(r64(e, 14), r64(e, 18), r64(e, 41)), ch, K[i], W[i]);
        const t2 = a64(x64(r64(a, 28), r64(a, 34), r64(a, 39)), maj);
        v = [a64(t1, t2), a, b, c, a64(v[3], t1), e, f, g];
      }
      h = h.map((x, j) => a64(x, v[j]));
    }
    return wordBytes([].concat(...h), false).slice(0, size);
  }
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function base64(b) {
    let s = '';
    for (let i = 0; i < b.length; i += 3) {
      const n = b[i] << 16 | (b[i + 1] || 0) << 8 | (b[i + 2] || 0);
      s += B64[n >> 18] + B64[n >> 12 & 63] + (i + 1 < b.length ? B64[n >> 6 & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
    }
    return s;
  }
  var DIGESTS = { 'MD5': md5, 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-384': (b) => sha512(b, HASH.iv384, 48),
    'SHA-512': (b) => sha512(b, HASH.iv512, 64) };
  function digest(ctx, data, algorithm, encoding) {
    const name = toStr(algorithm).toUpperCase(), enc = encoding === undefined ? 'base64' : toStr(encoding).toLowerCase();
    if (!DIGESTS.hasOwnProperty(name) || (enc !== 'base64' && enc !== 'hex')) {
      throw fail('type', `digest(): unknown algorithm or encoding '${toStr(algorithm)}', '${enc}'`);
    }
    const raw = DIGESTS[name](utf8(toStr(data)));
    return enc === 'hex' ? raw.map((x) => pad(x.toString(16), 2)).join('') : base64(raw);
  }
  var BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
  function questionNamed(path) { // '${question}' or an XPath '/data/group/question' -> 'question'
    var text = strip(toStr(path));
    if (text.startsWith('${') && text.endsWith('}')) return text.slice(2, -1);
    text = text.replace(/\/+$/, '');
    return text.slice(text.lastIndexOf('/') + 1);
  }
  function choiceName(ctx, value, path) { // the label of a choice in the language shown (expr_library)
    var name = questionNamed(path), labels = ctx.choices && Object.prototype.hasOwnProperty.call(ctx.choices, name) ? ctx.choices[name] : null;
    if (!labels) throw fail('unknown_reference', `jr:choice-name(): \${${name}} is no question with choices`);
    var wanted = strip(toStr(value));
    return Object.prototype.hasOwnProperty.call(labels, wanted) ? labels[wanted] : '';
  }
  function base64Bytes(text) { // standard base64, padded or not -> bytes; null when it is not base64
    const s = text.replace(/=+$/, ''), bytes = [];
    if (!BASE64_RE.test(text)) return null;
    for (let i = 0, acc = 0, n = 0; i < s.length; i++) {
      acc = acc << 6 | B64.indexOf(s[i]);
      n += 6;
      if (n >= 8) { n -= 8; bytes.push(acc >> n & 255); }
    }
    return bytes;
  }
  function base64Decode(ctx, v) { // '' unless valid base64 of UTF-8 text
    const bytes = base64Bytes(toStr(v));
    return bytes ? fromUtf8(bytes) : '';
  }

  /* ---- extract-signed: Ed25519 verification (expr_signed.py), on 16-bit limbs (TweetNaCl's
   * representation: no BigInt before Chrome 67) ---- */
  var ED = (function () {
    const gf = (init) => { const r = new Float64Array(16); if (init) for (let i = 0; i < init.length; i++) r[i] = init[i]; return r; };
    function carry(o) {
      let c = 1;
      for (let i = 0; i < 16; i++) { const v = o[i] + c + 65535; c = Math.floor(v / 65536); o[i] = v - c * 65536; }
      o[0] += c - 1 + 37 * (c - 1);
    }
    function select(p, q, b) { // swap p and q when b is 1
      const c = ~(b - 1);
      for (let i = 0; i < 16; i++) { const t = c & (p[i] ^ q[i]); p[i] ^= t; q[i] ^= t; }
    }
    function pack(o, n) { // the canonical 32 little-endian bytes of n
      const m = gf(), t = gf(n);
      carry(t); carry(t); carry(t);
      for (let j = 0; j < 2; j++) {
        m[0] = t[0] - 0xffed;
        for (let i = 1; i < 15; i++) { m[i] = t[i] - 0xffff - ((m[i - 1] >> 16) & 1); m[i - 1] &= 0xffff; }
        m[15] = t[15] - 0x7fff - ((m[14] >> 16) & 1);
        const b = (m[15] >> 16) & 1;
        m[14] &= 0xffff;
        select(t, m, 1 - b);
      }
      for (let i = 0; i < 16; i++) { o[2 * i] = t[i] & 0xff; o[2 * i + 1] = t[i] >> 8; }
    }
    function bytesOf(n) { const o = new Uint8Array(32); pack(o, n); return o; }
    const differ = (a, b) => { const x = bytesOf(a), y = bytesOf(b); return x.some((v, i) => v !== y[i]); };
    const parity = (a) => bytesOf(a)[0] & 1;
    function unpack(o, n) { for (let i = 0; i < 16; i++) o[i] = n[2 * i] + (n[2 * i + 1] << 8); o[15] &= 0x7fff; }
    function add(o, a, b) { for (let i = 0; i < 16; i++) o[i] = a[i] + b[i]; }
    function sub(o, a, b) { for (let i = 0; i < 16; i++) o[i] = a[i] - b[i]; }
    function mul(o, a, b) {
      const t = new Float64Array(31);
      for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) t[i + j] += a[i] * b[j];
      for (let i = 0; i < 15; i++) t[i] += 38 * t[i + 16];
      for (let i = 0; i < 16; i++) o[i] = t[i];
      carry(o); carry(o);
    }
    function power(o, base, bits) { // base ** (the exponent whose bits, highest first, are given)
      const c = gf([1]);
      bits.forEach((bit) => { mul(c, c, c); if (bit) mul(c, c, base); });
      for (let i = 0; i < 16; i++) o[i] = c[i];
    }
    const ones = (n) => Array(n).fill(1);
    const inverse = (o, a) => power(o, a, ones(250).concat([0, 1, 0, 1, 1])); // p - 2 = 2^255 - 21
    const root = (o, a) => power(o, a, ones(250).concat([0, 1])); // (p - 5) / 8 = 2^252 - 3
    const ZERO = gf(), ONE = gf([1]), D = gf(), D2 = gf(), I = gf(), t = gf();
    sub(D, ZERO, gf([0xdb41, 1])); inverse(t, gf([0xdb42, 1])); mul(D, D, t); add(D2, D, D); // d = -121665/121666
    power(I, gf([2]), ones(250).concat([0, 1, 1])); // sqrt(-1) = 2^((p - 1) / 4), (p - 1) / 4 = 2^253 - 5
    function plus(p, q) { // RFC 8032 section 5.1.4, extended coordinates
      const a = gf(), b = gf(), c = gf(), d = gf(), e = gf(), f = gf(), g = gf(), h = gf(), u = gf();
      sub(a, p[1], p[0]); sub(u, q[1], q[0]); mul(a, a, u);
      add(b, p[0], p[1]); add(u, q[0], q[1]); mul(b, b, u);
      mul(c, p[3], q[3]); mul(c, c, D2);
      mul(d, p[2], q[2]); add(d, d, d);
      sub(e, b, a); sub(f, d, c); add(g, d, c); add(h, b, a);
      mul(p[0], e, f); mul(p[1], h, g); mul(p[2], g, f); mul(p[3], e, h);
    }
    function times(point, scalar) { // scalar: 32 little-endian bytes
      const found = [gf(), gf([1]), gf([1]), gf()], q = point.map((c) => gf(c));
      for (let i = 255; i >= 0; i--) {
        const b = (scalar[i >> 3] >> (i & 7)) & 1;
        for (let k = 0; k < 4; k++) select(found[k], q[k], b);
        plus(q, found); plus(found, found);
        for (let k = 0; k < 4; k++) select(found[k], q[k], b);
      }
      return found;
    }
    function decode(bytes) { // a point, or null (RFC 8032 section 5.1.3)
      const x = gf(), y = gf(), num = gf(), den = gf(), check = gf(), u = gf();
      unpack(y, bytes);
      const canonical = bytesOf(y);
      if (canonical.some((v, i) => v !== (i === 31 ? bytes[31] & 0x7f : bytes[i]))) return null; // y >= p
      mul(num, y, y); mul(den, num, D); sub(num, num, ONE); add(den, den, ONE); // x^2 = num / den
      inverse(u, den); mul(u, u, num); // x^2
      root(x, u); mul(x, x, u); // a root candidate: x2^((p + 3) / 8) = x2 * x2^((p - 5) / 8)
      mul(check, x, x);
      if (differ(check, u)) mul(x, x, I);
      mul(check, x, x);
      if (differ(check, u)) return null;
      const sign = bytes[31] >> 7;
      if (!differ(x, ZERO) && sign) return null;
      if (parity(x) !== sign) sub(x, ZERO, x);
      const xy = gf(); mul(xy, x, y);
      return [x, y, gf([1]), xy];
    }
    const B = decode([0x58].concat(Array(31).fill(0x66)));
    const L = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
    function belowL(s) { for (let i = 31; i >= 0; i--) if (s[i] !== L[i]) return s[i] < L[i]; return false; }
    function modL(bytes) { // 64 little-endian bytes mod L, as 32 bytes (TweetNaCl's modL)
      const x = Float64Array.from(bytes), r = [];
      for (let i = 63; i >= 32; --i) {
        let c = 0, j = i - 32;
        for (; j < i - 12; ++j) { x[j] += c - 16 * x[i] * L[j - (i - 32)]; c = Math.floor((x[j] + 128) / 256); x[j] -= c * 256; }
        x[j] += c; x[i] = 0;
      }
      let c = 0;
      for (let j = 0; j < 32; j++) { x[j] += c - (x[31] >> 4) * L[j]; c = x[j] >> 8; x[j] &= 255; }
      for (let j = 0; j < 32; j++) x[j] -= c * L[j];
      for (let i = 0; i < 32; i++) { x[i + 1] += x[i] >> 8; r.push(x[i] & 255); }
      return r;
    }
    function same(p, q) { // x1/z1 = x2/z2 and y1/z1 = y2/z2
      const a = gf(), b = gf();
      mul(a, p[0], q[2]); mul(b, q[0], p[2]);
      if (differ(a, b)) return false;
      mul(a, p[1], q[2]); mul(b, q[1], p[2]);
      return !differ(a, b);
    }
    return function verify(pub, signed) { // the message bytes, or null
      if (pub.length !== 32 || signed.length < 64) return null;
      const key = decode(pub), r = decode(signed.slice(0, 32)), s = signed.slice(32, 64);
      if (!key || !r || !belowL(s)) return null;
      const message = signed.slice(64);
      const h = modL(sha512(signed.slice(0, 32).concat(pub, message), HASH.iv512, 64));
      const right = times(key, h);
      plus(right, r);
      return same(times(B, s), right) ? message : null;
    };
  })();
  function extractSigned(ctx, contents, key) { // '' unless the key signed contents (expr_signed.py)
    const signed = base64Bytes(toStr(contents)), pub = base64Bytes(toStr(key));
    const message = signed && pub ? ED(pub, signed) : null;
    return message ? fromUtf8(message) : '';
  }
  function fromUtf8(b) { // strict, as Python decodes: '' unless the bytes are UTF-8
    let s = '';
    for (let i = 0; i < b.length;) {
      const c = b[i], n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
      let cp = n ? c & (0x3f >> n) : c;
      if (n < 0 || i + n >= b.length) return '';
      for (let k = 1; k <= n; k++) {
        if ((b[i + k] & 0xc0) !== 0x80) return '';
        cp = cp << 6 | b[i + k] & 63;
      }
      if ((n === 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff))) return '';
      s += String.fromCodePoint(cp);
      i += n + 1;
    }
    return s;
  }
  function parkMiller(seed) { // ODK's seeded generator (expr_library._park_miller)
    const n = toNum(seed);
    let state = (isFinite(n) ? trunc(n) : 0) % 2147483647;
    if (state <= 0) state += 2147483646;
    return () => { state = state * 16807 % 2147483647; return (state - 1) / 2147483646; };
  }
  function randomize(ctx, ns, seed) { // inside-out Fisher-Yates, as the spec says
    const v = nodes(ns, 'randomize'), rng = seed === undefined ? Math.random : parkMiller(seed), out = v.map(() => '');
    v.forEach((value, i) => {
      const j = floor(rng() * (i + 1));
      if (j !== i) out[i] = out[j];
      out[j] = value;
    });
    return new NodeSet(out);
  }
  const math1 = (f) => [1, 1, (ctx, x) => f(toNum(x))];
  var LIBRARY = {
    'sin': math1(Math.sin), 'cos': math1(Math.cos), 'tan': math1(Math.tan),
    'asin': math1(Math.asin), 'acos': math1(Math.acos), 'atan': math1(Math.atan),
    'atan2': [2, 2, (ctx, y, x) => Math.atan2(toNum(y), toNum(x))],
    'sqrt': math1(Math.sqrt), 'exp': math1(Math.exp), 'exp10': math1((x) => Math.pow(10, x)),
    'log': math1(Math.log), 'log10': math1(Math.log10),
    'pi': [0, 0, () => Math.PI],
    'random': [0, 0, () => Math.random()],
    'randomize': [1, 2, randomize],
    'indexed-repeat': [3, 7, null], // lazy: see indexedRepeat()
    'substring': [2, 3, substring],
    'substring-before': [2, 2, (ctx, s, t) => { s = toStr(s); const i = s.indexOf(toStr(t)); return i < 0 ? '' : s.slice(0, i); }],
    'substring-after': [2, 2, (ctx, s, t) => { s = toStr(s); t = toStr(t); const i = s.indexOf(t); return i < 0 ? '' : s.slice(i + t.length); }],
    'translate': [3, 3, translate],
    'normalize-space': [0, 1, (ctx, v) => toStr(dot(ctx, v)).split(/[ \t\r\n]+/).filter(Boolean).join(' ')],
    'join': [1, Infinity, (ctx, sep, ...args) => items(args).map(toStr).join(toStr(sep))],
    'boolean-from-string': [1, 1, (ctx, v) => toStr(v) === 'true' || toStr(v) === '1'],
    'count-non-empty': [1, 1, (ctx, ns) => nodes(ns, 'count-non-empty').filter((x) => x !== '').length],
    'checklist': [2, Infinity, (ctx, lo, hi, ...args) => within(lo, hi, items(args).filter((v) => toNum(v) > 0).length)],
    'weighted-checklist': [2, Infinity, weighted],
    'digest': [2, 3, digest],
    'base64-decode': [1, 1, base64Decode],
    'area': [1, Infinity, area],
    'distance': [1, Infinity, distance],
    'date-time': [1, 1, (ctx, v) => (v = instant(v)) ? datetimeText(v) : ''],
    'format-date-time': [2, 2, (ctx, v, f) => (v = instant(v)) ? formatDate(v, toStr(f)) : ''],
    'decimal-time': [1, 1, decimalTime],
    'jr:choice-name': [2, 2, choiceName],
    'extract-signed': [2, 2, extractSigned]
  };
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
  Object.keys(LIBRARY).forEach((name) => { FUNCTIONS[name] = LIBRARY[name]; });

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
      if (operator() !== '-') return union();
      take();
      return ['neg', unary()];
    }
    function union() {
      let left = primary();
      while (operator() === '|') { take(); left = ['bin', '|', left, primary()]; }
      return left;
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
    if (name === 'indexed-repeat' && (args.length % 2 === 0 || args.some((a, i) => (i === 0 || i % 2 === 1) && a[0] !== 'ref'))) {
      throw fail('parse', 'indexed-repeat() takes ${name}, ${repeat}, index[, ${repeat}, index]... at ' + pos);
    }
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
    return { answers: answers, path: path, fields: o.fields || null, now: clock(o.now), choices: o.choices || null,
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
    if (name === 'indexed-repeat') return indexedRepeat(args, ctx);
    return FUNCTIONS[name][2](ctx, ...args.map((a) => ev(a, ctx)));
  }
  function indexedRepeat(args, ctx) { // args[0] in the given 1-based instances of the repeats args[1], args[3]...
    const path = [], out = [];
    for (let k = 1; k < args.length; k += 2) {
      const n = toNum(ev(args[k + 1], ctx));
      if (!Number.isInteger(n) || n < 1) return new NodeSet([]);
      path.push([args[k][1], n - 1]);
    }
    resolve(ctx, args[0][1]); // an unknown name is refused as anywhere else
    let node = ctx.answers;
    for (const step of path) { // each step a repeat of the one before, with that instance
      const list = findRepeat(node, step[0]);
      if (!list || step[1] >= list.length) return new NodeSet([]);
      node = list[step[1]];
    }
    collect(ctx.answers, args[0][1], path, out);
    return new NodeSet(out);
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
  function unionOperands(n) {
    return n[0] === 'bin' && n[1] === '|' ? unionOperands(n[2]).concat(unionOperands(n[3])) : [n];
  }
  function union(n, ctx) { // XPath's a | b | ...: the node-sets of the distinct operands, in order
    var seen = {}, out = [];
    unionOperands(n).forEach((operand) => {
      var key = JSON.stringify(operand), v;
      if (seen[key]) return;
      seen[key] = true;
      v = ev(operand, ctx);
      if (!isNS(v)) throw fail('type', "'|' joins node-sets only (a question, '.', a repeat)");
      out = out.concat(v.values);
    });
    return new NodeSet(out);
  }
  function binary(op, left, right, ctx) {
    if (op === '|') return union(['bin', op, left, right], ctx);
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
