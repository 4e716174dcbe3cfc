"""Sample lists in the platform (*danh sách mẫu*): imported or drawn from a frame, assigned to
enumerators, and replaced from a reserve list following the campaign's rule.

The pure draws live in :mod:`survey_app.sampling`; this package reads CSV files, checks them
row by row, and stores the result in one transaction (nothing is stored when a row is wrong).
"""
from survey_app.samples.frame import SampleRefused

__all__ = ["SampleRefused"]
