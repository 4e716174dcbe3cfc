"""Translated names of the quality rules, for pages and exports."""
from survey_app.i18n import _

RULES = ("too_fast", "straight_lining", "duplicate", "same_location", "off_area", "unusual_hour")


def flag_label(rule: str) -> str:
    labels = {"too_fast": _("Too fast"), "straight_lining": _("Straight-lining"),
              "duplicate": _("Same respondent twice"), "same_location": _("Many at one location"),
              "off_area": _("Outside the assigned area"), "unusual_hour": _("Unusual hour")}
    return labels.get(rule, rule)
