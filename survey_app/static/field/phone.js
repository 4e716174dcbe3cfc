/* ParPhone: whose phone this is. One device token per enumerator on this phone ({user id: token}
 * in kv 'tokens'), so records still waiting after a sign-out are sent later under the enumerator
 * who made them, never re-credited. A token the server refuses (401) is revoked: the phone erases
 * that enumerator's cached households and drafts, keeps finished interviews as blocked, and stays
 * locked for the enumerator until a later sign-in (kv 'revoked': {user id: sign-in mark}). */
var ParPhone = (function () {
  'use strict';
  var S = ParStore;

  function load(user, signedIn) {
    return Promise.all([S.get('tokens'), S.get('token'), S.get('revoked')]).then(function (r) {
      var tokens = r[0] || {}, revoked = r[2] || {};
      if (r[1] && !Object.keys(tokens).length) tokens[user] = r[1];  /* a phone set up before tokens per enumerator */
      if (user in revoked && revoked[user] !== signedIn) delete revoked[user];  /* signed in again since */
      return Promise.all([S.set('tokens', tokens), S.set('revoked', revoked), S.del('token')]).then(function () {
        return { tokens: tokens, revoked: revoked };
      });
    });
  }
  function owner(record, user) { return record.user === undefined ? user : record.user; }
  function mine(list, user) { return list.filter(function (x) { return owner(x, user) === user; }); }
  /* The enumerator's cached households, drafts and sent-case list go; the outbox stays.
   * Records from before owners were kept (no `user`) belong to `current`, the one signed in. */
  function forget(user, current) {
    return Promise.all([S.all('drafts'), S.get('bundle')]).then(function (r) {
      var gone = r[0].filter(function (d) { return owner(d, current) === user; })
        .map(function (d) { return S.remove('drafts', d.instance_uuid); });
      var b = r[1], holder = b && b.enumerator && b.enumerator.id !== undefined ? b.enumerator.id : current;
      if (b && holder === user) gone.push(S.del('bundle'), S.set('done', []));
      return Promise.all(gone);
    });
  }
  function revoke(state, user, current, signedIn) {
    delete state.tokens[user];
    state.revoked[user] = user === current ? signedIn : '';
    return Promise.all([S.set('tokens', state.tokens), S.set('revoked', state.revoked), forget(user, current)]);
  }
  function addToken(state, user, token) {
    state.tokens[user] = token;
    return S.set('tokens', state.tokens);
  }
  /* Unsent records of other enumerators on this phone: {count, names}. */
  function others(outbox, user) {
    var names = {}, count = 0;
    outbox.forEach(function (o) { if (owner(o, user) !== user) { count++; names[o.user_name || ('#' + o.user)] = 1; } });
    return { count: count, names: Object.keys(names) };
  }
  return { load: load, owner: owner, mine: mine, forget: forget, revoke: revoke, addToken: addToken, others: others };
})();
