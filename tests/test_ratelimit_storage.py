"""The default rate-limit storage: counts and expires like limits' memory storage, without
starting a sweeper thread for every burst of hits."""
import threading
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from survey_app import Config
from survey_app.ratelimit_storage import SweptMemoryStorage


def test_the_default_storage_is_the_swept_one():
    assert Config.RATELIMIT_STORAGE_URI == "local://"
    assert type(storage_from_string(Config.RATELIMIT_STORAGE_URI)) is SweptMemoryStorage


def test_limits_hold_and_expire():
    storage = SweptMemoryStorage("local://")
    window = FixedWindowRateLimiter(storage)
    two_per_second = RateLimitItemPerSecond(2)
    assert window.hit(two_per_second, "device:a") and window.hit(two_per_second, "device:a")
    assert not window.hit(two_per_second, "device:a")
    assert window.hit(two_per_second, "device:b")
    time.sleep(1.1)
    assert window.hit(two_per_second, "device:a")


def _sweepers_started(storage) -> int:
    storage.timer.join()
    started = []
    original = threading.Timer.start

    def counting_start(timer):
        started.append(timer)
        original(timer)

    threading.Timer.start = counting_start
    try:
        for n in range(300):
            storage.incr(f"device:{n % 7}", expiry=60)
            time.sleep(0.0005)
    finally:
        threading.Timer.start = original
    return len(started)


def test_a_burst_of_hits_starts_one_sweeper_not_one_per_hit():
    assert _sweepers_started(SweptMemoryStorage("local://")) == 1
    assert _sweepers_started(MemoryStorage("memory://")) > 5  # what it replaces
