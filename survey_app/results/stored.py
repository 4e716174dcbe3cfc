"""The draft index stored once and read many times (:class:`~survey_app.models.StoredIndex`).

Computing a campaign's index (:func:`survey_app.index.build.compute_campaign`) reads every score
and estimate and simulates 2,000 draws per level for the rank intervals. Its figures depend only
on its inputs, so they are stored under a **fingerprint** of those inputs — the latest analysis
run, every self-assessed and appraised score, the campaign's units (code, name, level), the
framework (its file's checksum), whether the campaign holds a survey, the locale of the names,
the draws, the seed and :data:`RULES` — and read back whenever the fingerprint is the same.

* ``flask --app wsgi analyse`` stores the new run's figures (:func:`store`);
* an appraisal or council decision changes a score, hence the fingerprint: the next reader
  computes the figures once and stores them (:func:`draft_index`), so no page shows a stale index;
* a publication freezes its own copy (:mod:`survey_app.results.frozen`) that later runs never move.

Figures are kept at full precision (JSON text: Python's float repr round-trips exactly), so a
stored index equals a fresh computation field by field, the seeded simulation included.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.index.build import CampaignIndex, compute_campaign
from survey_app.index.conversion import Indicator
from survey_app.index.model import LeafInput, UnitIndex
from survey_app.index.ranking import DRAWS, SEED
from survey_app.models import (AdminUnit, AnalysisRun, Campaign, CampaignQuestionnaire, CampaignUnit,
                               Score, SelfAssessment, StoredIndex)
from survey_app.models.stored_index import holds_unsaved_work

LEAF_KEYS = [f.name for f in fields(LeafInput)]
INDICATOR_KEYS = [f.name for f in fields(Indicator)]
#: Bump when the index's rules or the stored shape change: every stored figure is then recomputed
#: (a change of :class:`LeafInput`'s or :class:`Indicator`'s fields does so by itself).
RULES = "index-rules-3"


def fingerprint(campaign: Campaign, locale: str = "vi", draws: int = DRAWS,
                seed: int = SEED) -> tuple[str, int | None]:
    """(SHA-256 of everything the index is computed from, the latest run's id); a few narrow
    queries, no ORM object per score."""
    run_id = db.session.scalar(select(AnalysisRun.id).where(AnalysisRun.campaign_id == campaign.id)
                               .order_by(AnalysisRun.number.desc()).limit(1))
    surveys = db.session.scalar(select(func.count()).select_from(CampaignQuestionnaire)
                                .where(CampaignQuestionnaire.campaign_id == campaign.id))
    framework = campaign.framework
    units = db.session.execute(
        select(CampaignUnit.unit_id, CampaignUnit.framework_level, AdminUnit.code, AdminUnit.name)
        .join(AdminUnit, AdminUnit.id == CampaignUnit.unit_id)
        .where(CampaignUnit.campaign_id == campaign.id).order_by(CampaignUnit.unit_id)).all()
    scores = db.session.execute(
        select(SelfAssessment.unit_id, Score.node_id, Score.self_points, Score.appraised_points)
        .join(SelfAssessment, SelfAssessment.id == Score.assessment_id)
        .where(SelfAssessment.campaign_id == campaign.id)
        .order_by(SelfAssessment.unit_id, Score.node_id)).all()
    digest = hashlib.sha256(repr((RULES, LEAF_KEYS, INDICATOR_KEYS, campaign.id, run_id, bool(surveys),
                                  framework.id, framework.checksum, locale, draws, seed)).encode())
    digest.update(repr([tuple(row) for row in units]).encode())
    digest.update(repr([tuple(row) for row in scores]).encode())  # points as the backend's Decimals
    return digest.hexdigest(), run_id


def figures_json(index: CampaignIndex) -> str:
    """Every unit's figures, sub-criteria and simulation settings as JSON text, full precision.

    Compact: each unit's sub-criteria are rows of values in the order of ``leaf_keys`` (the
    fields of :class:`LeafInput`), their name and survey block kept once per level and code in
    ``nodes``; an indicator is a row in the order of ``indicator_keys``."""
    nodes: dict[str, dict] = {}
    units = []
    for unit in index.units:
        row = asdict(unit)
        same = nodes.setdefault(unit.level, {})
        leaves = []
        for leaf in row.pop("leaves"):
            same.setdefault(leaf["code"], [leaf["name"], leaf["survey"]])
            found = leaf["indicator"]
            leaf.update(name=None, survey=None, indicator=None if found is None else list(found.values()))
            leaves.append([leaf[key] for key in LEAF_KEYS])
        units.append({**row, "leaves": leaves})
    return json.dumps({"units": units, "nodes": nodes, "leaf_keys": LEAF_KEYS,
                       "indicator_keys": INDICATOR_KEYS, "classes": index.classes, "levels": index.levels,
                       "has_survey": index.has_survey, "draws": index.draws, "seed": index.seed},
                      ensure_ascii=False)


def _leaf(values: list, nodes: dict) -> LeafInput:
    leaf = LeafInput(*values)
    leaf.name, leaf.survey = nodes[leaf.code]
    if leaf.indicator is not None:
        leaf.indicator = Indicator(*leaf.indicator)
    return leaf


def _unit(row: dict, nodes: dict) -> UnitIndex:
    leaves = [_leaf(values, nodes) for values in row.pop("leaves")]
    field_rows = [tuple(f) for f in row.pop("fields")]
    grade_range = row.pop("grade_range")
    return UnitIndex(**row, leaves=leaves, fields=field_rows,
                     grade_range=None if grade_range is None else tuple(grade_range))


def index_of(stored: StoredIndex, campaign: Campaign) -> CampaignIndex:
    """The :class:`CampaignIndex` of a stored row, exactly as it was computed."""
    doc = json.loads(stored.figures)  # of the shape LEAF_KEYS and INDICATOR_KEYS (in the fingerprint)
    units = [_unit(row, doc["nodes"][row["level"]]) for row in doc["units"]]
    run = db.session.get(AnalysisRun, stored.run_id) if stored.run_id is not None else None
    return CampaignIndex(campaign=campaign, units=units, run=run, classes=doc["classes"],
                         levels=doc["levels"], has_survey=doc["has_survey"], draws=doc["draws"],
                         seed=doc["seed"], by_code={u.code: u for u in units})


def draft_index(campaign: Campaign, locale: str = "vi", draws: int = DRAWS,
                seed: int = SEED) -> CampaignIndex:
    """The campaign's draft index: the stored figures for the current inputs, else computed now
    and stored (when the session holds no unsaved work of the caller's)."""
    digest, run_id = fingerprint(campaign, locale, draws, seed)
    stored = db.session.scalar(select(StoredIndex).where(StoredIndex.campaign_id == campaign.id,
                                                         StoredIndex.fingerprint == digest))
    if stored is not None:
        return index_of(stored, campaign)
    index = compute_campaign(campaign, draws=draws, seed=seed, locale=locale)
    _keep(campaign, index, digest, run_id, locale)
    return index


def store(campaign: Campaign, locale: str = "vi", draws: int = DRAWS, seed: int = SEED) -> CampaignIndex:
    """Compute (or find) and store the campaign's draft index: after an analysis run."""
    return draft_index(campaign, locale, draws, seed)


def _keep(campaign: Campaign, index: CampaignIndex, digest: str, run_id: int | None, locale: str) -> None:
    """Store the figures and drop the campaign's older ones for the same locale, draws and seed.

    Skipped while the caller has unsaved or uncommitted changes (committing here would commit
    them too); a concurrent reader that stored the same figures first wins."""
    session = db.session()
    if holds_unsaved_work(session):
        return
    session.execute(delete(StoredIndex).where(
        StoredIndex.campaign_id == campaign.id, StoredIndex.locale == locale,
        StoredIndex.draws == index.draws, StoredIndex.seed == index.seed))
    session.add(StoredIndex(campaign_id=campaign.id, run_id=run_id, fingerprint=digest, locale=locale,
                            draws=index.draws, seed=index.seed, figures=figures_json(index)))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
