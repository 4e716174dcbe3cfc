"""Read a campaign from the database into :class:`UnitInput` rows and compute its index.

Points of a self-assessed, bonus or penalty sub-criterion are the appraised points, or the
self-assessed points (``source="self"``) while appraisal has not decided. Survey sub-criteria take
their indicator from the campaign's latest stored analysis run (``flask --app wsgi analyse``).
A run lists the questionnaires it analysed (``parameters["questionnaires"]``: the SIPAS form and
the staff form); a sub-criterion on a questionnaire the run did not analyse, or on a unit without
an estimate, gets ``no_survey_result``: no points, listed as pending, never a silent zero.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey_app.extensions import db
from survey_app.index.compute import compute_unit
from survey_app.index.conversion import Indicator, points_of, points_se, variable_name
from survey_app.index.model import LeafInput, UnitIndex, UnitInput
from survey_app.index.ranking import DRAWS, SEED, rank_all
from survey_app.models import (AnalysisRun, Campaign, CampaignUnit, FrameworkNode, Score,
                               SelfAssessment)
from survey_app.results.runs import latest_run, run_estimates


@dataclass
class CampaignIndex:
    """A campaign's index: every unit's result, the run it used and the framework's settings."""

    campaign: Campaign
    units: list[UnitIndex]
    run: AnalysisRun | None
    classes: list[dict]
    levels: list[str]
    has_survey: bool
    draws: int
    seed: int
    by_code: dict[str, UnitIndex] = field(default_factory=dict)
    publication: object | None = None  # the Publication this index was read from, if frozen

    def level(self, level: str) -> list[UnitIndex]:
        return [u for u in self.units if u.level == level]


def run_indicators(run: AnalysisRun | None) -> dict[tuple, Indicator]:
    """``(unit_code, statistic, variable)`` → the stored estimate as an :class:`Indicator`."""
    return {key: Indicator(e.statistic, e.variable, e.estimate, e.se, e.n)
            for key, e in run_estimates(run).items()}


def _field_code(node: FrameworkNode, nodes: dict[int, FrameworkNode]) -> str:
    while node.parent_id is not None:
        node = nodes[node.parent_id]
    return node.code


def survey_leaf(leaf: LeafInput, unit_code: str, run: AnalysisRun | None, found: dict) -> LeafInput:
    """Convert a survey sub-criterion's indicator, or mark it ``no_survey_result`` with why."""
    survey = leaf.survey or {}
    analysed = set(run.parameters.get("questionnaires")
                   or [run.parameters.get("scoring", {}).get("questionnaire")]) if run else set()
    if run is None:
        leaf.source, leaf.reason = "no_survey_result", "no_run"
    elif survey.get("questionnaire") not in analysed:
        leaf.source, leaf.reason = "no_survey_result", "questionnaire_not_analysed"
    else:
        indicator = found.get((unit_code, survey.get("indicator"), variable_name(survey)))
        if indicator is None:
            leaf.source, leaf.reason = "no_survey_result", "no_estimate"
        else:
            leaf.source, leaf.indicator = "survey", indicator
            leaf.points = points_of(survey, leaf.max_points, indicator.percent)
            leaf.points_se = points_se(survey, leaf.max_points, indicator)
    return leaf


def _scored_leaf(leaf: LeafInput, score: Score | None) -> LeafInput:
    if score is not None:
        leaf.self_points = None if score.self_points is None else float(score.self_points)
        if score.appraised_points is not None:
            leaf.points, leaf.source = float(score.appraised_points), "appraised"
        elif score.self_points is not None:
            leaf.points, leaf.source = float(score.self_points), "self"
    return leaf


def unit_input(cu, framework, nodes, scores, run, found, rescale_to, locale="vi") -> UnitInput:
    leaves = []
    for node in framework.leaves(cu.framework_level):
        leaf = LeafInput(code=node.code, field_code=_field_code(node, nodes), method=node.method.value,
                         max_points=float(node.max_points), name=node.name(locale), survey=node.survey)
        if node.method.value == "survey":
            leaves.append(survey_leaf(leaf, cu.unit.code, run, found))
        else:
            leaves.append(_scored_leaf(leaf, scores.get((cu.unit_id, node.id))))
    spec = framework.settings.get("levels", {}).get(cu.framework_level, {})
    fields = [(f.code, f.name(locale), float(f.max_points)) for f in framework.roots(cu.framework_level)]
    return UnitInput(code=cu.unit.code, name=cu.unit.name, level=cu.framework_level,
                     max_points=float(spec.get("max_points", 100)), leaves=leaves, fields=fields,
                     rescale_to=rescale_to)


def _scores(campaign: Campaign, unit_id: int | None = None) -> dict[tuple[int, int], Score]:
    query = select(Score).join(SelfAssessment).where(SelfAssessment.campaign_id == campaign.id)
    if unit_id is not None:
        query = query.where(SelfAssessment.unit_id == unit_id)
    rows = db.session.scalars(query.options(selectinload(Score.assessment)))
    return {(s.assessment.unit_id, s.node_id): s for s in rows}


def _setting(campaign: Campaign, run: AnalysisRun | None) -> tuple[bool, float | None]:
    """(whether the campaign holds a survey, the no-survey rescaling target or None)."""
    settings = campaign.framework.settings or {}
    has_survey = bool(campaign.questionnaires) or run is not None
    return has_survey, None if has_survey else float((settings.get("no_survey") or {}).get("rescale_to", 100))


def unit_result(campaign: Campaign, unit, locale: str = "vi") -> UnitIndex | None:
    """One unit's points now, from the latest run and the appraisal state; no rank, no interval."""
    cu = db.session.scalar(select(CampaignUnit).where(CampaignUnit.campaign_id == campaign.id,
                                                      CampaignUnit.unit_id == unit.id))
    if cu is None:
        return None
    run = latest_run(campaign)
    _, rescale_to = _setting(campaign, run)
    nodes = {n.id: n for n in campaign.framework.nodes}
    return compute_unit(unit_input(cu, campaign.framework, nodes, _scores(campaign, unit.id), run,
                                   run_indicators(run), rescale_to, locale))


def unit_results(campaign: Campaign, run: AnalysisRun | None, locale: str = "vi") -> list[UnitIndex]:
    """Every unit's points from ``run`` and the appraisal state; no rank, no interval."""
    from survey_app.queries import campaign_units
    _, rescale_to = _setting(campaign, run)
    nodes = {n.id: n for n in campaign.framework.nodes}
    scores, found = _scores(campaign), run_indicators(run)
    return [compute_unit(unit_input(cu, campaign.framework, nodes, scores, run, found, rescale_to, locale))
            for cu in campaign_units(campaign)]


def compute_campaign(campaign: Campaign, draws: int = DRAWS, seed: int = SEED,
                     locale: str = "vi") -> CampaignIndex:
    """The whole campaign's index from its latest run, ranked per level, with intervals."""
    framework = campaign.framework
    settings = framework.settings or {}
    run = latest_run(campaign)
    has_survey, rescale_to = _setting(campaign, run)
    found = run_indicators(run)
    nodes = {n.id: n for n in framework.nodes}
    scores = _scores(campaign)
    from survey_app.queries import campaign_units
    inputs = [unit_input(cu, framework, nodes, scores, run, found, rescale_to, locale)
              for cu in campaign_units(campaign)]
    classes = settings.get("classes", [])
    results = rank_all([compute_unit(u) for u in inputs], classes, draws, seed)
    levels = [lvl for lvl in settings.get("levels", {}) if any(r.level == lvl for r in results)]
    results.sort(key=lambda r: (levels.index(r.level) if r.level in levels else 99, r.rank, r.code))
    return CampaignIndex(campaign=campaign, units=results, run=run, classes=classes, levels=levels,
                         has_survey=has_survey, draws=draws, seed=seed,
                         by_code={r.code: r for r in results})
