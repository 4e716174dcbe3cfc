"""XLSForm type names → the canonical names of the question types the platform answers
(the input types themselves are the registry's, types/).

pyxform keeps the type as written (``gps``, ``photo``, ``select all that apply``,
``get start time``...).  :func:`canonical_type` maps every alias pyxform knows to one of
the registry's types or the value and metadata names below, by comparing pyxform's own type
table entries, so an alias we never listed is still recognised when pyxform treats it
exactly like a supported type.  Anything else (``geotrace``, ``geoshape``, ``file``, ``rank``,
``audit``, ``email``, ``background-audio``...) is unsupported and refused at import, by name and row.

How the browser answers the types beyond the basic list (they occur in the conformance
forms, which must import): ``barcode`` is typed in as text; ``audio``, ``video`` and ``osm``
are file uploads like ``image`` (``osm`` takes an OpenStreetMap XML file); the metadata
``simserial``, ``subscriberid`` and ``phonenumber`` are recorded empty, as ODK Collect
records them on a device that does not expose them.
"""
from __future__ import annotations

from functools import lru_cache

from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from survey_app.questionnaire.types import REGISTRY, input_types

#: Types with a value but no input: computed, hidden or filled by the device.
VALUE_TYPES = ("calculate", "hidden")
METADATA_TYPES = ("start", "end", "today", "deviceid", "username", "simserial",
                  "subscriberid", "phonenumber")
STRUCTURE_TYPES = ("group", "repeat", "loop")


def _alias_table() -> dict[str, str]:
    """Every pyxform type whose definition equals a supported type's, mapped to that type
    (the input types and their own aliases come from the registry, types/)."""
    table = {}
    for kind in REGISTRY.values():
        table.update(kind.aliases)
    canonical = [*input_types(), *VALUE_TYPES, *METADATA_TYPES]
    for name in canonical:
        spelled = REGISTRY[name].pyxform_names.get(name, name) if name in REGISTRY else name
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
    return table


@lru_cache(maxsize=8)
def _aliases(registered: tuple[str, ...]) -> dict[str, str]:
    return _alias_table()


def canonical_type(pyxform_type: str) -> str | None:
    """The supported canonical type for a pyxform type, or None when we do not support it."""
    if pyxform_type in STRUCTURE_TYPES:
        return pyxform_type
    return _aliases(input_types()).get(pyxform_type)


def type_defaults(pyxform_type: str) -> dict:
    """Bind and hint defaults pyxform attaches to an alias (the phone number constraint)."""
    entry = QUESTION_TYPE_DICT.get(pyxform_type, {})
    defaults = {}
    if "constraint" in entry.get("bind", {}):
        defaults["constraint"] = entry["bind"]["constraint"]
    if "hint" in entry:
        defaults["hint"] = entry["hint"]
    return defaults
