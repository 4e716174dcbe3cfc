"""Design-based analysis of survey data (PAR Index / SIPAS).

A pure numpy/pandas/scipy library around a design object, modelled on R's
``survey`` package (Lumley 2010): build a :class:`SurveyDesign` once, then every
estimator returns estimates with Taylor-linearised standard errors, intervals,
design effects and degrees of freedom.
"""

from .design import CalibrationModel, SurveyDesign
from .errors import CalibrationError, DesignError, EstimationError, LonelyPSUError, SurveyError
from .estimators import svymean, svyprop, svyratio, svytotal
from .intervals import CI_METHODS, interval
from .linearize import var_by_domain, vcov
from .quantiles import svyquantile
from .regression import RegressionResult, svyglm
from .results import Estimate, Results
from .satisfaction import cronbach_alpha, key_drivers, recode, satisfaction_scores, satisfaction_scores_by, score_gap
from .tests_stats import ChiSquare, Difference, domain_difference, domain_vcov, svychisq, svyttest
from .trimming import diagnostics, margin_check, trim, trim_weights, weight_summary
from .weighting import base_weights, calibrate, nonresponse_adjust, poststratify, rake

__all__ = [
    "SurveyDesign", "CalibrationModel",
    "SurveyError", "DesignError", "LonelyPSUError", "CalibrationError", "EstimationError",
    "svymean", "svytotal", "svyprop", "svyratio", "svyquantile",
    "vcov", "var_by_domain", "interval", "CI_METHODS",
    "Estimate", "Results",
    "domain_vcov", "domain_difference", "svyttest", "svychisq", "Difference", "ChiSquare",
    "svyglm", "RegressionResult",
    "base_weights", "nonresponse_adjust", "poststratify", "rake", "calibrate",
    "trim", "trim_weights", "weight_summary", "margin_check", "diagnostics",
    "recode", "satisfaction_scores", "satisfaction_scores_by", "score_gap", "cronbach_alpha", "key_drivers",
]
