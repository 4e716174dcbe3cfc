/* ParForm: renders one page of a questionnaire definition (survey_app/questionnaire/
 * definition.py, pages.py) into a container, checks it and finishes the answers, with the
 * same expression evaluator (ParExpr) as the citizen's questionnaire. The server re-checks
 * everything on receipt. Form text is set with textContent only (never as HTML).
 * Answers have the server engine's shape (answers.py): flat by answer key, a repeat's
 * instances a list of such dicts under its name. A question inside an instance is addressed
 * 'repeat[n]/key' (n from 1, as the server's problems); expressions there are evaluated with
 * that instance's repeat path, as engine.py does. Repeats inside repeats are not answered here
 * (nor in the citizen's flow): supported() says so before an interview starts. Photos,
 * recordings and videos are kept on the phone by ParMedia (media.js) until sent. */
var ParForm = (function () {
  'use strict';
  var NO_PAGE = ['calculate', 'hidden', 'start', 'end', 'today', 'deviceid', 'username', 'simserial',
    'subscriberid', 'phonenumber', 'group', 'repeat'];
  var INSIDE = /^([^[\/]+)\[(\d+)\]\/(.+)$/, MAX_INSTANCES = 50;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  function plain(text) { return (text || '').replace(/<br\s*\/?>/gi, '\n').replace(/\*\*|__/g, ''); }
  function button(text, cls, handler) {
    var b = el('button', cls, text);
    b.type = 'button'; b.addEventListener('click', handler);
    return b;
  }
  function copy(answers) {
    var out = {};
    Object.keys(answers).forEach(function (k) {
      var v = answers[k];
      out[k] = Array.isArray(v) ? v.map(function (i) { return Object.assign({}, i); }) : v;
    });
    return out;
  }

  /* media: the bundle's answer_files (size limit and accepted types, as the server's). */
  function Form(definition, language, messages, media) {
    var self = this, seen = {};
    this.def = definition; this.msg = messages; this.byPath = {}; this.keys = {}; this.scope = {}; this.children = {};
    this.media = media || { max_bytes: 0, accept: {}, magic: {} };
    this.types = definition.types || {};  /* each type's description, sent with the form (questionnaire/types/) */
    definition.questions.forEach(function (q) { self.byPath[q.path] = q; });
    definition.questions.forEach(function (q) {  /* answers.answer_keys, repeat_of */
      var p = q.parent;
      while (p && self.byPath[p].type !== 'repeat') p = self.byPath[p].parent;
      self.scope[q.path] = p || null;
      seen[p + '|' + q.name] = (seen[p + '|' + q.name] || 0) + 1;
      if (q.type !== 'group') (self.children[p || ''] = self.children[p || ''] || []).push(q);
    });
    definition.questions.forEach(function (q) {
      var scope = self.scope[q.path];
      self.keys[q.path] = seen[scope + '|' + q.name] === 1 ? q.name : q.path.slice(scope ? scope.length + 1 : 0);
    });
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
  Form.prototype.kind = function (q) { return this.types[q.type] || { macro: 'text_input', input: 'text' }; };
  /* True unless a repeat sits inside another or a page mixes a repeat's questions with others. */
  Form.prototype.supported = function () {
    var self = this;
    function within(page, scope) {
      return page.kind === 'repeat' ? false : page.questions.every(function (p) { return self.scope[p] === scope; });
    }
    return this.def.pages.every(function (page) {
      return page.kind === 'repeat' ? page.pages.every(function (s) { return within(s, page.repeat); }) : within(page, null);
    });
  };
  /* The value at an address ('key' or 'repeat[n]/key'), and setting it. */
  Form.prototype.get = function (answers, address) {
    var m = INSIDE.exec(address), list = m && answers[m[1]];
    if (!m) return answers[address];
    return Array.isArray(list) && list[m[2] - 1] ? list[m[2] - 1][m[3]] : undefined;
  };
  Form.prototype.set = function (answers, address, value) {
    var m = INSIDE.exec(address), list = m && answers[m[1]];
    if (!m) answers[address] = value;
    else if (Array.isArray(list) && list[m[2] - 1]) list[m[2] - 1][m[3]] = value;
  };
  /* Question name -> choice name -> label in the form's language (jr:choice-name; engine.choice_labels). */
  Form.prototype.choiceLabels = function () {
    var self = this, out = {}, order = [this.lang, this.def.default_language, 'default'];
    function label(texts) {
      if (!texts) return '';
      for (var i = 0; i < order.length; i++) if (order[i] in texts) return texts[order[i]];
      var all = Object.keys(texts);
      return all.length ? texts[all[0]] : '';
    }
    if (this.labelsOfChoices) return this.labelsOfChoices;
    this.def.questions.forEach(function (q) {
      if (!q.choices) return;
      out[q.name] = {};
      q.choices.forEach(function (c) { out[q.name][String(c.name)] = label(c.labels); });
    });
    self.labelsOfChoices = out;
    return out;
  };
  Form.prototype.truth = function (expr, answers, current, fallback, path) {
    if (!expr) return fallback;
    try {
      return ParExpr.toBool(ParExpr.evaluate(expr, answers, { current: current, repeat_path: path, fields: this.fields, choices: this.choiceLabels() }));
    } catch (e) { return false; }
  };
  Form.prototype.relevant = function (q, answers, path) {
    for (var node = q; node; node = node.parent ? this.byPath[node.parent] : null) {
      if (!this.truth(node.bind.relevant, answers, undefined, true, path)) return false;
    }
    return true;
  };
  Form.prototype.shown = function (page, answers) {
    var self = this, count;
    if (page.kind === 'repeat') {
      count = this.count(page, answers);
      return this.relevant(this.byPath[page.repeat], answers) && count !== 0;
    }
    return page.questions.some(function (p) { return self.relevant(self.byPath[p], answers); });
  };
  Form.prototype.choices = function (q, answers, path) {
    var self = this, expr = q.choice_filter_expression;
    if (!q.choices || !expr) return q.choices || [];
    return q.choices.filter(function (c) {
      var scope = Object.assign({ name: c.name }, answers, c.columns || {});
      return self.truth(expr, scope, undefined, true, path);
    });
  };

  /* ---- repeats (flow.py: fixed_count, sync_repeats; respond.py: more, remove_instance) ---- */
  Form.prototype.count = function (page, answers) {
    if (!page.repeat_count) return null;
    var n;
    try { n = ParExpr.toNum(ParExpr.evaluate(page.repeat_count, answers, { fields: this.fields })); } catch (e) { return 0; }
    return n !== n ? 0 : Math.max(0, Math.min(MAX_INSTANCES, Math.trunc(n)));
  };
  /* The repeat's instances in the answers, a counted repeat's made exactly repeat_count long. */
  Form.prototype.instances = function (page, answers) {
    var name = this.byPath[page.repeat].name, count = this.count(page, answers);
    var list = Array.isArray(answers[name]) ? answers[name] : (answers[name] = []);
    if (count !== null) { list.splice(count); while (list.length < count) list.push({}); }
    return list;
  };
  /* Every question of a repeat page, for each instance: [question, address, repeat path, instance]. */
  Form.prototype.each = function (page, answers, work) {
    var self = this, name = this.byPath[page.repeat].name;
    (Array.isArray(answers[name]) ? answers[name] : []).forEach(function (instance, i) {
      page.pages.forEach(function (sub) {
        sub.questions.forEach(function (p) {
          var q = self.byPath[p];
          work(q, name + '[' + (i + 1) + ']/' + self.key(q), [[name, i]], instance);
        });
      });
    });
  };
  Form.prototype.hasAnswers = function (page, instance) {
    var self = this;
    return page.pages.some(function (sub) {
      return sub.questions.some(function (p) { var v = instance[self.key(self.byPath[p])]; return v !== undefined && v !== ''; });
    });
  };
  Form.prototype.renderRepeat = function (page, answers, container, onChange) {
    var self = this, repeat = this.byPath[page.repeat], list = this.instances(page, answers);
    var label = this.text(repeat.labels) || repeat.name;
    function again() { self.render(page, answers, container, onChange); onChange(repeat.name, list); }
    container.appendChild(el('h2', '', label));
    list.forEach(function (instance, i) {
      var box = el('section', 'instance'), path = [[repeat.name, i]];
      box.dataset.instance = String(i + 1);
      box.appendChild(el('h3', '', label + ' ' + (i + 1)));
      page.pages.forEach(function (sub) {
        if (sub.group) box.appendChild(el('h4', '', self.text(self.byPath[sub.group].labels)));
        sub.questions.forEach(function (p) {
          var q = self.byPath[p], address = repeat.name + '[' + (i + 1) + ']/' + self.key(q);
          var node = self.input(q, instance[self.key(q)], onChange, answers, address, path);
          node.hidden = !self.relevant(q, answers, path);
          box.appendChild(node);
        });
      });
      if (!page.repeat_count) {
        box.appendChild(button(self.msg.remove + ' ' + label + ' ' + (i + 1), 'link remove-instance', function () {
          if (self.hasAnswers(page, instance) && !window.confirm(self.msg.confirmRemove)) return;
          list.splice(i, 1);
          Object.keys(instance).forEach(function (k) { if (ParMedia.isLocal(instance[k])) ParMedia.drop(instance[k]); });
          again();
        }));
      }
      container.appendChild(box);
    });
    if (!page.repeat_count && list.length < MAX_INSTANCES) {
      container.appendChild(button(this.msg.add + ': ' + label, 'button secondary add-instance', function () {
        list.push({});
        again();
        var added = container.querySelector('[data-instance="' + list.length + '"]');
        var first = added && added.querySelector('input, textarea');
        if (first) first.focus();
      }));
    }
  };

  Form.prototype.input = function (q, value, onChange, answers, address, path) {
    var key = address || this.key(q), self = this, box = el('div', 'field');
    var id = 'q-' + key.replace(INSIDE, '$1-$2-$3');
    box.dataset.key = key;
    var kind = this.kind(q), choice = kind.macro === 'choices' || kind.macro === 'acknowledge';
    var title = el(choice ? 'legend' : 'label', '', this.text(q.labels) || q.name);
    var group = choice ? el('fieldset') : box;
    if (choice) box.appendChild(group);
    group.appendChild(title);
    if (q.hints && this.text(q.hints)) group.appendChild(el('p', 'hint', this.text(q.hints)));
    group.appendChild(el('p', 'error-message'));
    if (kind.macro === 'note') { box.className = 'note'; return box; }
    if (choice) {
      var picked = (value || '').split(' ');
      var options = kind.macro === 'acknowledge' ? [{ name: 'OK', labels: { default: 'OK' } }] : this.choices(q, answers || {}, path);
      options.forEach(function (c, i) {
        var row = el('div', 'option'), box2 = el('input'), lab = el('label', '', self.text(c.labels) || c.name);
        box2.type = kind.input === 'radio' ? 'radio' : 'checkbox';
        box2.name = key; box2.value = c.name; box2.id = id + '-' + i; lab.htmlFor = box2.id;
        box2.checked = picked.indexOf(c.name) >= 0;
        box2.addEventListener('change', function () {
          var all = group.querySelectorAll('input:checked');
          onChange(key, Array.prototype.map.call(all, function (n) { return n.value; }).join(' '));
        });
        row.appendChild(box2); row.appendChild(lab); group.appendChild(row);
      });
      return box;
    }
    if (kind.macro === 'file' && this.media.accept[q.type]) return this.fileInput(q, key, id, value, onChange, box, title);
    var field = el(kind.input === 'text' && /multiline/.test(q.appearance || '') ? 'textarea' : 'input');
    if (field.tagName === 'INPUT') field.type = kind.macro === 'file' ? 'text' : kind.input;
    if (kind.inputmode) field.inputMode = kind.inputmode;
    field.id = id; field.name = key; field.value = value || ''; title.htmlFor = field.id;
    field.addEventListener('change', function () { onChange(key, field.value.trim()); });
    box.appendChild(field);
    return box;
  };

  /* A photo, recording or video: checked as the server will (type, first bytes, size), kept
   * on the phone (ParMedia), shown by name and size with a button to remove it. */
  Form.prototype.fileInput = function (q, key, id, value, onChange, box, title) {
    var self = this, kind = q.type, accept = this.media.accept[kind] || {}, current = value || '';
    var field = el('input'), info = el('p', 'file-info'), error = box.querySelector('.error-message');
    var remove = button(this.msg.remove, 'link remove-file', function () { keep(''); });
    field.type = 'file'; field.id = id; field.name = key; title.htmlFor = id;
    field.accept = Object.keys(accept).concat(Object.keys(accept).map(function (s) { return accept[s]; })).join(',');
    if (this.kind(q).capture) field.setAttribute('capture', this.kind(q).capture);
    function size(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.max(1, Math.round(n / 1024)) + ' KB'; }
    function show() {
      info.textContent = ''; remove.hidden = !current;
      if (!ParMedia.isLocal(current)) { info.textContent = current; return; }
      ParMedia.describe(current).then(function (f) { info.textContent = f ? f.name + ' · ' + size(f.size) : self.msg.fileLost; });
    }
    function keep(next) {
      if (ParMedia.isLocal(current)) ParMedia.drop(current);
      current = next; onChange(key, next); show();
    }
    function refuse(message) { error.textContent = message; box.classList.add('field-error'); }
    field.addEventListener('change', function () {
      var file = field.files && field.files[0], name = file ? file.name.toLowerCase() : '';
      var suffix = (name.match(/\.[a-z0-9]+$/) || [''])[0];
      field.value = '';
      if (!file) return;
      if (!(suffix in accept)) {
        suffix = Object.keys(accept).filter(function (s) { return accept[s] === file.type; })[0];
        name = (file.name || kind) + suffix;
      } else name = file.name;
      if (!suffix) return refuse(self.msg['fileType' + kind[0].toUpperCase() + kind.slice(1)]);
      if (self.media.max_bytes && file.size > self.media.max_bytes) return refuse(self.msg.fileLarge);
      var magic = (self.media.magic || {})[suffix] || '';
      file.slice(0, magic.length / 2).arrayBuffer().then(function (buffer) {
        var head = Array.prototype.map.call(new Uint8Array(buffer), function (b) { return (b + 256).toString(16).slice(1); }).join('');
        if (!file.size || head !== magic) return refuse(self.msg.fileBad);
        return ParMedia.keep(file, kind, name).then(function (local) {
          error.textContent = ''; box.classList.remove('field-error');
          keep(local);
        });
      }).catch(function () { refuse(self.msg.fileLost); });
    });
    box.appendChild(field); box.appendChild(info); box.appendChild(remove);
    show();
    return box;
  };

  Form.prototype.render = function (page, answers, container, onChange) {
    var self = this;
    container.textContent = '';
    this.calculate(answers);
    if (page.kind === 'repeat') return this.renderRepeat(page, answers, container, onChange);
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
    this.calculate(answers);
    if (page.kind === 'repeat') {
      return this.each(page, answers, function (q, address, path) {
        var node = container.querySelector('[data-key="' + address + '"]');
        if (node) node.hidden = !self.relevant(q, answers, path);
      });
    }
    (page.questions || []).forEach(function (path) {
      var q = self.byPath[path], node = container.querySelector('[data-key="' + self.key(q) + '"]');
      if (node) node.hidden = !self.relevant(q, answers);
    });
  };

  /* Why the answer is refused (engine.check), or null; values: the repeat instance's. */
  Form.prototype.problem = function (q, answers, path, values) {
    var value = (values || answers)[this.key(q)] || '';
    if (this.kind(q).value === false || !this.relevant(q, answers, path)) return null;
    if (value === '') {
      return this.truth(q.bind.required, answers, undefined, false, path) ? (this.text(q.bind.required_message) || this.msg.required) : null;
    }
    var kind = this.kind(q);
    if (kind.pattern && !new RegExp(kind.pattern).test(value)) return kind.message;
    if (q.bind.constraint && !this.truth(q.bind.constraint, answers, value, true, path)) {
      return this.text(q.bind.constraint_message) || this.msg.constraint;
    }
    return null;
  };
  /* Read typed values the browser has not reported yet (no change event before a tap elsewhere). */
  Form.prototype.collect = function (container, answers, onChange) {
    var self = this;
    Array.prototype.forEach.call(container.querySelectorAll('input[type=text], input[type=date], input[type=time], input[type=number], input[type=datetime-local], textarea'), function (field) {
      var value = field.value.trim();
      if ((self.get(answers, field.name) || '') !== value) onChange(field.name, value);
    });
  };
  /* The page's questions: work(question, address, repeat path, values) for each, every instance's. */
  Form.prototype.visit = function (page, answers, work) {
    var self = this;
    if (page.kind === 'repeat') return this.each(page, answers, work);
    (page.questions || []).forEach(function (p) { var q = self.byPath[p]; work(q, self.key(q), undefined, answers); });
  };
  /* Addresses of the page's relevant questions (for the time spent on each). */
  Form.prototype.addresses = function (page, answers) {
    var self = this, found = [];
    this.visit(page, answers, function (q, address, path) { if (self.relevant(q, answers, path)) found.push(address); });
    return found;
  };
  /* Problems of one page, shown beside their questions; true when the page is acceptable. */
  Form.prototype.check = function (page, answers, container) {
    var self = this, ok = true;
    this.calculate(answers);
    this.visit(page, answers, function (q, address, path, values) {
      var message = self.problem(q, answers, path, values);
      var node = container.querySelector('[data-key="' + address + '"]');
      if (!node) return;
      node.classList.toggle('field-error', !!message);
      node.querySelector('.error-message').textContent = message || '';
      ok = ok && !message;
    });
    return ok;
  };

  /* Every calculation, in form order and twice, each instance's with its repeat path
   * (engine.calculate): relevance and constraints may hang on one. */
  Form.prototype.calculate = function (answers, now) {
    for (var pass = 0; pass < 2; pass++) this.calculateScope('', answers, answers, [], now);
  };
  Form.prototype.calculateScope = function (scope, values, root, path, now) {
    var self = this;
    (this.children[scope] || []).forEach(function (q) {
      if (q.type === 'repeat') {
        (Array.isArray(values[q.name]) ? values[q.name] : []).forEach(function (instance, i) {
          self.calculateScope(q.path, instance, root, path.concat([[q.name, i]]), now);
        });
        return;
      }
      if (!q.bind.calculation) return;
      var key = self.key(q);
      try {
        values[key] = self.relevant(q, root, path) ? ParExpr.toStr(ParExpr.evaluate(q.bind.calculation, root, { repeat_path: path, now: now, fields: self.fields, choices: self.choiceLabels() })) : '';
      } catch (e) { values[key] = ''; }
    });
  };
  /* Answers to hidden questions and empty answers dropped, in every instance too. */
  Form.prototype.clean = function (scope, values, root, path) {
    var self = this;
    (this.children[scope] || []).forEach(function (q) {
      if (q.type === 'repeat') {
        if (!self.relevant(q, root, path)) { delete values[q.name]; return; }
        (Array.isArray(values[q.name]) ? values[q.name] : []).forEach(function (instance, i) {
          self.clean(q.path, instance, root, path.concat([[q.name, i]]));
        });
        return;
      }
      var key = self.key(q);
      if (NO_PAGE.indexOf(q.type) < 0 && !self.relevant(q, root, path)) delete values[key];
      if (values[key] === '' && !q.bind.calculation) delete values[key];
    });
  };

  /* The answers as sent: metadata filled, counted repeats sized, calculations done, answers
   * to hidden questions dropped. */
  Form.prototype.finish = function (answers, meta) {
    var self = this, out = copy(answers);
    (this.children[''] || []).forEach(function (q) {
      if (q.type in meta) out[self.key(q)] = meta[q.type];
      else if (q.name in meta) out[self.key(q)] = meta[q.name];
    });
    this.def.pages.forEach(function (page) { if (page.kind === 'repeat' && self.relevant(self.byPath[page.repeat], out)) self.instances(page, out); });
    this.calculate(out, new Date());
    this.clean('', out, out, []);
    return out;
  };

  return { Form: Form, NO_PAGE: NO_PAGE };
})();
