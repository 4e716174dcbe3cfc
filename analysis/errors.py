"""Exceptions raised by the analysis package.

Every error carries a one-line message naming the offending column, stratum,
margin or level, so that the command line can print it as is.
"""

from __future__ import annotations


class SurveyError(ValueError):
    """Base class of all errors raised by :mod:`analysis`."""


class DesignError(SurveyError):
    """The design specification does not fit the data (columns, weights, fpc)."""


class LonelyPSUError(DesignError):
    """A stratum has a single PSU and the lonely-PSU rule is ``"fail"``."""


class CalibrationError(SurveyError):
    """Raking or calibration cannot reach its targets (empty cell, no convergence)."""


class EstimationError(SurveyError):
    """An estimator cannot be computed (unknown column, empty domain, bad method)."""


def check_choice(name: str, value: str, choices) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming them.

    Parameters
    ----------
    name : str
        Name of the argument, used in the message.
    value : str
        The value given by the caller.
    choices : iterable of str
        Accepted values.
    """
    allowed = list(choices)
    if value not in allowed:
        raise SurveyError(f"unknown {name}={value!r}; expected one of {', '.join(map(repr, allowed))}")
    return value
