"""Static files under fingerprinted addresses, cached for a year.

``url_for('static', filename='css/site.css')`` gives ``/static/css/site.<hash>.css``, the hash
being the first 12 hex digits of the file's SHA-256. A fingerprinted address never changes its
content, so it is sent with ``Cache-Control: max-age=31536000, immutable``: a phone on a slow
network loads each stylesheet and script once and never asks again (no revalidation on the next
page). An address without the hash, or with an old one, still answers, with ``no-cache``.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Flask, abort, current_app, send_from_directory
from werkzeug.security import safe_join

YEAR = 31_536_000
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def fingerprint(folder: str, filename: str) -> str | None:
    """The file's content hash, or None when there is no such file."""
    path = safe_join(folder, filename)
    if path is None or not Path(path).is_file():
        return None
    stat = Path(path).stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def fingerprinted_name(folder: str, filename: str) -> str:
    """``css/site.css`` → ``css/site.<hash>.css`` (unchanged when the file is missing)."""
    digest = fingerprint(folder, filename)
    if digest is None:
        return filename
    stem, dot, suffix = filename.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{filename}.{digest}"


def send_static(filename: str):
    """Serve a static file; a current fingerprint makes it immutable for a year."""
    folder = current_app.static_folder
    match = _FINGERPRINTED.match(filename)
    if match:
        plain = match["stem"] + match["suffix"]
        if fingerprint(folder, plain) == match["hash"]:
            response = send_from_directory(folder, plain, max_age=YEAR)
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
            return response
        if fingerprint(folder, plain) is not None:
            filename = plain
    if fingerprint(folder, filename) is None:
        abort(404)
    response = send_from_directory(folder, filename, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Fingerprint every ``url_for('static', ...)`` and serve the static route with it."""
    app.view_functions["static"] = send_static

    @app.url_defaults
    def _fingerprint(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = fingerprinted_name(app.static_folder, values["filename"])
