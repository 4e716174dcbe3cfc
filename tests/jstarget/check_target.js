/* Parses each file named on the command line as an ES2017 script (what Chrome 61 / Android 8
   browsers run) and looks for built-ins they lack. Prints one JSON list of problems. */
'use strict';
var fs = require('fs');
var acorn = require('acorn');
var walk = require('acorn-walk');

// Member names added after Chrome 61, with the object they belong to when it matters.
var MEMBERS = {
  flat: 'Array.prototype.flat (Chrome 69)', flatMap: 'Array.prototype.flatMap (Chrome 69)',
  fromEntries: 'Object.fromEntries (Chrome 73)', matchAll: 'String.prototype.matchAll (Chrome 73)',
  replaceAll: 'String.prototype.replaceAll (Chrome 85)', allSettled: 'Promise.allSettled (Chrome 76)',
  finally: 'Promise.prototype.finally (Chrome 63)', trimStart: 'String.prototype.trimStart (Chrome 66)',
  trimEnd: 'String.prototype.trimEnd (Chrome 66)', hasOwn: 'Object.hasOwn (Chrome 93)',
  at: 'Array.prototype.at (Chrome 92)', findLast: 'Array.prototype.findLast (Chrome 97)',
  findLastIndex: 'Array.prototype.findLastIndex (Chrome 97)', description: 'Symbol.prototype.description (Chrome 70)',
  toSorted: 'Array.prototype.toSorted (Chrome 110)', toReversed: 'Array.prototype.toReversed (Chrome 110)',
  groupBy: 'Object.groupBy (Chrome 117)', randomUUID: 'crypto.randomUUID (Chrome 92)'
};
var OWNED = { any: 'Promise', description: 'Symbol' };
var GLOBALS = {
  globalThis: 'globalThis (Chrome 71)', structuredClone: 'structuredClone (Chrome 98)',
  queueMicrotask: 'queueMicrotask (Chrome 71)', BigInt: 'BigInt (Chrome 67)',
  AggregateError: 'AggregateError (Chrome 85)', WeakRef: 'WeakRef (Chrome 84)',
  FinalizationRegistry: 'FinalizationRegistry (Chrome 84)'
};

function problems(file) {
  var source = fs.readFileSync(file, 'utf8');
  var found = [];
  var ast;
  try {
    ast = acorn.parse(source, { ecmaVersion: 2017, sourceType: 'script', locations: true });
  } catch (e) {
    return [{ file: file, line: e.loc ? e.loc.line : 0, what: 'not ES2017: ' + e.message }];
  }
  function add(node, what) { found.push({ file: file, line: node.loc.start.line, what: what }); }
  walk.full(ast, function (node) {
    if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') {
      var name = node.property.name;
      if (name === 'any' && node.object.type === 'Identifier' && node.object.name === 'Promise') {
        add(node, 'Promise.any (Chrome 85)');
      } else if (Object.prototype.hasOwnProperty.call(MEMBERS, name) && !OWNED[name]) {
        add(node, MEMBERS[name]);
      } else if (name === 'description' && node.object.type === 'Identifier' && /^sym/i.test(node.object.name)) {
        add(node, MEMBERS.description);
      }
    }
    if (node.type === 'Identifier' && Object.prototype.hasOwnProperty.call(GLOBALS, node.name)) {
      add(node, GLOBALS[node.name]);
    }
  });
  return found;
}

var all = [];
process.argv.slice(2).forEach(function (file) { all = all.concat(problems(file)); });
process.stdout.write(JSON.stringify(all));
