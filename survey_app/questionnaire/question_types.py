"""The question types the platform can answer in the browser, by their canonical names.

pyxform keeps the type as written (``gps``, ``photo``, ``select all that apply``,
``get start time``...).  :func:`canonical_type` maps every alias pyxform knows to one of
the names below by comparing pyxform's own type table entries, so an alias we never listed
is still recognised when pyxform treats it exactly like a supported type.  Anything else
(``geotrace``, ``geoshape``, ``file``, ``rank``, ``audit``, ``email``, ``background-audio``...)
is unsupported and refused at import, by name and row.

How the browser answers the types beyond the basic list (they occur in the conformance
forms, which must import): ``barcode`` is typed in as text; ``audio``, ``video`` and ``osm``
are file uploads like ``image`` (``osm`` takes an OpenStreetMap XML file); the metadata
``simserial``, ``subscriberid`` and ``phonenumber`` are recorded empty, as ODK Collect
records them on a device that does not expose them.
"""
from __future__ import annotations

from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

#: Types shown to the respondent as an input of their own.
INPUT_TYPES = (
    "text", "integer", "decimal", "range", "select_one", "select_multiple",
    "select_one_external", "note", "date", "time", "datetime", "geopoint", "acknowledge",
    "image", "audio", "video", "barcode", "osm",
)
#: Types with a value but no input: computed, hidden or filled by the device.
VALUE_TYPES = ("calculate", "hidden")
METADATA_TYPES = ("start", "end", "today", "deviceid", "username", "simserial",
                  "subscriberid", "phonenumber")
STRUCTURE_TYPES = ("group", "repeat", "loop")

#: pyxform's spelling of the canonical names that differ from them.
_PYXFORM_NAME = {
    "select_one": "select one",
    "select_multiple": "select all that apply",
    "select_one_external": "select one external",
}
_EXTRA_ALIASES = {"select one": "select_one", "select all that apply": "select_multiple",
                  "select multiple": "select_multiple", "dateTime": "datetime",
                  "trigger": "acknowledge"}


def _alias_table() -> dict[str, str]:
    """Every pyxform type whose definition equals a supported type's, mapped to that type."""
    table = dict(_EXTRA_ALIASES)
    canonical = [*INPUT_TYPES, *VALUE_TYPES, *METADATA_TYPES]
    for name in canonical:
        spelled = _PYXFORM_NAME.get(name, name)
        reference = QUESTION_TYPE_DICT.get(spelled)
        table[spelled] = name
        if reference is None:
            continue
        for alias, entry in QUESTION_TYPE_DICT.items():
            if entry == reference:
                table.setdefault(alias, name)
    # A preload differs only by its parameter spelling (uri:deviceid, imei...).
    for alias, entry in QUESTION_TYPE_DICT.items():
        param = entry.get("bind", {}).get("jr:preloadParams", "")
        if param.removeprefix("uri:") in METADATA_TYPES:
            table.setdefault(alias, param.removeprefix("uri:"))
    # "phone number" is a text input with a digits-only constraint in pyxform.
    table["phone number"] = "text"
    return table


_ALIASES = _alias_table()


def canonical_type(pyxform_type: str) -> str | None:
    """The supported canonical type for a pyxform type, or None when we do not support it."""
    if pyxform_type in STRUCTURE_TYPES:
        return pyxform_type
    return _ALIASES.get(pyxform_type)


def type_defaults(pyxform_type: str) -> dict:
    """Bind and hint defaults pyxform attaches to an alias (the phone number constraint)."""
    entry = QUESTION_TYPE_DICT.get(pyxform_type, {})
    defaults = {}
    if "constraint" in entry.get("bind", {}):
        defaults["constraint"] = entry["bind"]["constraint"]
    if "hint" in entry:
        defaults["hint"] = entry["hint"]
    return defaults


def has_page(canonical: str) -> bool:
    """Whether a question of this type is shown to the respondent."""
    return canonical in INPUT_TYPES
