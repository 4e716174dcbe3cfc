#!/usr/bin/env node
/* Runs tests/questionnaire/expression_vectors.json against
 * survey_app/static/js/expr.js and prints a JSON summary
 * {"total", "passed", "failures": [{index, expr, want, got}]}; exit status 1
 * when anything disagrees.  The comparison rule is the one of
 * test_expressions.py (type + value; numbers within 1e-9 * max(1, |expected|)).
 * With --ast it instead reads a JSON array of expressions on stdin and prints
 * their ASTs (to compare with the Python parser). */
'use strict';
const fs = require('fs');
const path = require('path');
const ParExpr = require(path.join(__dirname, '..', '..', 'survey_app', 'static', 'js', 'expr.js'));

function matches(result, expected) {
  if (typeof expected === 'boolean' || typeof expected === 'string') return result === expected;
  if (expected !== null && typeof expected === 'object' && 'matches' in expected) {
    return typeof result === 'string' && new RegExp('^(?:' + expected.matches + ')$').test(result);
  }
  if (typeof result !== 'number') return false;
  if (typeof expected === 'object') {
    const want = Number(expected.number);
    return Number.isNaN(want) ? Number.isNaN(result) : result === want;
  }
  return Math.abs(result - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
}

function runOne(v) {
  const options = {};
  for (const k of ['current', 'repeat_path', 'now', 'fields', 'choices']) if (k in v) options[k] = v[k];
  try {
    const got = ParExpr.evaluate(v.expr, v.answers, options);
    if ('error' in v) return { got: got };
    return matches(got, v.expected) ? null : { got: typeof got === 'number' ? String(got) : got };
  } catch (e) {
    if (!e.code) return { got: 'crash: ' + e.stack };
    return 'error' in v && e.code === v.error ? null : { got: 'error ' + e.code + ': ' + e.detail };
  }
}

function main() {
  if (process.argv.includes('--ast')) {
    const exprs = JSON.parse(fs.readFileSync(0, 'utf8'));
    process.stdout.write(JSON.stringify(exprs.map(ParExpr.parse)));
    return 0;
  }
  const file = path.join(__dirname, 'expression_vectors.json');
  const vectors = JSON.parse(fs.readFileSync(file, 'utf8'));
  const failures = [];
  vectors.forEach((v, index) => {
    const bad = runOne(v);
    if (bad) failures.push({ index, expr: v.expr, want: 'error' in v ? { error: v.error } : v.expected, got: bad.got });
  });
  process.stdout.write(JSON.stringify({ total: vectors.length, passed: vectors.length - failures.length, failures }, null, 1));
  return failures.length ? 1 : 0;
}

process.exitCode = main();
