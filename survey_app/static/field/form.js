/* ParForm: renders one page of a questionnaire definition (survey_app/questionnaire/
 * definition.py, pages.py) into a container, checks it and finishes the answers, with the
 * same expression evaluator (ParExpr) as the citizen's questionnaire. The server re-checks
 * everything on receipt. Form text is set with textContent only (never as HTML). */
var ParForm = (function () {
  'use strict';
  var NO_PAGE = ['calculate', 'hidden', 'start', 'end', 'today', 'deviceid', 'username', 'simserial',
    'subscriberid', 'phonenumber', 'group', 'repeat'];
  var INTEGER = /^[+-]?\d{1,15}$/, DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  function plain(text) { return (text || '').replace(/<br\s*\/?>/gi, '\n').replace(/\*\*|__/g, ''); }

  function Form(definition, language, messages) {
    var self = this, seen = {};
    this.def = definition; this.msg = messages; this.byPath = {}; this.keys = {};
    definition.questions.forEach(function (q) { self.byPath[q.path] = q; seen[q.name] = (seen[q.name] || 0) + 1; });
    definition.questions.forEach(function (q) { self.keys[q.path] = seen[q.name] === 1 ? q.name : q.path; });
    var names = {};
    definition.questions.forEach(function (q) { names[q.name] = 1; names[self.keys[q.path]] = 1; });
    this.fields = Object.keys(names).sort();
    var codes = (definition.languages || []).filter(function (l) { return l.code === language; });
    this.lang = codes.length ? codes[0].name : definition.default_language;
  }

  Form.prototype.text = function (texts) {
    if (!texts) return '';
    var order = [this.lang, this.def.default_language, 'default'];
    for (var i = 0; i < order.length; i++) if (order[i] in texts) return plain(texts[order[i]]);
    var all = Object.keys(texts);
    return all.length ? plain(texts[all[0]]) : '';
  };
  Form.prototype.key = function (q) { return this.keys[q.path]; };
  Form.prototype.truth = function (expr, answers, current, fallback) {
    if (!expr) return fallback;
    try {
      return ParExpr.toBool(ParExpr.evaluate(expr, answers, { current: current, fields: this.fields }));
    } catch (e) { return false; }
  };
  Form.prototype.relevant = function (q, answers) {
    for (var node = q; node; node = node.parent ? this.byPath[node.parent] : null) {
      if (!this.truth(node.bind.relevant, answers, undefined, true)) return false;
    }
    return true;
  };
  Form.prototype.shown = function (page, answers) {
    var self = this;
    if (page.kind === 'repeat') return true;
    return page.questions.some(function (p) { return self.relevant(self.byPath[p], answers); });
  };
  Form.prototype.choices = function (q, answers) {
    var self = this, expr = q.choice_filter_expression;
    if (!q.choices || !expr) return q.choices || [];
    return q.choices.filter(function (c) {
      var scope = Object.assign({ name: c.name }, answers, c.columns || {});
      return self.truth(expr, scope, undefined, true);
    });
  };

  Form.prototype.input = function (q, value, onChange, answers) {
    var key = this.key(q), self = this, box = el('div', 'field');
    box.dataset.key = key;
    var choice = q.type === 'select_one' || q.type === 'select_multiple' || q.type === 'acknowledge';
    var title = el(choice ? 'legend' : 'label', '', this.text(q.labels) || q.name);
    var group = choice ? el('fieldset') : box;
    if (choice) box.appendChild(group);
    group.appendChild(title);
    if (q.hints && this.text(q.hints)) group.appendChild(el('p', 'hint', this.text(q.hints)));
    group.appendChild(el('p', 'error-message'));
    if (q.type === 'note') { box.className = 'note'; return box; }
    if (choice) {
      var picked = (value || '').split(' ');
      var options = q.type === 'acknowledge' ? [{ name: 'OK', labels: { default: 'OK' } }] : this.choices(q, answers || {});
      options.forEach(function (c, i) {
        var row = el('div', 'option'), box2 = el('input'), lab = el('label', '', self.text(c.labels) || c.name);
        box2.type = q.type === 'select_one' ? 'radio' : 'checkbox';
        box2.name = key; box2.value = c.name; box2.id = 'q-' + key + '-' + i; lab.htmlFor = box2.id;
        box2.checked = picked.indexOf(c.name) >= 0;
        box2.addEventListener('change', function () {
          var all = group.querySelectorAll('input:checked');
          onChange(key, Array.prototype.map.call(all, function (n) { return n.value; }).join(' '));
        });
        row.appendChild(box2); row.appendChild(lab); group.appendChild(row);
      });
      return box;
    }
    var field = el(q.type === 'text' && /multiline/.test(q.appearance || '') ? 'textarea' : 'input');
    var types = { date: 'date', time: 'time', datetime: 'datetime-local', range: 'number' };
    if (field.tagName === 'INPUT') field.type = types[q.type] || 'text';
    if (q.type === 'integer') field.inputMode = 'numeric';
    if (q.type === 'decimal') field.inputMode = 'decimal';
    field.id = 'q-' + key; field.name = key; field.value = value || ''; title.htmlFor = field.id;
    field.addEventListener('change', function () { onChange(key, field.value.trim()); });
    box.appendChild(field);
    return box;
  };

  Form.prototype.render = function (page, answers, container, onChange) {
    var self = this;
    container.textContent = '';
    if (page.kind === 'repeat') { container.appendChild(el('p', 'notice', this.msg.repeat)); return; }
    if (page.group) container.appendChild(el('h2', '', this.text(this.byPath[page.group].labels)));
    page.questions.forEach(function (path) {
      var q = self.byPath[path], node = self.input(q, answers[self.key(q)], onChange, answers);
      node.hidden = !self.relevant(q, answers);
      container.appendChild(node);
    });
  };
  /* Show or hide the questions of the page after an answer changed. */
  Form.prototype.refresh = function (page, answers, container) {
    var self = this;
    (page.questions || []).forEach(function (path) {
      var q = self.byPath[path], node = container.querySelector('[data-key="' + self.key(q) + '"]');
      if (node) node.hidden = !self.relevant(q, answers);
    });
  };

  Form.prototype.problem = function (q, answers) {
    var value = answers[this.key(q)] || '';
    if (q.type === 'note' || !this.relevant(q, answers)) return null;
    if (value === '') {
      return this.truth(q.bind.required, answers, undefined, false) ? (this.text(q.bind.required_message) || this.msg.required) : null;
    }
    if (q.type === 'integer' && !INTEGER.test(value)) return this.msg.integer;
    if (q.type === 'decimal' && !DECIMAL.test(value)) return this.msg.number;
    if (q.bind.constraint && !this.truth(q.bind.constraint, answers, value, true)) {
      return this.text(q.bind.constraint_message) || this.msg.constraint;
    }
    return null;
  };
  /* Read typed values the browser has not reported yet (no change event before a tap elsewhere). */
  Form.prototype.collect = function (container, answers, onChange) {
    Array.prototype.forEach.call(container.querySelectorAll('input[type=text], input[type=date], input[type=time], input[type=number], input[type=datetime-local], textarea'), function (field) {
      var value = field.value.trim();
      if ((answers[field.name] || '') !== value) onChange(field.name, value);
    });
  };
  /* Problems of one page, shown beside their questions; true when the page is acceptable. */
  Form.prototype.check = function (page, answers, container) {
    var self = this, ok = true;
    (page.questions || []).forEach(function (path) {
      var q = self.byPath[path], message = self.problem(q, answers);
      var node = container.querySelector('[data-key="' + self.key(q) + '"]');
      if (!node) return;
      node.classList.toggle('field-error', !!message);
      node.querySelector('.error-message').textContent = message || '';
      ok = ok && !message;
    });
    return ok;
  };

  /* The answers as sent: metadata filled, calculations done, answers to hidden questions dropped. */
  Form.prototype.finish = function (answers, meta) {
    var self = this, out = Object.assign({}, answers), now = new Date();
    this.def.questions.forEach(function (q) {
      if (q.type in meta) out[self.key(q)] = meta[q.type];
      else if (q.name in meta) out[self.key(q)] = meta[q.name];
    });
    for (var pass = 0; pass < 2; pass++) {
      this.def.questions.forEach(function (q) {
        if (!q.bind.calculation) return;
        var key = self.key(q);
        try {
          out[key] = self.relevant(q, out) ? ParExpr.toStr(ParExpr.evaluate(q.bind.calculation, out, { now: now, fields: self.fields })) : '';
        } catch (e) { out[key] = ''; }
      });
    }
    this.def.questions.forEach(function (q) {
      var key = self.key(q);
      if (NO_PAGE.indexOf(q.type) < 0 && !self.relevant(q, out)) delete out[key];
      if (out[key] === '' && !q.bind.calculation) delete out[key];
    });
    return out;
  };

  return { Form: Form, NO_PAGE: NO_PAGE };
})();
