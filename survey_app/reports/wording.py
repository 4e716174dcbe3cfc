"""The report's words for stored codes: the sampling plan's keys and values, the weighting's
margins and variance design, exclusion rules and unit levels, translated at render time.

Stored values stay as they were written (the campaign's ``sampling_plan``, the run's
``weighting``); only the printed text is translated. A value no table knows (a plan typed by an
administrator) is printed as typed. Call these inside the report's locale.
"""
from __future__ import annotations

from survey_app import clock
from survey_app.i18n import _


def plan_keys() -> dict[str, str]:
    return {"design": _("Design"), "strata": _("Strata"), "psu": _("Primary sampling units"),
            "villages_per_unit": _("Villages per unit"), "cases_per_village": _("Cases per village"),
            "respondents_per_household": _("Respondents per household"),
            "replacement": _("Replacement of cases"), "allowed_after": _("allowed after"),
            "max_attempts": _("visits before replacement")}


def stored_values() -> dict[str, str]:
    """Values the demo, the campaign form's example and the analysis write, by their stored text."""
    return {"stratified two-stage": _("stratified two-stage sample"), "stratified": _("stratified sample"),
            "assessed unit": _("the assessed unit"), "village": _("village"),
            "unit × sex": _("sex, within each unit"), "unit × age group": _("age group, within each unit"),
            "strata = units, PSUs = villages, with replacement (no fpc)":
                _("each unit is a stratum and its villages the first-stage units, taken as drawn with "
                  "replacement (no correction for sampling a large share of the villages)"),
            "sex": _("sex"), "age_group": _("age group"),
            "refused": _("refused"), "no_contact": _("no contact"), "completed": _("completed"),
            "department": _("departments"), "district": _("districts"), "commune": _("communes")}


def worded(value) -> str:
    """``value`` in the reader's words: mappings as "key: value; …", lists joined, codes translated."""
    keys, values = plan_keys(), stored_values()
    if isinstance(value, dict):
        return "; ".join(f"{keys.get(k) or values.get(k, k)}: {worded(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(worded(v) for v in value)
    if isinstance(value, str):
        return values.get(value, value)
    return str(value)


def plan_rows(plan: dict | None) -> list[tuple[str, str]]:
    """The sampling plan as ``(label, text)`` rows for the methodology's table."""
    keys = plan_keys()
    return [(keys.get(key, key), worded(value)) for key, value in (plan or {}).items()]


def exclusion_label(rule: str) -> str:
    """The exclusion service's rule name in words (``quality_flag_<kind>`` names the flag)."""
    from survey_app.quality.labels import flag_label
    if rule.startswith("quality_flag_"):
        return _("Quality flag: %(flag)s", flag=flag_label(rule.removeprefix("quality_flag_")))
    return {"rejected_in_review": _("Rejected in review"),
            "outside_sample_design": _("Outside the sample design"),
            "open_link_non_probability": _("Open link: self-selected, not a sample"),
            "missing_sex_or_age": _("Sex or age group missing")}.get(rule, rule)


def labels() -> dict:
    """The wording helpers the section templates call, and the report's date."""
    return {"plan_rows": plan_rows, "worded": worded, "exclusion_label": exclusion_label,
            "made_on": clock.today()}
