/* Shows and hides questions and checks answers as the respondent types, with the same
   expression evaluator as the server (expr.js). The server still checks everything. */
(function () {
  'use strict';
  var dataNode = document.getElementById('page-data');
  var form = document.getElementById('page-form');
  if (!dataNode || !form || typeof ParExpr === 'undefined') return;
  var data = JSON.parse(dataNode.textContent);

  function valueOf(key) {
    var inputs = form.querySelectorAll('[name="' + key + '"]');
    var picked = [];
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === 'radio' || el.type === 'checkbox') { if (el.checked) picked.push(el.value); }
      else picked.push(el.value.trim());
    }
    return picked.join(' ');
  }

  function answers() {
    var all = {};
    for (var k in data.answers) all[k] = data.answers[k];
    data.questions.forEach(function (q) { all[q.key] = valueOf(q.key); });
    return all;
  }

  function truth(expr, all, current) {
    if (!expr) return null;
    try {
      var v = ParExpr.evaluate(expr, all, { current: current, fields: data.fields });
      return typeof v === 'boolean' ? v : (typeof v === 'number' ? v !== 0 && v === v : v !== '');
    } catch (e) { return true; }  // the server decides when the browser cannot
  }

  function refresh() {
    var all = answers();
    data.questions.forEach(function (q) {
      var box = document.getElementById('q-' + q.key);
      if (box) box.hidden = truth(q.relevant, all) === false;
    });
  }

  function problem(q, all) {
    var box = document.getElementById('q-' + q.key);
    var kind = (data.types || {})[q.type];  /* the type's description (questionnaire/types/) */
    if (!box || box.hidden || (kind && kind.value === false)) return null;
    var value = all[q.key];
    if (value === '') return truth(q.required, all) ? (q.required_message || data.messages.required) : null;
    if (kind && kind.pattern && !new RegExp(kind.pattern).test(value)) return kind.message;
    if (q.constraint && truth(q.constraint, all, value) === false)
      return q.constraint_message || data.messages.constraint;
    return null;
  }

  function clearErrors() {
    var old = form.querySelectorAll('.js-error');
    for (var i = 0; i < old.length; i++) old[i].parentNode.removeChild(old[i]);
    var boxes = form.querySelectorAll('.field-error');
    for (var j = 0; j < boxes.length; j++) boxes[j].classList.remove('field-error');
    var summary = document.getElementById('error-summary');
    if (summary) summary.parentNode.removeChild(summary);
  }

  function showErrors(found) {
    var summary = document.createElement('div');
    summary.className = 'error-summary js-error';
    summary.id = 'error-summary';
    summary.setAttribute('role', 'alert');
    summary.tabIndex = -1;
    var title = document.createElement('h2');
    title.textContent = data.messages.summary;
    var list = document.createElement('ul');
    summary.appendChild(title);
    summary.appendChild(list);
    found.forEach(function (f) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = '#' + f.key;
      var name = document.createElement('span');
      name.className = 'error-label';
      name.textContent = f.label;
      link.appendChild(name);
      link.appendChild(document.createTextNode(': ' + f.message));
      item.appendChild(link);
      list.appendChild(item);
      var box = document.getElementById('q-' + f.key);
      var note = document.createElement('p');
      note.className = 'error-message js-error';
      note.textContent = f.message;
      box.classList.add('field-error');
      box.insertBefore(note, box.firstChild.nextSibling);
    });
    form.parentNode.insertBefore(summary, form);
    summary.focus();
  }

  function locator(input) {
    if (!navigator.geolocation) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.textContent = data.messages.locate;
    button.addEventListener('click', function () {
      button.textContent = data.messages.locating;
      navigator.geolocation.getCurrentPosition(function (p) {
        var c = p.coords;
        input.value = [c.latitude, c.longitude, c.altitude || 0, c.accuracy].join(' ');
        button.textContent = data.messages.locate;
        refresh();
      }, function () { button.textContent = data.messages.no_location; },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
    input.parentNode.insertBefore(button, input.nextSibling);
  }

  var points = form.querySelectorAll('input[data-geopoint]');
  for (var p = 0; p < points.length; p++) locator(points[p]);
  form.addEventListener('change', refresh);
  form.addEventListener('input', refresh);
  form.addEventListener('submit', function (event) {
    refresh();
    clearErrors();
    var all = answers();
    var found = [];
    data.questions.forEach(function (q) {
      var message = problem(q, all);
      if (message) found.push({ key: q.key, label: q.label || q.key, message: message });
    });
    if (found.length) { event.preventDefault(); showErrors(found); }
  });
  refresh();
})();
