"""The PAR Index (*Chỉ số CCHC*): appraised and survey points per unit, ranks with intervals,
classes, the improvement planner and the year-over-year comparison.

Modules: :mod:`conversion` (survey indicator → points with SE), :mod:`model` (plain data),
:mod:`compute` (fields, bonus/penalty caps, no-survey rescaling, classes), :mod:`ranking`
(competition ranks, simulation intervals), :mod:`build` (from the database), :mod:`planner`,
:mod:`history`, :mod:`export` (JSON shape), :mod:`cli` (``flask --app wsgi index compute``).
"""
