/* The offline collector: device token, working set, interviews, IndexedDB outbox and sync.
 * A finished interview is written to the outbox before the screen says so; it leaves the
 * outbox only when the server acknowledges it (HTTP 200/201). Sending happens on load, on
 * reconnect, every 20 seconds while anything waits, and on "Send now", one record at a time. */
(function () {
  'use strict';
  var app = document.getElementById('app');
  if (!app) return;
  var M = document.getElementById('msgs').dataset, D = app.dataset, S = ParStore;
  var st = { households: {}, token: null, device: null, bundle: null, draft: null, form: null, index: 0, shownAt: 0, sending: false,
    user: Number(D.user), phone: { tokens: {}, revoked: {} } };
  var $ = function (id) { return document.getElementById(id); };

  function uuid() {
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    b.forEach(function (x) { h.push((x + 256).toString(16).slice(1)); });
    h = h.join('');
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-');
  }
  function now() { return new Date().toISOString(); }
  function localDay(d) { return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); }
  function say(text) { $('sync-message').textContent = text || ''; }
  function item(text, sub) {
    var li = document.createElement('li'), strong = document.createElement('strong');
    strong.textContent = text; li.appendChild(strong);
    if (sub) { var p = document.createElement('p'); p.className = 'muted'; p.textContent = sub; li.appendChild(p); }
    return li;
  }
  function button(text, handler) {
    var b = document.createElement('button');
    b.type = 'button'; b.className = 'button'; b.textContent = text; b.addEventListener('click', handler);
    return b;
  }

  /* ---- device token and working set ---- */
  function register() {
    var csrf = document.querySelector('meta[name="csrf-token"]').content;
    return fetch(D.deviceUrl, { method: 'POST', credentials: 'same-origin',
      headers: { 'X-CSRFToken': csrf, 'Content-Type': 'application/json' },
      body: JSON.stringify({ device_id: st.device, label: st.phoneName }) })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && j.token) { st.token = j.token; return ParPhone.addToken(st.phone, st.user, j.token); } })
      .catch(function () {});
  }
  /* The server refused `user`'s token: that enumerator's households and drafts leave the phone. */
  function revoked(user) {
    user = user === undefined ? st.user : user;
    if (user === st.user) { st.token = null; st.bundle = null; }
    return ParPhone.revoke(st.phone, user, st.user, D.signedIn).then(showLock);
  }
  function showLock() { $('revoked-warning').hidden = !(st.user in st.phone.revoked); }
  function ownBundle(b) { return b && (!b.enumerator || b.enumerator.id === undefined || b.enumerator.id === st.user) ? b : null; }
  function refresh() {
    var get = st.token ? fetch(D.bundleUrl, { headers: { Authorization: 'Bearer ' + st.token } }) : Promise.reject();
    return get.then(function (r) {
      if (r.status === 401) return revoked();
      if (!r.ok) throw new Error('bundle');
      /* the server's statuses replace the phone's list of sent cases */
      return r.json().then(function (b) { st.bundle = b; return Promise.all([S.set('bundle', b), S.set('done', [])]); });
    }).catch(function () {
      return S.get('bundle').then(function (b) { st.bundle = st.bundle || (st.user in st.phone.revoked ? null : ownBundle(b)); });
    });
  }

  /* ---- lists ---- */
  function byCreated(a, b) { return a.created_at < b.created_at ? -1 : 1; }
  function isVisit(record) { return record.kind === 'visit'; }
  /* What the phone knows of each case beyond the bundle: an interview in the outbox or sent
   * completes it; an unsent visit gives its outcome (a closed case keeps its status, as on the
   * server). {case id: {status, waiting}}. */
  function caseStates(outbox, done) {
    var s = {};
    (done || []).forEach(function (x) { s[doneCase(x)] = { status: 'completed', waiting: false }; });
    outbox.slice().sort(byCreated).forEach(function (o) {
      var id = o.payload.case_id, cur = s[id];
      if (!isVisit(o)) s[id] = { status: 'completed', waiting: true };
      else if (!o.refused && !(cur && cur.status === 'completed')) s[id] = { status: o.payload.outcome, waiting: true };
    });
    return s;
  }
  /* `done` holds {id, line} per acknowledged interview (a bare case id on older phones). */
  function doneCase(x) { return typeof x === 'object' ? x.id : x; }
  /* Several respondents per household (the campaign's sampling plan): the respondent lines
   * the case already has, stored, sent, waiting or begun, and the next free one (null: none). */
  function household(c, outbox, drafts, done) {
    var allowed = c.respondents || 1, taken = {};
    (c.lines || []).forEach(function (l) { taken[l] = 1; });
    (done || []).forEach(function (x) { if (doneCase(x) === c.id) taken[x.line || 1] = 1; });
    outbox.forEach(function (o) {
      if (!isVisit(o) && !o.payload.edit_uuid && o.payload.case_id === c.id) taken[o.payload.line_number || 1] = 1;
    });
    drafts.forEach(function (d) { if (d.case_id === c.id && !d.edit_uuid) taken[d.line || 1] = 1; });
    var next = null;
    for (var l = allowed; l >= 1; l--) if (!taken[l]) next = l;
    return { allowed: allowed, taken: Object.keys(taken).length, next: next };
  }
  function home() {
    return Promise.all([S.all('outbox'), S.all('drafts'), S.get('done')]).then(function (r) {
      var all = r[0], outbox = ParPhone.mine(all, st.user), drafts = ParPhone.mine(r[1], st.user), busy = {};
      outbox.forEach(function (o) { if (!isVisit(o)) busy[o.payload.case_id] = 1; });
      drafts.forEach(function (d) { busy[d.case_id] = 1; });
      (r[2] || []).forEach(function (x) { busy[doneCase(x)] = 1; });
      st.households = {};
      (st.bundle ? st.bundle.cases : []).forEach(function (c) {
        if ((c.respondents || 1) > 1) st.households[c.id] = household(c, outbox, drafts, r[2]);
      });
      drafts.forEach(function (d) { if (st.households[d.case_id]) st.households[d.case_id].drafting = true; });
      showCases(caseStates(outbox, r[2]), busy);
      showDrafts(drafts);
      showCorrections(outbox, drafts);
      showNeedsFixing(outbox, drafts);
      showBlocked(all);
      showOthers(all);
      return counts(all);
    });
  }
  function showCases(states, busy) {
    var list = $('cases-list'), b = st.bundle, statuses = JSON.parse(M.statuses), open = 0;
    list.textContent = '';
    var rows = (b ? b.cases : []).map(function (c) {
      var known = states[c.id], closed = c.status === 'completed' || c.status === 'replaced';
      var status = known && !closed ? known.status : c.status;
      var h = st.households[c.id], more = !!(h && h.taken && h.next && !h.drafting && c.status !== 'replaced');
      return { c: c, status: status, waiting: !!(known && known.waiting), household: h,
        open: more || (!busy[c.id] && (status === 'pending' || status === 'no_contact')) };
    });
    rows.sort(function (x, y) { return (y.open ? 1 : 0) - (x.open ? 1 : 0); });
    fillVillages(b ? b.cases : []);
    var shown = rows.filter(matches), total = shown.length;
    shown = shown.slice(0, MAX_SHOWN);
    $('cases-more').hidden = total <= MAX_SHOWN;
    $('cases-more').textContent = M.casesMore.replace('{shown}', shown.length).replace('{total}', total);
    shown.forEach(function (row) {
      var c = row.c, li = item(c.label, c.address + ' · ' + c.unit.name), p = document.createElement('p');
      p.className = 'case-status';
      p.textContent = M.status + ': ' + (statuses[row.status] || row.status) + (row.waiting ? ' · ' + M.waiting : '') +
        (row.household ? ' · ' + M.respondents.replace('{n}', row.household.taken).replace('{total}', row.household.allowed) : '');
      li.dataset.caseId = c.id; li.dataset.status = row.status;
      li.appendChild(p);
      if (row.open) {
        open++;
        li.appendChild(button(M.start, function () { start(c, null, row.household && row.household.next); }));
        if (!(row.household && row.household.taken)) li.appendChild(button(M.visit, function () { openVisit(c); }));
      }
      list.appendChild(li);
    });
    $('no-cases').hidden = open > 0;
  }
  /* ---- finding a case: search by household or address, filter by village and status ---- */
  var MAX_SHOWN = 50;
  function matches(row) {
    var text = $('case-search').value.trim().toLowerCase(), village = $('case-village').value, status = $('case-status').value;
    var c = row.c, hay = (c.label + ' ' + c.address).toLowerCase();
    return (!text || hay.indexOf(text) >= 0) && (!village || c.cluster === village) &&
      (!status || (status === 'open' ? row.open : row.status === status));
  }
  function fillVillages(cases) {
    var select = $('case-village'), have = {}, wanted = {};
    Array.prototype.forEach.call(select.options, function (o) { have[o.value] = 1; });
    cases.forEach(function (c) { if (c.cluster) wanted[c.cluster] = 1; });
    Object.keys(wanted).sort().forEach(function (v) {
      if (!have[v]) { var o = document.createElement('option'); o.value = v; o.textContent = v; select.appendChild(o); }
    });
  }
  function showDrafts(drafts) {
    var cont = $('drafts-list'); cont.textContent = '';
    drafts.forEach(function (d) {
      var li = item(d.label); li.appendChild(button(M.resume, function () { resume(d); })); cont.appendChild(li);
    });
    $('drafts').hidden = !drafts.length;
  }
  /* Every interview sent back, whatever this phone remembers having sent, unless its correction
   * is already in progress or waiting to be sent. */
  function showCorrections(outbox, drafts) {
    var b = st.bundle, fix = $('corrections-list'), taken = {};
    fix.textContent = '';
    outbox.concat(drafts).forEach(function (x) { taken[(x.payload || x).instance_uuid] = 1; });
    ((b && b.corrections) || []).filter(function (c) { return !taken[c.instance_uuid]; }).forEach(function (c) {
      var li = item(c.label || M.correct, [c.address].concat(c.comments).filter(Boolean).join(' · '));
      li.dataset.instanceUuid = c.instance_uuid;
      li.appendChild(button(M.correct, function () { start(caseOf(c.case_id) || { id: c.case_id, label: '' }, c); }));
      fix.appendChild(li);
    });
    $('corrections').hidden = !fix.children.length;
  }
  /* Finished records the server no longer accepts (their enumerator's token was revoked):
   * kept on the phone, listed as blocked, sent once that enumerator signs in again. */
  function showBlocked(all) {
    var list = $('blocked-list');
    list.textContent = '';
    all.filter(function (o) { return !o.refused && !tokenOf(o) && ParPhone.owner(o, st.user) in st.phone.revoked; }).sort(byCreated).forEach(function (o) {
      var li = item((isVisit(o) ? M.visitRecord + ' · ' : '') + (o.label || o.client_uuid), o.user_name || '');
      li.dataset.clientUuid = o.client_uuid;
      list.appendChild(li);
    });
    $('blocked').hidden = !list.children.length;
  }
  /* Unsent records of another enumerator: they are sent under that enumerator's own token. */
  function showOthers(all) {
    var o = ParPhone.others(all, st.user), note = $('others-waiting');
    note.hidden = !o.count;
    note.textContent = o.count ? M.othersWaiting.replace('{n}', o.count).replace('{names}', o.names.join(', ')) : '';
  }
  function caseOf(id) { return (st.bundle ? st.bundle.cases : []).filter(function (c) { return c.id === id; })[0]; }
  function counts(outbox) {
    var p = outbox ? Promise.resolve(outbox) : S.all('outbox');
    return Promise.all([p, S.get('last_sync')]).then(function (r) {
      var waiting = r[0].filter(function (o) { return !o.refused; });  /* a refused record waits for no send */
      $('queue-count').textContent = String(waiting.length);
      $('last-sync').textContent = r[1] ? new Date(r[1]).toLocaleString(document.documentElement.lang) : M.never;
      $('net').textContent = navigator.onLine ? M.online : M.offline;
      st.waiting = ParPhone.mine(waiting, st.user).length;
    });
  }

  /* ---- records the server refused: kept on the phone until fixed ---- */
  /* A 4xx answer (a 422 with the form's problems, a 409 conflict, a 403...) is never retried on its
   * own and never deleted: the record stays in the outbox marked `refused`, listed under "needs
   * fixing" with the server's message. An interview refused for its answers is reopened in the
   * form with the problems at their questions and sent again under the same UUID. */
  function problemsOf(record) {
    var map = {};
    ((record.refused && record.refused.problems) || []).forEach(function (p) { map[p.key] = p.message; });
    return map;
  }
  function showNeedsFixing(outbox, drafts) {
    var bad = $('refused-list'), open = {};
    drafts.forEach(function (d) { open[d.instance_uuid] = d; });
    bad.textContent = '';
    outbox.filter(function (o) { return o.refused; }).sort(byCreated).forEach(function (o) {
      var problems = problemsOf(o), keys = Object.keys(problems);
      var li = item((isVisit(o) ? M.visitRecord + ' · ' : '') + (o.label || o.client_uuid), o.refused.error || M.refusedUnknown);
      li.dataset.clientUuid = o.client_uuid;
      if (keys.length) {
        var ul = document.createElement('ul');
        keys.forEach(function (k) { var x = document.createElement('li'); x.textContent = k + ': ' + problems[k]; ul.appendChild(x); });
        li.appendChild(ul);
      }
      if (!isVisit(o) && keys.length) {
        var draft = open[o.payload.instance_uuid];
        li.appendChild(button(M.fix, function () { if (draft) resume(draft); else reopen(o); }));
      }
      var drop = button(M.removeRecord, function () { removeRefused(o); });
      drop.className = 'button secondary remove-record';
      li.appendChild(drop);
      bad.appendChild(li);
    });
    $('refused').hidden = !bad.children.length;
  }
  /* A refused record leaves the phone only after a confirmation (the server keeps what it kept aside). */
  function removeRefused(record) {
    if (!window.confirm(M.confirmRemoveRecord)) return Promise.resolve();
    return S.remove('outbox', record.client_uuid).then(function () {
      return isVisit(record) ? null : ParMedia.forget(record);
    }).then(home);
  }
  /* A draft from a refused interview: its answers and paradata as sent, the same UUIDs, the
   * server's problems by question, opened at the first page that has one. */
  function reopen(record) {
    var p = record.payload, d = { instance_uuid: p.instance_uuid, edit_uuid: p.edit_uuid || null,
      case_id: p.case_id, label: record.label, unit_code: '', version_id: p.questionnaire_version_id, line: p.line_number || null,
      answers: Object.assign({}, p.answers), paradata: Object.assign({}, p.paradata), index: 0,
      fixing: { created_at: record.created_at, error: record.refused.error || '', problems: problemsOf(record) } };
    if (!versionOf(d.version_id)) { say(M.refusedUnknown); return Promise.resolve(); }
    st.form = new ParForm.Form(versionOf(d.version_id).definition, D.lang, M);
    d.index = firstPageWith(d.fixing.problems);
    st.draft = d;
    return save().then(function () { resume(d); });
  }
  function firstPageWith(problems) {
    var all = pages();
    for (var i = 0; i < all.length; i++) {
      if ((all[i].questions || []).some(function (path) { return st.form.key(st.form.byPath[path]) in problems; })) return i;
    }
    return 0;
  }
  /* The server's problems beside their questions on the page shown, and its message above. */
  function markProblems() {
    var fixing = st.draft.fixing, note = $('fix-notice');
    note.hidden = !fixing;
    if (!fixing) return;
    note.textContent = fixing.error;
    Object.keys(fixing.problems).forEach(function (key) {
      var node = $('page').querySelector('[data-key="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]');
      if (!node) return;
      node.classList.add('field-error');
      node.querySelector('.error-message').textContent = fixing.problems[key];
    });
  }

  /* ---- a visit without an interview ---- */
  /* No contact, refused or ineligible: a UUID on the phone at once, written to the outbox next to
   * the interviews and sent the same way, to the visits endpoint. */
  function openVisit(c) {
    var v = st.visit = { c: c, place: null, located: Promise.resolve() };
    $('visit-case').textContent = c.label;
    $('visit-note').value = '';
    $('visit-error').textContent = '';
    Array.prototype.forEach.call(document.querySelectorAll('input[name=visit-outcome]'), function (r) { r.checked = false; });
    $('home').hidden = true; $('visit').hidden = false;
    if (navigator.geolocation) {
      v.located = new Promise(function (done) {
        navigator.geolocation.getCurrentPosition(function (p) {
          v.place = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy };
          done();
        }, done, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
    window.scrollTo(0, 0);
  }
  function closeVisit() { st.visit = null; $('visit').hidden = true; $('home').hidden = false; return home(); }
  /* Written to the outbox before the screen says so; the position is waited for 2 s at most. */
  function saveVisit() {
    var v = st.visit, picked = document.querySelector('input[name=visit-outcome]:checked');
    if (!v || v.saving) return Promise.resolve();
    if (!picked) { $('visit-error').textContent = M.visitOutcome; return Promise.resolve(); }
    var id = uuid(), at = now(), note = $('visit-note').value.trim();
    v.saving = true;
    return Promise.race([v.located, new Promise(function (done) { setTimeout(done, 2000); })]).then(function () {
      var payload = { client_uuid: id, case_id: v.c.id, outcome: picked.value, note: note, at: at };
      if (v.place) payload.geolocation = v.place;
      return S.put('outbox', { client_uuid: id, kind: 'visit', created_at: at, label: v.c.label, payload: payload,
        user: st.user, user_name: D.userName });
    }).then(function () { say(M.visitQueued); return closeVisit(); }).then(sync);
  }

  /* ---- an interview ---- */
  function versionOf(id) { return st.bundle.questionnaires.filter(function (q) { return q.id === id; })[0]; }
  /* `line`: the respondent line of a household giving several interviews (else none). */
  function start(c, correction, line) {
    var form = new ParForm.Form(versionOf(correction ? correction.questionnaire_version_id : c.questionnaire_version_id).definition, D.lang, M);
    if (!form.supported()) { say(M.nested); return Promise.resolve(); }
    var d = { instance_uuid: correction ? correction.instance_uuid : uuid(), edit_uuid: correction ? uuid() : null,
      case_id: c.id, label: c.label, unit_code: c.unit ? c.unit.code : '',
      version_id: correction ? correction.questionnaire_version_id : c.questionnaire_version_id,
      answers: correction ? JSON.parse(JSON.stringify(correction.answers)) : {}, index: 0, user: st.user, line: line || null,
      paradata: { device_id: st.device, started_at: now(), question_times: {}, changes: [], user_agent: navigator.userAgent } };
    st.draft = d;
    if (correction && correction.first_question) {
      var wanted = {}; wanted[correction.first_question] = 1;
      st.form = form; d.index = firstPageWith(wanted);
    }
    if (navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (p) {
        d.paradata.geolocation = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy, at: now() };
        if (st.draft === d) save();
      }, function () {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }
    return save().then(function () { resume(d); });
  }
  function save() { return st.draft ? S.put('drafts', st.draft) : Promise.resolve(); }
  function resume(d) {
    st.draft = d;
    st.form = new ParForm.Form(versionOf(d.version_id).definition, D.lang, M, st.bundle.answer_files);
    $('home').hidden = true; $('interview').hidden = false;
    $('case-label').textContent = d.label;
    $('form-title').textContent = st.form.def.title;
    show(d.index, 1);
  }
  function pages() { return st.form.def.pages; }
  function show(index, step) {
    var all = pages();
    while (index >= 0 && index < all.length && !st.form.shown(all[index], st.draft.answers)) index += step;
    if (index < 0) index = 0;
    st.draft.index = st.index = index;
    st.form.render(all[index], st.draft.answers, $('page'), changed);
    markProblems();
    st.shownAt = Date.now();
    $('page-count').textContent = (index + 1) + ' / ' + all.length;
    $('prev').disabled = index === 0;
    window.scrollTo(0, 0);
    save();
  }
  function changed(key, value) {
    var a = st.draft.answers, old = st.form.get(a, key), ch = st.draft.paradata.changes;
    if (typeof old === 'string' && old !== '' && old !== value && ch.length < 500) ch.push({ key: key, from: old, to: value, at: now() });
    st.form.set(a, key, value);
    if (st.draft.fixing) delete st.draft.fixing.problems[key];
    st.form.refresh(pages()[st.index], a, $('page'));
    save();
  }
  function leave() {
    var page = pages()[st.index], times = st.draft.paradata.question_times, keys = st.form.addresses(page, st.draft.answers);
    var each = (Date.now() - st.shownAt) / 1000 / (keys.length || 1);
    keys.forEach(function (k) { times[k] = Math.round(((times[k] || 0) + each) * 10) / 10; });
  }
  function next() {
    var all = pages(), page = all[st.index];
    st.form.collect($('page'), st.draft.answers, changed);
    if (!st.form.check(page, st.draft.answers, $('page'))) {
      var bad = $('page').querySelector('.field-error input, .field-error textarea');
      if (bad) bad.focus();
      return;
    }
    leave();
    var j = st.index + 1;
    while (j < all.length && !st.form.shown(all[j], st.draft.answers)) j++;
    if (j >= all.length) return showReview();
    show(j, 1);
  }

  /* ---- the review step: the answers listed before the interview is queued ---- */
  function reviewRows() {
    var f = st.form, a = st.draft.answers, rows = [];
    pages().forEach(function (page, index) {
      if (!f.shown(page, a)) return;
      f.visit(page, a, function (q, address, path) {
        var v = f.get(a, address);
        if (f.kind(q).value === false || !f.relevant(q, a, path) || v === undefined || v === null || v === '' || typeof v === 'object') return;
        var picked = String(v).split(' '), names = (q.choices || []).filter(function (c) { return picked.indexOf(String(c.name)) >= 0; });
        rows.push({ label: f.text(q.labels) || address, value: names.length ? names.map(function (c) { return f.text(c.labels); }).join(', ') : String(v), page: index });
      });
    });
    return rows;
  }
  function showReview() {
    var list = $('review-list');
    list.textContent = '';
    reviewRows().forEach(function (row) {
      var dt = document.createElement('dt'), dd = document.createElement('dd');
      dt.textContent = row.label; dd.textContent = row.value + ' ';
      var change = button(M.change, function () { $('review').hidden = true; $('interview').hidden = false; show(row.page, 1); });
      change.className = 'link';
      dd.appendChild(change);
      list.appendChild(dt); list.appendChild(dd);
    });
    $('interview').hidden = true; $('review').hidden = false;
    window.scrollTo(0, 0);
  }
  function backFromReview() { $('review').hidden = true; $('interview').hidden = false; show(st.index, -1); }
  function prev() { leave(); show(st.index - 1, -1); }
  function finish() {
    var d = st.draft, end = new Date(), p = d.paradata;
    /* a correction or a fix keeps the interview's own start, end and duration */
    var meta = d.edit_uuid || d.fixing ? {} : { start: p.started_at, end: end.toISOString(), today: localDay(end), deviceid: st.device, unit_code: d.unit_code };
    if (d.fixing) p.fixed_at = end.toISOString();
    else {
      p.ended_at = end.toISOString();
      p.duration_s = Math.round((end - new Date(p.started_at)) / 1000);
    }
    var payload = { instance_uuid: d.instance_uuid, case_id: d.case_id, questionnaire_version_id: d.version_id,
      answers: st.form.finish(d.answers, meta), paradata: p, started_at: p.started_at,
      submitted_at: p.ended_at, language: D.lang };
    if (d.edit_uuid) payload.edit_uuid = d.edit_uuid;
    if (d.line) payload.line_number = d.line;
    var user = d.user === undefined ? st.user : d.user;
    payload.enumerator_id = user;
    var record = { client_uuid: d.edit_uuid || d.instance_uuid, created_at: d.fixing ? d.fixing.created_at : now(), label: d.label,
      payload: payload, user: user, user_name: D.userName };
    return S.put('outbox', record).then(function () { return S.remove('drafts', d.instance_uuid); }).then(function () {
      st.draft = null;
      $('interview').hidden = true; $('review').hidden = true; $('home').hidden = false;
      say(M.queued);
      return home();
    }).then(sync);
  }

  /* ---- the outbox ---- */
  /* Acknowledged: off the phone with its files; a case whose interview was stored is done until the next bundle. */
  function acknowledged(record) {
    return S.remove('outbox', record.client_uuid).then(function () {
      if (isVisit(record)) return null;
      return ParMedia.forget(record).then(function () { return S.get('done'); }).then(function (done) {
        done = done || []; done.push({ id: record.payload.case_id, line: record.payload.line_number || 1 });
        return S.set('done', done);
      });
    }).then(function () { return S.set('last_sync', now()); });
  }
  /* Kept on the phone under "needs fixing" with the server's reason; never retried by itself. */
  function refuse(record, status, body) {
    record.refused = { status: status, error: (body && body.error) || '', problems: (body && body.problems) || [] };
    return S.put('outbox', record).then(function () { return 'refused'; });
  }
  /* An interview's files first (media.js), then the interview naming them; a visit at once. */
  function sendOne(record) {
    if (isVisit(record)) return sendPayload(record, record.payload);
    return ParMedia.prepare(record, tokenOf(record), D.filesUrl + '?lang=' + D.lang, M.fileLost).then(function (ready) {
      if (ready.outcome === 'revoked') return revoked(ParPhone.owner(record, st.user)).then(function () { return 'blocked'; });
      if (ready.outcome === 'refused') return refuse(record, ready.status || 422, ready.body);
      return ready.outcome || sendPayload(record, ready.payload);
    });
  }
  function sendPayload(record, payload) {
    var abort = window.AbortController ? new AbortController() : null;
    if (abort) setTimeout(function () { abort.abort(); }, 30000);
    return fetch((isVisit(record) ? D.visitUrl : D.submitUrl) + '?lang=' + D.lang, { method: 'POST', signal: abort ? abort.signal : undefined,
      headers: { Authorization: 'Bearer ' + tokenOf(record), 'Content-Type': 'application/json' },
      body: JSON.stringify(payload) }).then(function (r) {
      if (r.ok) return acknowledged(record).then(function () { return 'sent'; });
      if (r.status === 401) return revoked(ParPhone.owner(record, st.user)).then(function () { return 'blocked'; });
      if (r.status >= 400 && r.status < 500 && r.status !== 429 && r.status !== 408) {
        return r.json().catch(function () { return {}; }).then(function (body) { return refuse(record, r.status, body); });
      }
      return 'stop';
    }, function () { return 'stop'; });
  }
  /* A record is sent with the token of the enumerator who made it; none (revoked): blocked. */
  function tokenOf(record) { return st.phone.tokens[ParPhone.owner(record, st.user)]; }
  /* One message for the whole send, true to what happened: never "sent" while records wait. */
  function outcomeMessage(last, results) {
    if (last === 'stop') return navigator.onLine ? M.retry : M.offlineKept;
    if (results.indexOf('blocked') >= 0) return M.blocked;
    if (results.indexOf('refused') >= 0) return M.needsFixing;
    return M.sent;
  }
  function sync() {
    if (st.sending) return Promise.resolve();
    st.sending = true;
    return S.all('outbox').then(function (records) {
      records = records.filter(function (r) { return !r.refused && tokenOf(r); }).sort(byCreated);
      if (records.length) say(M.sending);
      var chain = Promise.resolve('sent'), results = [];
      records.forEach(function (record) {
        chain = chain.then(function (last) {
          if (last === 'stop') return 'stop';
          if (!tokenOf(record)) return 'blocked';  /* its enumerator's token was revoked meanwhile */
          return sendOne(record).then(function (res) { results.push(res); counts(); return res; });
        });
      });
      return chain.then(function (last) {
        if (records.length) say(outcomeMessage(last, results));
        return results.indexOf('sent') >= 0 ? refresh() : null;  /* the cases' statuses as the server now has them */
      });
    }).then(function (value) { st.sending = false; return home().then(function () { return value; }); },
      function (error) { st.sending = false; return home().then(function () { throw error; }); });  /* no Promise.finally before Chrome 63 */
  }

  /* Signing out: this enumerator's households and drafts leave the screen (the drafts stay for
   * their next sign-in); unsent records stay in the outbox under their enumerator. */
  function signOut(e) {
    if (st.signingOut) return;
    if (st.waiting && !window.confirm(M.confirmLogout)) { e.preventDefault(); return; }
    e.preventDefault();
    st.signingOut = true;
    var form = e.target;
    Promise.all([S.del('bundle'), S.set('done', [])]).then(function () { form.submit(); }, function () { form.submit(); });
  }

  /* ---- start ---- */
  function boot() {
    if ('serviceWorker' in navigator) navigator.serviceWorker.register(D.sw, { scope: D.scope }).catch(function () {});
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persist().then(function (granted) { $('storage-warning').hidden = granted; });
    }
    $('send-now').addEventListener('click', function () { sync(); });
    $('next').addEventListener('click', next);
    $('prev').addEventListener('click', prev);
    $('visit-save').addEventListener('click', saveVisit);
    $('visit-cancel').addEventListener('click', closeVisit);
    $('review-send').addEventListener('click', function () { finish(); });
    $('review-back').addEventListener('click', backFromReview);
    ['case-search', 'case-village', 'case-status'].forEach(function (id) {
      $(id).addEventListener(id === 'case-search' ? 'input' : 'change', function () { home(); });
    });
    $('stop').addEventListener('click', function () { leave(); save(); st.draft = null; $('interview').hidden = true; $('home').hidden = false; home(); });
    window.addEventListener('online', function () { counts(); refresh().then(home).then(sync); });
    window.addEventListener('offline', function () { counts(); });
    var out = document.querySelector('form.who');
    if (out) out.addEventListener('submit', signOut);
    setInterval(function () { if (st.waiting && navigator.onLine) sync(); }, 20000);
    return S.get('device_id').then(function (id) {
      st.device = id || uuid();
      return id ? null : S.set('device_id', st.device);
    }).then(function () { return Promise.all([ParPhone.load(st.user, D.signedIn), S.get('phone_name')]); }).then(function (r) {
      st.phone = r[0];
      st.phoneName = r[1] || D.phoneName;  /* named on its first sign-in, e.g. "Máy của Lan" */
      st.token = st.phone.tokens[st.user] || null;
      showLock();
      if (st.user in st.phone.revoked) return ParPhone.forget(st.user, st.user);  /* locked until signed in again */
      return (r[1] ? Promise.resolve() : S.set('phone_name', st.phoneName)).then(function () { return st.token ? null : register(); });
    }).then(refresh).then(home).then(function () {
      app.dataset.ready = '1';
      return sync();
    });
  }
  boot();
})();
