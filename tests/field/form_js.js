#!/usr/bin/env node
/* Runs the offline collector's ParForm (survey_app/static/field/form.js, with expr.js) on
 * {definition, answers, meta} read from stdin, without a browser, and prints
 * {supported, finished, problems}: finished = form.finish(answers, meta); problems = the
 * problems form.js finds on every shown page, {key: message}, keyed as the server's. */
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const root = path.join(__dirname, '..', '..', 'survey_app', 'static');
const context = { window: {}, ParMedia: { isLocal: () => false } };
vm.createContext(context);
for (const file of ['js/expr.js', 'field/form.js']) {
  vm.runInContext(fs.readFileSync(path.join(root, file), 'utf8'), context);  // their top-level vars become globals
}
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const form = new context.ParForm.Form(input.definition, 'vi', { required: 'required', integer: 'integer', number: 'number', constraint: 'constraint' });
const answers = JSON.parse(JSON.stringify(input.answers));
const problems = {};
form.calculate(answers);
input.definition.pages.forEach((page) => {
  if (!form.shown(page, answers)) return;
  form.visit(page, answers, (q, address, repeatPath, values) => {
    const message = form.problem(q, answers, repeatPath, values);
    if (message) problems[address] = message;
  });
});
process.stdout.write(JSON.stringify({ supported: form.supported(), finished: form.finish(input.answers, input.meta || {}), problems }));
