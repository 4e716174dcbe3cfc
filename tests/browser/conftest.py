"""Browser test constants: Debian's Chromium, its flags and the phone viewport.

The fixtures (``live_server``, ``playwright_driver``, ``browser``, ``page``) live in tests/conftest.py so
that every test folder shares one Playwright driver: a second sync driver cannot start beside it."""

from tests.programs import need_program

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 740}


def need_chromium() -> None:
    need_program(CHROMIUM, "for the browser tests (apt-get install chromium)")
