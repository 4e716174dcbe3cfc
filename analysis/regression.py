"""Survey-weighted linear and logistic regression (R ``svyglm``).

Coefficients solve the weighted estimating equations
``sum_i w_i x_i (y_i - mu(x_i' beta)) = 0`` (pseudo-likelihood; Binder 1983;
Lumley 2010, ch. 5), by weighted least squares for the identity link and by
iteratively reweighted least squares for the logit link.

Covariance (Binder 1983; Lumley 2010, sec. 5.2; R ``svy.varcoef``): the sandwich

    V(beta) = A^-1 V_design(sum_i w_i U_i) A^-1,   A = sum_i w_i v_i x_i x_i',
    U_i = x_i (y_i - mu_i),  v_i = 1 (linear) or mu_i (1 - mu_i) (logistic),

where the middle term is the design (Taylor) variance of the total of the
estimating functions, computed by :func:`analysis.linearize.vcov` on the
influence values ``U_i' A^-1`` (so calibration residuals are used for a
calibrated design).

Degrees of freedom follow R's ``svyglm``: ``design df + 1 - p`` for the t tests
and intervals of both families (``summary.svyglm`` always uses t with the
residual df it stores).  Rows with a missing response or predictor get zero
influence but keep their PSU (R's ``na.action`` subsets the design the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .design import SurveyDesign
from .errors import EstimationError, check_choice
from .estimators import numeric
from .linearize import vcov


@dataclass
class RegressionResult:
    """Coefficients with design-based covariance."""

    terms: list[str]
    coef: np.ndarray
    cov: np.ndarray
    df: float
    family: str
    n: int

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """Tidy coefficient table: term, estimate, se, t, p_value, ci_low, ci_high, df."""
        se = np.sqrt(np.diag(self.cov))
        t = self.coef / se
        c = stats.t.ppf(0.5 + level / 2, self.df)
        return pd.DataFrame({"term": self.terms, "estimate": self.coef, "se": se, "t": t,
                             "p_value": 2 * stats.t.sf(np.abs(t), self.df),
                             "ci_low": self.coef - c * se, "ci_high": self.coef + c * se,
                             "df": self.df})


def _fit_gaussian(x: np.ndarray, y: np.ndarray, w: np.ndarray, **_) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares; returns coefficients and the variance function v_i."""
    xw = x * w[:, None]
    beta = np.linalg.solve(xw.T @ x, xw.T @ y)
    return beta, np.ones_like(y)


def _fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, tol: float = 1e-10,
                  max_iter: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Weighted IRLS for the logit link."""
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        mu = 1 / (1 + np.exp(-(x @ beta)))
        v = mu * (1 - mu)
        step = np.linalg.solve((x * (w * v)[:, None]).T @ x, x.T @ (w * (y - mu)))
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            mu = 1 / (1 + np.exp(-(x @ beta)))
            return beta, mu * (1 - mu)
    raise EstimationError(f"logistic regression did not converge in {max_iter} iterations")


FAMILIES: dict[str, tuple[Callable, Callable]] = {
    "gaussian": (_fit_gaussian, lambda eta: eta),
    "binomial": (_fit_logistic, lambda eta: 1 / (1 + np.exp(-eta))),
}


def svyglm(design: SurveyDesign, response: str, predictors: Sequence[str], family: str = "gaussian",
           intercept: bool = True) -> RegressionResult:
    """Fit a survey-weighted GLM with design-based (sandwich) standard errors.

    Parameters
    ----------
    design : SurveyDesign
    response : str
        Numeric response (0/1 for ``family="binomial"``).
    predictors : sequence of str
        Numeric predictor columns.
    family : {"gaussian", "binomial"}
    intercept : bool
    """
    check_choice("family", family, FAMILIES)
    fit, inverse_link = FAMILIES[family]
    data = numeric(design, [response, *predictors])
    ok = ~np.isnan(data).any(axis=1)
    y = data[ok, 0]
    x_all = np.column_stack([np.ones(design.n)] * intercept + [data[:, 1:]])
    x = x_all[ok]
    if family == "binomial" and not np.isin(y, (0.0, 1.0)).all():
        raise EstimationError(f"response {response!r} must be 0/1 for family='binomial'")
    w = design.weights[ok]
    beta, v = fit(x, y, w)
    a_inv = np.linalg.inv((x * (w * v)[:, None]).T @ x)
    z = np.zeros((design.n, x.shape[1]))
    z[ok] = (x * (y - inverse_link(x @ beta))[:, None]) @ a_inv
    terms = ["(Intercept)"] * intercept + list(predictors)
    return RegressionResult(terms, beta, vcov(design, z), float(design.df + 1 - len(terms)), family, int(ok.sum()))
