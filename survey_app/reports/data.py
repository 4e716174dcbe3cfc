"""What the report says about a campaign, gathered once: sample, weighting, estimates, units.

Every figure comes from stored rows: the campaign's sampling plan, its sample cases and their
statuses (*trạng thái phiếu*), the analysis run (*lần phân tích*) that counts with its estimates
(the publication's when the campaign is published: :mod:`survey_app.results.official`), and the
appraisal state it rests on. Nothing is estimated here except the level averages
(:mod:`survey_app.reports.stats`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from survey_app import queries
from survey_app.extensions import db
from survey_app.models import AnalysisRun, Campaign, CampaignUnit, CaseStatus, SampleCase, SampleList
from survey_app.reports.indexing import attach_index
from survey_app.reports.profiles import unit_profile
from survey_app.reports.stats import mean_of_units
from survey_app.results import official
from survey_app.results.runs import run_estimates
from survey_app.survey_analysis.exclusions import interview_counts

PCT = "pct_satisfied"
RESPONDED = (CaseStatus.COMPLETED,)
FINAL = (CaseStatus.COMPLETED, CaseStatus.REFUSED, CaseStatus.NO_CONTACT)


@dataclass
class Factor:
    """A SIPAS factor (*yếu tố*) and its criteria (*tiêu chí*) as ``(variable, label)`` pairs."""

    code: str
    name: str
    criteria: list[tuple[str, str]]


@dataclass
class Report:
    campaign: Campaign
    locale: str
    run: AnalysisRun | None
    sample: list[dict]
    factors: list[Factor]
    units: list[CampaignUnit]
    all_units: list[CampaignUnit]
    levels: list[tuple[str, str]]
    estimates: dict = field(default_factory=dict)
    averages: dict = field(default_factory=dict)
    profiles: list[dict] = field(default_factory=list)
    charts: dict = field(default_factory=dict)
    index: object | None = None
    publication: object | None = None
    appraisal: dict = field(default_factory=dict)
    class_labels: dict = field(default_factory=dict)

    def estimate(self, unit_code: str, variable: str):
        return self.estimates.get((unit_code, variable))

    @property
    def sample_totals(self) -> dict:
        keys = ("target", "cases", "completed", "refused", "no_contact", "pending")
        totals = {k: sum(r[k] or 0 for r in self.sample) for k in keys}
        final = totals["completed"] + totals["refused"] + totals["no_contact"]
        totals["response_rate"] = 100 * totals["completed"] / final if final else None
        return totals


def question_labels(campaign: Campaign, form_id: str, locale: str) -> dict[str, str]:
    """Question name → label in ``locale`` (the default language when it has none)."""
    from survey_app.exports.codebook import label_in
    for link in campaign.questionnaires:
        version = link.questionnaire_version
        if version.questionnaire.form_id == form_id:
            return {q["name"]: label_in(q.get("labels"), locale) for q in version.definition["questions"]}
    return {}


def factors(campaign: Campaign, locale: str) -> list[Factor]:
    """The framework's SIPAS factors with their criteria, labelled from the questionnaire; none for a
    framework without survey (its index is the appraised points alone)."""
    settings = (campaign.framework.settings or {}).get("satisfaction")
    if not settings:
        return []
    labels = question_labels(campaign, settings["questionnaire"], locale)
    return [Factor(code, spec["name"].get(locale) or spec["name"]["vi"],
                   [(f"sat_{c}", labels.get(f"sat_{c}") or c) for c in spec["criteria"]])
            for code, spec in settings["factors"].items()]


def sample_rows(campaign: Campaign, units: list[CampaignUnit]) -> list[dict]:
    """Per unit: target, cases by status, and the response rate completed / final outcomes."""
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(SampleCase.unit_id, SampleCase.status, func.count()).join(SampleList)
        .where(SampleList.campaign_id == campaign.id).group_by(SampleCase.unit_id, SampleCase.status))
    for unit_id, status, count in rows:
        counts.setdefault(unit_id, {})[status.value] = count
    submitted = interview_counts(campaign).counted
    from survey_app.invitations.modes import mode_counts
    modes = mode_counts(campaign)
    out = []
    for cu in units:
        c = counts.get(cu.unit_id, {})
        final = sum(c.get(s.value, 0) for s in FINAL)
        out.append({"unit": cu.unit, "level": cu.framework_level, "target": cu.target_sample,
                    "cases": sum(c.values()), "completed": c.get("completed", 0),
                    "refused": c.get("refused", 0), "no_contact": c.get("no_contact", 0),
                    "pending": c.get("pending", 0), "submissions": submitted.get(cu.unit_id, 0),
                    "response_rate": 100 * c.get("completed", 0) / final if final else None,
                    "modes": modes.get(cu.unit_id)})
    return out


def _estimates(run: AnalysisRun | None) -> dict:
    return {(code, variable): e for (code, _, variable), e in run_estimates(run, PCT).items()}


def _averages(report: Report) -> dict:
    """``{level: {variable: Estimate}}`` over every unit of the level (the whole campaign)."""
    variables = ["overall"] + [f.code for f in report.factors] + \
        [v for f in report.factors for v, _ in f.criteria]
    by_level: dict = {}
    for level, _ in report.levels:
        codes = [cu.unit.code for cu in report.all_units if cu.framework_level == level]
        by_level[level] = {v: mean_of_units([report.estimates[(c, v)] for c in codes
                                             if (c, v) in report.estimates]) for v in variables}
    return by_level


def appraisal_shown(campaign: Campaign, publication) -> dict:
    """The appraisal state the report rests on: the last round, its status, and whether final."""
    if publication is not None:
        rounds = publication.appraisal.get("rounds", [])
    else:
        from survey_app.campaigns.publication import appraisal_state
        rounds = appraisal_state(campaign)["rounds"]
    last = rounds[-1] if rounds else None
    return {"round": last["number"] if last else None, "status": last["status"] if last else None,
            "final": bool(last and last["number"] >= 2 and last["status"] == "closed")}


def _levels(units: list[CampaignUnit], locale: str) -> list[tuple[str, str]]:
    """The campaign's unit levels, highest first (departments, districts, communes)."""
    seen: dict[str, tuple[int, str]] = {}
    for cu in units:
        seen.setdefault(cu.framework_level, (cu.unit.level.rank, cu.unit.level.name(locale)))
    return [(code, name) for code, (_, name) in sorted(seen.items(), key=lambda item: item[1][0])]


def build_report(campaign: Campaign, locale: str, unit_code: str | None = None) -> Report:
    """Everything the templates show, units in level order (departments, districts, communes);
    ``unit_code`` keeps one unit's rows and profile only."""
    every = sorted(queries.campaign_units(campaign), key=lambda cu: (cu.unit.level.rank, cu.unit.code))
    units = [cu for cu in every if unit_code is None or cu.unit.code == unit_code]
    if not units:
        raise LookupError(f"no unit {unit_code} is assessed in {campaign.code}")
    publication = official.current_publication(campaign)
    run = official.counted_run(campaign)
    report = Report(campaign=campaign, locale=locale, run=run, sample=sample_rows(campaign, units),
                    factors=factors(campaign, locale), units=units, all_units=every,
                    levels=_levels(every, locale), estimates=_estimates(run), publication=publication,
                    appraisal=appraisal_shown(campaign, publication))
    report.averages = _averages(report)
    report.profiles = [unit_profile(report, cu) for cu in units]
    attach_index(report)
    return report
