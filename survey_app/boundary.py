"""The input boundary (*ranh giới đầu vào*): what every request is checked for before any of it
reaches the database, so bad input gets a 4xx with a clear message and never a 500.

- Ids: ``<int:…>`` in a URL is at most ``ID_MAX`` (PostgreSQL's ``integer``, 2³¹ − 1, below
  SQLite's 2⁶³); a query, form or JSON field named ``id`` or ``…_id`` holding a number beyond
  it is refused (422).
- Characters: NUL, the other control characters but tab and line breaks, and lone surrogates
  (PostgreSQL stores none of them) are refused (400) in the path, the query, form fields, file
  names, headers and JSON strings.
- JSON: at most ``JSON_MAX_BYTES`` (413) and ``JSON_MAX_DEPTH`` levels of nesting (400),
  counted before parsing, so a body of 20,000 ``[`` costs nothing.

The collector retries a send on any 5xx: a malformed record answered 4xx lands in "Cần sửa"
instead of looping for ever.
"""
from __future__ import annotations

import json
import re

from flask import Flask, current_app, g, request
from werkzeug.routing import IntegerConverter

from survey_app.i18n import _
from survey_app.refusals import Refused

ID_MAX = 2**31 - 1
JSON_MAX_BYTES = 4 * 1024 * 1024
JSON_MAX_DEPTH = 32
_REFUSED_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JSON_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")
_UNPARSED = object()


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that matches only ids the database can hold; a larger one is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def _bad_characters(name: str) -> Refused:
    return Refused(400, [{"key": name, "message": _("This text contains characters that are not accepted.")}],
                   _("The request contains characters that are not accepted (such as a NUL byte)."))


def _id_field(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def _out_of_range(name: str) -> Refused:
    return Refused(422, [{"key": name, "message": _("This number is not a valid identifier.")}],
                   _("The field %(name)s is missing or malformed.", name=name))


def _check_text(name: str, value: str) -> None:
    if _REFUSED_CHARS.search(value):
        raise _bad_characters(name)


def _check_pairs(pairs) -> None:
    for name, value in pairs:
        _check_text(name, name)
        _check_text(name, value)
        if _id_field(name) and value.strip().lstrip("+-").isdigit() and abs(int(value)) > ID_MAX:
            raise _out_of_range(name)


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects, outside strings."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_JSON_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _walk(value, name: str = "") -> None:
    """Refuse a string the database cannot store and an id it cannot hold, anywhere in the body."""
    if isinstance(value, str):
        _check_text(name, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, key)
            if _id_field(key) and isinstance(item, int) and not isinstance(item, bool) and abs(item) > ID_MAX:
                raise _out_of_range(key)
            _walk(item, key)
    elif isinstance(value, list):
        for item in value:
            _walk(item, name)


def check_answer_shape(answers: dict, prefix: str = "") -> None:
    """Answers hold plain values, objects of answers (groups) or lists of such objects (repeat
    instances), which is what the form engine walks; anything else is refused (422)."""
    for key, value in answers.items():
        if isinstance(value, dict):
            check_answer_shape(value, f"{prefix}{key}/")
        elif isinstance(value, list):
            if not all(isinstance(item, dict) for item in value):
                raise Refused(422, [{"key": prefix + key, "message": _("This group of answers is malformed.")}],
                              _("Some answers are not accepted."))
            for index, item in enumerate(value, start=1):
                check_answer_shape(item, f"{prefix}{key}[{index}]/")


def json_body():
    """The request's JSON after the boundary's checks, or ``None`` when it is not JSON."""
    cached = g.get("_boundary_json", _UNPARSED)
    if cached is not _UNPARSED:
        return cached
    body = None
    if request.is_json:
        limit = current_app.config.get("JSON_MAX_BYTES", JSON_MAX_BYTES)
        if (request.content_length or 0) > limit:
            raise Refused(413, (), _("The upload is too large."))
        raw = request.get_data(cache=True)
        if len(raw) > limit:
            raise Refused(413, (), _("The upload is too large."))
        text = raw.decode("utf-8", "replace")
        if _depth(text) > current_app.config.get("JSON_MAX_DEPTH", JSON_MAX_DEPTH):
            raise Refused(400, (), _("The request could not be understood."))
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):
            body = None
        _walk(body)
    g._boundary_json = body
    return body


def check_request() -> None:
    """Every request: path, query, headers, form fields, file names and JSON body."""
    _check_text("path", request.path)
    _check_pairs(request.args.items(multi=True))
    for name, value in request.headers.items():
        _check_text(name, value)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            json_body()
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            _check_pairs(request.form.items(multi=True))
            for name, upload in request.files.items(multi=True):
                _check_text(name, name)
                _check_text(name, upload.filename or "")


def init_app(app: Flask) -> None:
    """Bounded ``<int:…>`` in every URL rule (before the blueprints add theirs) and the checks."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
