"""The rate-limit counters of one machine: ``limits``' in-process storage, swept once a second.

The library's sweeper is a timer thread that ends after each sweep (every 10 ms) and is started
again by the next hit, so a busy worker starts a hundred threads a second. A counter is checked
against its expiry on every read anyway (``MemoryStorage.get``), so sweeping less often only
frees memory later. Several machines share their counters in Redis instead
(``RATELIMIT_STORAGE_URI=redis://…``).
"""
from __future__ import annotations

import threading

from limits.storage import MemoryStorage


class SweptMemoryStorage(MemoryStorage):
    """``local://``: :class:`limits.storage.MemoryStorage` with a one-second sweep."""

    STORAGE_SCHEME = ["local"]
    SWEEP_SECONDS = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # the library's private hook
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()
