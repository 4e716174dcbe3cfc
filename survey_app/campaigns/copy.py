"""Copy last year's campaign (*sao chép đợt đánh giá năm trước*): ``flask --app wsgi campaign copy``.

The new campaign starts in draft. Its units are the source's units carried through the recorded
successions (:class:`~survey_app.models.UnitSuccession`) to the units valid in the new year: a
merged commune's predecessors give the one new commune once; a unit without a successor that is
still valid stays; a unit whose level the chosen framework does not score (the district level in
a two-tier framework) is dropped. The framework is chosen again (default: the source's),
questionnaires are carried over and every deadline (each appraisal round's too) moves by the
difference in years.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import click
from sqlalchemy import select

from survey_app.campaigns.cli import campaign_cli
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.refusals import MessageRefused
from survey_app.models import (AdminUnit, Campaign, CampaignQuestionnaire, CampaignStatus, CampaignUnit,
                               Framework, RoundDeadline, UnitSuccession)

DEADLINES = ("fieldwork_start", "fieldwork_end", "self_assessment_deadline", "appraisal_deadline")


class CopyRefused(MessageRefused):
    """The copy cannot be made; the message says why, in the user's language."""


@dataclass
class CopyResult:
    campaign: Campaign
    dropped: list[AdminUnit] = field(default_factory=list)


def successors_in(unit: AdminUnit, year: int, seen: frozenset = frozenset()) -> list[AdminUnit]:
    """The units ``unit`` became by ``year``, following successions; itself if none is recorded."""
    links = db.session.scalars(select(UnitSuccession).where(UnitSuccession.predecessor_id == unit.id,
                                                            UnitSuccession.year <= year))
    found: list[AdminUnit] = []
    for link in links:
        if link.successor.id in seen:
            continue
        for successor in ([link.successor] if link.successor.valid_in(year)
                          else successors_in(link.successor, year, seen | {unit.id})):
            if successor not in found:
                found.append(successor)
    if found:
        return found
    return [unit] if unit.valid_in(year) else []


def _shift(value: date | None, years: int) -> date | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _framework(spec: str | None, source: Campaign) -> Framework:
    if not spec:
        return source.framework
    code, _sep, version = spec.partition(":")
    found = db.session.scalar(select(Framework).where(Framework.code == code, Framework.version == version))
    if found is None:
        raise CopyRefused(_("No framework %(code)s version %(version)s: write CODE:VERSION of a loaded framework.",
                            code=code, version=version or "?"))
    return found


def _province(source: Campaign, year: int) -> AdminUnit:
    found = successors_in(source.province, year)
    if len(found) != 1:
        raise CopyRefused(_("The province %(name)s has no single successor in %(year)s.",
                            name=source.province.name, year=year))
    return found[0]


def _units(source: Campaign, year: int, levels: set[str]) -> tuple[list[CampaignUnit], list[AdminUnit]]:
    units, dropped, seen = [], [], set()
    targets = {cu.framework_level: cu.target_sample for cu in source.units}
    for cu in source.units:
        carried = [u for u in successors_in(cu.unit, year) if u.level.code in levels]
        if not carried:
            dropped.append(cu.unit)
        for unit in carried:
            if unit.id not in seen:
                seen.add(unit.id)
                units.append(CampaignUnit(unit=unit, framework_level=unit.level.code,
                                          target_sample=targets.get(unit.level.code)))
    return units, dropped


def build_copy(source_code: str, code: str, year: int, framework: str | None = None,
               title: str | None = None) -> CopyResult:
    """The new draft campaign, added to the session, not committed; raises :class:`CopyRefused`."""
    source = db.session.scalar(select(Campaign).where(Campaign.code == source_code))
    if source is None:
        raise CopyRefused(_("No campaign %(code)s.", code=source_code))
    if db.session.scalar(select(Campaign.id).where(Campaign.code == code)) is not None:
        raise CopyRefused(_("The code %(code)s is already used by another campaign.", code=code))
    if year <= source.year:
        raise CopyRefused(_("The new year must come after %(year)s.", year=source.year))
    chosen = _framework(framework, source)
    units, dropped = _units(source, year, set((chosen.settings.get("levels") or {}).keys()))
    if not units:
        raise CopyRefused(_("No unit of %(code)s has a successor that the framework scores in %(year)s.",
                            code=source_code, year=year))
    years = year - source.year
    campaign = Campaign(code=code, year=year, title=title or source.title.replace(str(source.year), str(year)),
                        province=_province(source, year), framework=chosen, status=CampaignStatus.DRAFT,
                        sampling_plan=dict(source.sampling_plan or {}), open_link=source.open_link,
                        helpline=source.helpline, units=units,
                        questionnaires=[CampaignQuestionnaire(questionnaire_version=q.questionnaire_version,
                                                              audience=q.audience) for q in source.questionnaires],
                        **{name: _shift(getattr(source, name), years) for name in DEADLINES})
    db.session.add(campaign)
    db.session.flush()
    db.session.add_all(RoundDeadline(campaign_id=campaign.id, number=row.number, due=_shift(row.due, years))
                       for row in db.session.scalars(select(RoundDeadline).where(RoundDeadline.campaign_id == source.id)))
    return CopyResult(campaign, dropped)


def copy_campaign(source_code: str, code: str, year: int, framework: str | None = None,
                  title: str | None = None) -> CopyResult:
    """Make and commit the new draft campaign, or raise :class:`CopyRefused` (nothing stored)."""
    result = build_copy(source_code, code, year, framework, title)
    db.session.commit()
    return result


@campaign_cli.command("copy")
@click.argument("source")
@click.option("--code", required=True, help="Code of the new campaign.")
@click.option("--year", required=True, type=int, help="Year of the new campaign.")
@click.option("--framework", help="CODE:VERSION of the framework (default: the source's).")
@click.option("--title", help="Title (default: the source's with the new year).")
def campaign_copy(source, code, year, framework, title):
    """Copy campaign SOURCE to a new draft campaign of YEAR, units carried through successions."""
    try:
        result = copy_campaign(source, code, year, framework, title)
    except CopyRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    campaign = result.campaign
    click.echo(_("Campaign %(code)s (%(year)s, draft): %(units)s units, framework %(framework)s %(version)s.",
                 code=campaign.code, year=campaign.year, units=len(campaign.units),
                 framework=campaign.framework.code, version=campaign.framework.version))
    if result.dropped:
        click.echo(_("Not carried over (no successor the framework scores): %(units)s",
                     units=", ".join(f"{u.code} {u.name}" for u in result.dropped)))
