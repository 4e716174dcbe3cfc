"""The platform side of the analysis engine: campaign submissions → analysis table → weights →
satisfaction scores per unit, factor and criterion → a stored, numbered analysis run.

The statistics themselves live in the Flask-free :mod:`analysis` package.
"""
