"""Which analysis run counts for a campaign, and the estimates (*ước lượng*) it stored.

The draft is always the latest run (the highest number); a publication names its own run
(:mod:`survey_app.results.official`). Estimates keep their standard error and interval.
"""
from __future__ import annotations

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AnalysisEstimate, AnalysisRun, Campaign

OVERALL = ("pct_satisfied", "overall")


def latest_run(campaign: Campaign) -> AnalysisRun | None:
    """The campaign's newest stored run (``flask --app wsgi analyse``), or None."""
    return db.session.scalar(select(AnalysisRun).where(AnalysisRun.campaign_id == campaign.id)
                             .order_by(AnalysisRun.number.desc()).limit(1))


def run_estimates(run: AnalysisRun | None, statistic: str | None = None,
                  units_only: bool = True) -> dict[tuple[str, str, str], AnalysisEstimate]:
    """``(unit code, statistic, variable)`` → the stored estimate of ``run``."""
    if run is None:
        return {}
    query = select(AnalysisEstimate).where(AnalysisEstimate.run_id == run.id).order_by(AnalysisEstimate.id)
    if units_only:
        query = query.where(AnalysisEstimate.unit_code.is_not(None))
    if statistic is not None:
        query = query.where(AnalysisEstimate.statistic == statistic)
    return {(e.unit_code, e.statistic, e.variable): e for e in db.session.scalars(query)}


def estimate(run: AnalysisRun | None, unit_code: str, statistic: str,
             variable: str) -> AnalysisEstimate | None:
    """One unit's estimate of one indicator (with ``se``, ``ci_low``, ``ci_high``), or None."""
    if run is None:
        return None
    return db.session.scalar(select(AnalysisEstimate).where(
        AnalysisEstimate.run_id == run.id, AnalysisEstimate.unit_code == unit_code,
        AnalysisEstimate.statistic == statistic, AnalysisEstimate.variable == variable))


def overall_satisfaction(run: AnalysisRun | None) -> dict[str, float]:
    """Unit code → overall % satisfied (0-100) of ``run``."""
    statistic, variable = OVERALL
    return {code: 100 * e.estimate for (code, _, var), e in run_estimates(run, statistic).items()
            if var == variable}
