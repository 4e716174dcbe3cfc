/* ParStore: the collector's IndexedDB. Stores: kv (token, device id, bundle, last sync),
 * drafts (interviews in progress, by instance UUID) and outbox (finished sends, by client
 * UUID). Every write is its own transaction and resolves only once committed, so a record
 * exists on disk before the screen says it does. */
var ParStore = (function () {
  'use strict';
  var NAME = 'parindex-field', VERSION = 1, dbp = null;

  function open() {
    if (dbp) return dbp;
    dbp = new Promise(function (resolve, reject) {
      var req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        db.createObjectStore('kv');
        db.createObjectStore('drafts', { keyPath: 'instance_uuid' });
        db.createObjectStore('outbox', { keyPath: 'client_uuid' });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbp;
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode), result;
        var req = work(tx.objectStore(store));
        if (req) req.onsuccess = function () { result = req.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  return {
    get: function (key) { return run('kv', 'readonly', function (s) { return s.get(key); }); },
    set: function (key, value) { return run('kv', 'readwrite', function (s) { return s.put(value, key); }); },
    del: function (key) { return run('kv', 'readwrite', function (s) { return s.delete(key); }); },
    put: function (store, record) { return run(store, 'readwrite', function (s) { return s.put(record); }); },
    remove: function (store, key) { return run(store, 'readwrite', function (s) { return s.delete(key); }); },
    one: function (store, key) { return run(store, 'readonly', function (s) { return s.get(key); }); },
    all: function (store) { return run(store, 'readonly', function (s) { return s.getAll(); }); }
  };
})();
