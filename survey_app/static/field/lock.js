/* The revoked phone's warning on the enumerator's pages outside the collector: shown while this
 * phone holds the revocation of the signed-in enumerator, marked at this sign-in (phone.js). */
(function () {
  'use strict';
  var note = document.getElementById('revoked-warning');
  if (!note || !window.indexedDB) return;
  ParStore.get('revoked').then(function (revoked) {
    var user = note.dataset.user;
    if (revoked && user in revoked && revoked[user] === note.dataset.signedIn) note.hidden = false;
  }).catch(function () {});
})();
