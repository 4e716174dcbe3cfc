"""``flask --app wsgi analyse CAMPAIGN``: score satisfaction per unit and store a numbered run."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version

import pandas as pd
from sqlalchemy import func, select
from flask_babel import gettext as _

from analysis import SurveyDesign, satisfaction_scores
from analysis.estimators import factorize_labels
from analysis.intervals import interval
from survey_app.extensions import db
from survey_app.models import AnalysisEstimate, AnalysisRun, Campaign
from survey_app.survey_analysis.staff import DESIGN as STAFF_DESIGN
from survey_app.survey_analysis.staff import framework_questionnaires, staff_design, staff_table
from survey_app.survey_analysis.table import build_table
from survey_app.survey_analysis.weights import weighted_design


def software_version() -> str:
    try:
        return f"parindex {version('parindex')}"
    except PackageNotFoundError:
        return "parindex (not installed)"


def scoring_rule(campaign: Campaign) -> dict:
    """The SIPAS rule from the campaign's framework file, in the analysis engine's terms."""
    settings = (campaign.framework.settings or {}).get("satisfaction")
    if not settings:
        raise ValueError(_("The framework %(code)s scores no survey: there is nothing to analyse.",
                           code=campaign.framework.code))
    factors = {code: [f"sat_{c}" for c in spec["criteria"]]
               for code, spec in settings["factors"].items()}
    return {"questionnaire": settings["questionnaire"], "factors": factors,
            "aggregation": settings.get("aggregation", "mean_of_criteria"),
            "missing_codes": [float(c) for c in settings.get("missing_codes", [9])]}


def domain_df(data) -> dict[str, float]:
    """Each unit's own degrees of freedom: its PSUs minus its strata, at least 1.

    Every assessed unit is a stratum with a handful of villages, so the design's df (hundreds)
    would overstate what one unit's variance estimate rests on; Korn & Graubard (1999, §5.2)
    use the domain's PSUs minus strata, R's ``degf(subset(design, unit))``
    (:meth:`analysis.SurveyDesign.domain_df`).
    """
    design = SurveyDesign(data.assign(_one=1.0), weights="_one", strata="stratum", clusters="psu",
                          lonely_psu="certainty")
    codes, units = factorize_labels(data["unit_code"])
    return {u: float(max(df, 1.0)) for u, df in zip(units, design.domain_df(codes, len(units)))}


def with_domain_intervals(frame, dfs: dict[str, float]):
    """Intervals on each unit's df: logit for shares (Stata ``svy: proportion``), Wald for means."""
    frame = frame.copy()
    frame["df"] = [dfs.get(str(d), df) for d, df in zip(frame["domain"], frame["df"])]
    for statistic, method in (("pct_satisfied", "logit"), ("mean_score", "wald")):
        rows = frame["statistic"] == statistic
        low, high = interval(method, frame.loc[rows, "estimate"].to_numpy(float),
                             frame.loc[rows, "se"].to_numpy(float), frame.loc[rows, "df"].to_numpy(float))
        frame.loc[rows, "ci_low"], frame.loc[rows, "ci_high"] = low, high
    return frame


def framework_items(campaign: Campaign, questionnaire: str, criteria: set[str]) -> list[str]:
    """Single questions the framework scores (``item:``) beyond the SIPAS criteria, e.g. ``sat_overall``."""
    items = {(node.survey or {}).get("item") for node in campaign.framework.nodes
             if node.survey and node.survey.get("questionnaire") == questionnaire}
    return sorted(i for i in items if i and i not in criteria)


def item_scores(design, items: list[str], missing_codes, data):
    """% satisfied and mean score of single 5-point items, by unit, on the same design."""
    present = [i for i in items if i in data.columns]
    if not present:
        return None
    results = satisfaction_scores(design, {"factors": {"items": present}, "aggregation": "mean_of_criteria"},
                                  by="unit_code", missing_codes=missing_codes).to_frame()
    return results[results["variable"].isin(present)]


def other_questionnaires(campaign: Campaign, rule: dict) -> tuple[list, dict[str, int]]:
    """Item scores of the other questionnaires the framework uses (the staff survey), by unit."""
    names = sorted(framework_questionnaires(campaign) - {rule["questionnaire"]})
    found, exclusions = [], {}
    for name in names:
        items = framework_items(campaign, name, set())
        data, excluded = staff_table(campaign, name, only=items)
        exclusions.update(excluded)
        if data.empty or not items:
            continue
        scored = item_scores(staff_design(data), items, rule["missing_codes"], data)
        if scored is not None:
            found.append((name, scored))
    return found, exclusions


def _estimates(run_id: int, frame) -> list[dict]:
    """The run's estimates as rows of one bulk insert."""
    return [dict(run_id=run_id, unit_code=None if row.domain is None else str(row.domain),
                 statistic=row.statistic, variable=row.variable,
                 estimate=float(row.estimate), se=float(row.se),
                 ci_low=float(row.ci_low), ci_high=float(row.ci_high), df=float(row.df),
                 deff=None if row.deff != row.deff else float(row.deff), n=int(row.n))
            for row in frame.itertuples(index=False)]


def scored_criteria(rule: dict) -> set[str]:
    return {c for members in rule["factors"].values() for c in members}


def scored_table(campaign: Campaign, rule: dict):
    """The table a run reads: the kept submissions of the scored questionnaire with the
    questions the framework scores (the SIPAS criteria and single items) and the design."""
    criteria = scored_criteria(rule)
    items = framework_items(campaign, rule["questionnaire"], criteria)
    return build_table(campaign, rule["questionnaire"], only=criteria | set(items))


def analyse(campaign: Campaign, step=lambda label: None) -> AnalysisRun:
    """Build the table of the questions the framework scores, weight it, score it by unit, and
    store everything as a new run (its estimates in one bulk insert). The run's input fingerprint
    is that table's: an answer it never reads cannot change it."""
    rule = scoring_rule(campaign)
    step("table")
    table = scored_table(campaign, rule)
    if table.data.empty:
        raise ValueError("no submission can be analysed in this campaign")
    # The table's fingerprint (Arrow's sort, Polars' CSV, SHA-256: work that leaves Python's
    # lock) is made on the other core while the weights and the scores are computed; nothing
    # writes to the table.
    with ThreadPoolExecutor(max_workers=1) as pool:
        fingerprint = pool.submit(table.fingerprint)
        step("weights")
        design, weighting = weighted_design(table.data, campaign)
        step("estimates")
        frame, others, other_exclusions = _scores(campaign, rule, design, table)
        digest = fingerprint.result()
    step("store")
    parameters = {"scoring": rule, "by": "unit_code", "level": 0.95,
                  "questionnaires": [rule["questionnaire"]] + others,
                  "designs": {rule["questionnaire"]: weighting["design"], **{name: STAFF_DESIGN for name in others}},
                  "ci": "t on each unit's df; logit for shares, Wald for mean scores"}
    number = (db.session.scalar(select(func.max(AnalysisRun.number))
                                .where(AnalysisRun.campaign_id == campaign.id)) or 0) + 1
    run = AnalysisRun(campaign_id=campaign.id, number=number, parameters=parameters,
                      software_version=software_version(), input_fingerprint=_fingerprint(digest, parameters),
                      respondents=len(table.data), exclusions={**table.exclusions, **other_exclusions},
                      weighting=weighting)
    db.session.add(run)
    db.session.flush()
    estimates = _estimates(run.id, with_domain_intervals(frame, domain_df(table.data)))
    db.session.execute(AnalysisEstimate.__table__.insert(), estimates)  # Core: no ORM bookkeeping per row
    db.session.commit()
    step("index")
    from survey_app.results.stored import store
    store(campaign)
    return run


def _scores(campaign: Campaign, rule: dict, design, table) -> tuple:
    """% satisfied and mean scores by unit of the criteria, the single items and the other
    questionnaires' items: (one frame, the other questionnaires scored, their exclusions)."""
    results = satisfaction_scores(design, {"factors": rule["factors"], "aggregation": rule["aggregation"]},
                                  by="unit_code", missing_codes=rule["missing_codes"])
    items = framework_items(campaign, rule["questionnaire"], scored_criteria(rule))
    extra = item_scores(design, items, rule["missing_codes"], table.data)
    frames = [results.to_frame()] + ([extra] if extra is not None else [])
    others, other_exclusions = other_questionnaires(campaign, rule)
    frame = pd.concat(frames + [f for _, f in others], ignore_index=True)
    return frame, [name for name, _ in others], other_exclusions


def _fingerprint(table_digest: str, parameters: dict) -> str:
    import hashlib
    joined = table_digest + json.dumps(parameters, sort_keys=True)
    return hashlib.sha256(joined.encode()).hexdigest()
