"""The built-in question types (see base.py for what a type holds)."""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time

from survey_app.i18n import _
from survey_app.questionnaire.types.base import QuestionType, register

_INTEGER = r"^[+-]?\d{1,15}$"
_DECIMAL = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"


def number(value: str) -> float | None:
    return float(value) if re.match(_DECIMAL, value) else None


def _parses(parser, value: str) -> bool:
    try:
        parser(value)
        return True
    except ValueError:
        return False


@register
class Text(QuestionType):
    """Free text; ``barcode`` is typed in as text."""
    names = ("text", "barcode")
    aliases = {"phone number": "text"}


@register
class Integer(QuestionType):
    names = ("integer",)
    inputmode = "numeric"
    export_kind = "numeric"
    browser_pattern = _INTEGER

    def format_message(self) -> str:
        return _("Enter a whole number.")

    def check(self, question, value, allowed_choices):
        return None if re.match(_INTEGER, value) else self.format_message()


@register
class Decimal(QuestionType):
    names = ("decimal",)
    inputmode = "decimal"
    export_kind = "numeric"
    browser_pattern = _DECIMAL

    def format_message(self) -> str:
        return _("Enter a number.")

    def check(self, question, value, allowed_choices):
        return None if number(value) is not None else self.format_message()


@register
class Range(QuestionType):
    """A number between the row's start and end, in steps (parameters ``start end step``)."""
    names = ("range",)
    html_input = "number"
    inputmode = "decimal"
    export_kind = "numeric"

    def parameters(self, control):
        return {k: str(control[k]) for k in ("start", "end", "step") if k in control}

    def input_attributes(self, question):
        params = question.get("parameters") or {}
        return {"min": params.get("start", "0"), "max": params.get("end", "10"), "step": params.get("step", "1")}

    def check(self, question, value, allowed_choices):
        found = number(value)
        params = question.get("parameters") or {}
        start, end = float(params.get("start", 0)), float(params.get("end", 10))
        step = float(params.get("step", 1))
        low, high = min(start, end), max(start, end)
        if found is None or not low <= found <= high:
            return _("Choose a value from %(low)s to %(high)s.", low=f"{low:g}", high=f"{high:g}")
        if step and not math.isclose((found - low) / step, round((found - low) / step), abs_tol=1e-9):
            return _("Choose a value in steps of %(step)s.", step=f"{step:g}")
        return None


@register
class SelectOne(QuestionType):
    names = ("select_one",)
    aliases = {"select one": "select_one"}
    pyxform_names = {"select_one": "select one"}
    macro = "choices"
    html_input = "radio"
    has_choices = True
    single_choice = True

    def check(self, question, value, allowed_choices):
        if allowed_choices is None or value in allowed_choices:
            return None
        return _("Choose one of the options.")

    def display(self, question, value, choice_labels):
        return choice_labels.get(value, value)


@register
class SelectOneExternal(SelectOne):
    """One choice of a list kept in the form's external choices sheet."""
    names = ("select_one_external",)
    aliases = {}
    pyxform_names = {"select_one_external": "select one external"}
    external_choices = True


@register
class SelectMultiple(QuestionType):
    """Several choices, kept as their names separated by spaces."""
    names = ("select_multiple",)
    aliases = {"select all that apply": "select_multiple", "select multiple": "select_multiple"}
    pyxform_names = {"select_multiple": "select all that apply"}
    macro = "choices"
    html_input = "checkbox"
    has_choices = True

    def read_form(self, form, key):
        return " ".join(v for v in form.getlist(key) if v)

    def check(self, question, value, allowed_choices):
        picked = value.split()
        if len(picked) != len(set(picked)) or (allowed_choices is not None
                                                and not set(picked) <= set(allowed_choices)):
            return _("Choose from the options shown.")
        return None

    def display(self, question, value, choice_labels):
        return ", ".join(choice_labels.get(v, v) for v in str(value).split())

    def export_label(self, value, choice_labels):
        return "; ".join(choice_labels.get(v, v) for v in str(value).split())


@register
class Note(QuestionType):
    """Text shown to the respondent, with no answer."""
    names = ("note",)
    macro = "note"
    has_value = False

    def read_form(self, form, key):
        return None


@register
class Acknowledge(QuestionType):
    """A box to tick (``OK``); not ticking posts nothing, which clears it."""
    names = ("acknowledge",)
    aliases = {"trigger": "acknowledge"}
    macro = "acknowledge"
    html_input = "checkbox"

    def read_form(self, form, key):
        return (form.get(key) or "").strip()


class _Formatted(QuestionType):
    parser = staticmethod(lambda value: None)

    def check(self, question, value, allowed_choices):
        return None if self.valid(value) else self.format_message()

    def valid(self, value: str) -> bool:
        return _parses(self.parser, value)


@register
class Date(_Formatted):
    names = ("date",)
    html_input = "date"

    def valid(self, value):
        return len(value) == 10 and _parses(date.fromisoformat, value)

    def format_message(self):
        return _("Enter a date as YYYY-MM-DD.")


@register
class Time(_Formatted):
    names = ("time",)
    html_input = "time"
    parser = staticmethod(time.fromisoformat)

    def format_message(self):
        return _("Enter a time as HH:MM.")


@register
class DateTime(_Formatted):
    names = ("datetime",)
    aliases = {"dateTime": "datetime"}
    html_input = "datetime-local"
    parser = staticmethod(datetime.fromisoformat)

    def format_message(self):
        return _("Enter a date and time.")


@register
class Geopoint(_Formatted):
    """``lat lon [alt [accuracy]]``; the page offers the phone's location."""
    names = ("geopoint",)
    macro = "geopoint"

    def valid(self, value):
        parts = value.split()
        if len(parts) not in (2, 3, 4) or not all(number(p) is not None for p in parts):
            return False
        return -90 <= float(parts[0]) <= 90 and -180 <= float(parts[1]) <= 180

    def format_message(self):
        return _("Enter a location as latitude and longitude.")


@register
class AnswerFile(QuestionType):
    """A photo, recording, video or OpenStreetMap file, stored under its SHA-256 (uploads.py)."""
    names = ("image", "audio", "video", "osm")
    macro = "file"
    html_input = "file"
    takes_file = True
    #: The kinds the phone captures (``osm`` needs a map editor: not offline) and which camera.
    CAPTURE = {"image": "environment", "audio": "user", "video": "environment"}
    #: Suffix → MIME type taken, per type; the first bytes a suffix must start with.
    ACCEPTED = {
        "image": {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"},
        "audio": {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".wav": "audio/wav"},
        "video": {".mp4": "video/mp4", ".webm": "video/webm", ".3gp": "video/3gpp"},
        "osm": {".osm": "application/xml", ".xml": "application/xml"},
    }

    @property
    def accepted(self) -> dict[str, str]:
        return self.ACCEPTED[self.name]

    @property
    def collected_offline(self) -> bool:
        return self.name in self.CAPTURE

    @property
    def accept_attribute(self) -> str | None:
        """The file picker's filter: any image, recording or video (an .osm file has none)."""
        return f"{self.name}/*" if self.name in self.CAPTURE else None

    def read_form(self, form, key):
        return None  # the page's files are read and stored apart (uploads.py)

    def browser(self):
        return dict(super().browser(), accept=self.accept_attribute, capture=self.CAPTURE.get(self.name))
