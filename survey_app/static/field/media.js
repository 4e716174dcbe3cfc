/* ParMedia: photos, recordings and videos answered offline. Each file is kept as a Blob in
 * the collector's IndexedDB (ParStore's kv store, key 'file:<local id>'), so it survives a
 * browser restart; the answer holds the local id until the interview is sent. Sending
 * uploads every file first (the server stores it under its SHA-256: the same bytes give the
 * same name, so a retry after a crash is harmless), then the interview with the server's
 * names in place of the local ids. The files are forgotten only once the interview is
 * acknowledged. */
var ParMedia = (function () {
  'use strict';
  var PREFIX = 'file:', LOCAL = 'local-';

  function isLocal(value) { return typeof value === 'string' && value.indexOf(LOCAL) === 0; }
  function localId() {
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return LOCAL + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }
  /* Keep a file; resolves to its local id once it is on disk. */
  function keep(blob, kind, name) {
    var id = localId();
    return ParStore.set(PREFIX + id, { blob: blob, kind: kind, name: name, type: blob.type, size: blob.size })
      .then(function () { return id; });
  }
  function describe(id) { return ParStore.get(PREFIX + id); }
  function drop(id) { return ParStore.del(PREFIX + id).catch(function () {}); }

  /* The local files named in answers: [{ id, key }], key as the server names problems. */
  function named(answers) {
    var found = [];
    Object.keys(answers).forEach(function (key) {
      var value = answers[key];
      if (isLocal(value)) found.push({ id: value, key: key });
      if (Array.isArray(value)) {
        value.forEach(function (instance, i) {
          named(instance || {}).forEach(function (f) { found.push({ id: f.id, key: key + '[' + (i + 1) + ']/' + f.key }); });
        });
      }
    });
    return found;
  }
  function renamed(answers, names) {
    var out = {};
    Object.keys(answers).forEach(function (key) {
      var value = answers[key];
      out[key] = Array.isArray(value) ? value.map(function (i) { return renamed(i || {}, names); })
        : isLocal(value) && names[value] ? names[value] : value;
    });
    return out;
  }

  /* Send one file: { name } or { outcome: 'stop' | 'revoked' | 'refused', body }. */
  function upload(file, token, url, lost) {
    return describe(file.id).then(function (kept) {
      if (!kept) return { outcome: 'refused', body: { error: lost, problems: [{ key: file.key, message: lost }] } };
      var form = new FormData(), abort = window.AbortController ? new AbortController() : null;
      form.append('kind', kept.kind);
      form.append('file', kept.blob, kept.name);
      if (abort) setTimeout(function () { abort.abort(); }, 120000);
      return fetch(url, { method: 'POST', body: form, signal: abort ? abort.signal : undefined,
        headers: { Authorization: 'Bearer ' + token } }).then(function (r) {
        if (r.ok) return r.json().then(function (j) { return { name: j.name }; });
        if (r.status === 401) return { outcome: 'revoked' };
        if (r.status >= 400 && r.status < 500 && r.status !== 429 && r.status !== 408) {
          return r.json().catch(function () { return {}; }).then(function (body) {
            body.problems = [{ key: file.key, message: body.error || '' }];
            return { outcome: 'refused', body: body };
          });
        }
        return { outcome: 'stop' };
      });
    }).catch(function () { return { outcome: 'stop' }; });
  }

  /* The record's payload ready to send ({ payload }), its files uploaded one at a time; or
   * the outcome that stopped it. lost: the message for a file no longer on the phone. */
  function prepare(record, token, url, lost) {
    var files = named(record.payload.answers), names = {}, chain = Promise.resolve(null);
    files.forEach(function (file) {
      chain = chain.then(function (stopped) {
        return stopped || upload(file, token, url, lost).then(function (sent) {
          if (!sent.name) return sent;
          names[file.id] = sent.name;
          return null;
        });
      });
    });
    return chain.then(function (stopped) {
      return stopped || { payload: files.length ? Object.assign({}, record.payload, { answers: renamed(record.payload.answers, names) }) : record.payload };
    });
  }
  /* After the acknowledgement: the record's files leave the phone. */
  function forget(record) {
    return Promise.all(named(record.payload.answers).map(function (f) { return drop(f.id); }));
  }

  return { keep: keep, describe: describe, drop: drop, isLocal: isLocal, prepare: prepare, forget: forget };
})();
