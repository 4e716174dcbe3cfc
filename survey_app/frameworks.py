"""Load an index framework file (``questionnaires/frameworks/*.yaml``) into the database.

The file format is documented in ``questionnaires/README.md``. Before anything is stored the
loader checks that the points add up (fields to the level's maximum, criteria to their field,
scored sub-criteria to their criterion), that every survey-scored leaf names an indicator the
analysis produces (:data:`survey_app.index.conversion.INDICATORS`) on a factor or criterion the
file defines, and that steps and caps fit their maxima. Refusals are in the user's language and
name the node. Versions of one code are kept side by side; a version is never replaced.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.index.conversion import CONVERSIONS, INDICATORS
from survey_app.models import Framework, FrameworkNode, NodeKind, ScoringMethod
from survey_app.refusals import MessageRefused

CHILD_KEYS = {NodeKind.FIELD: ("criteria", NodeKind.CRITERION),
              NodeKind.CRITERION: ("sub_criteria", NodeKind.SUB_CRITERION)}
EXTRA = (ScoringMethod.BONUS, ScoringMethod.PENALTY)


class FrameworkError(MessageRefused):
    """A framework file that cannot be loaded; the message names the place."""


def _name(item: dict, where: str) -> tuple[str, str]:
    name = item.get("name")
    if not isinstance(name, dict) or not name.get("vi"):
        raise FrameworkError(_("%(where)s: a name with a Vietnamese text (name: {vi: ..., en: ...}) is required",
                               where=where))
    return name["vi"], name.get("en", "")


def _decimal(value, where: str, key: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ArithmeticError):
        raise FrameworkError(_("%(where)s: %(key)s is missing or not a number", where=where, key=key)) from None


def _points(item: dict, where: str) -> Decimal:
    value = _decimal(item.get("max_points"), where, "max_points")
    if value < 0:
        raise FrameworkError(_("%(where)s: max_points must not be negative", where=where))
    return value


def _check_survey(survey: dict, max_points: Decimal, where: str, settings: dict) -> None:
    """The indicator is one the analysis produces, on a factor, criterion or item that exists."""
    if survey.get("indicator") not in INDICATORS:
        raise FrameworkError(_("%(where)s: the indicator %(name)s is not one the analysis produces (%(known)s)",
                               where=where, name=survey.get("indicator"), known=", ".join(INDICATORS)))
    keys = [k for k in ("factor", "criterion", "item") if survey.get(k)]
    if len(keys) != 1:
        raise FrameworkError(_("%(where)s: a survey block needs exactly one of factor, criterion, item", where=where))
    factors = (settings.get("satisfaction") or {}).get("factors") or {}
    criteria = {c for f in factors.values() for c in f.get("criteria") or []}
    if survey.get("factor") and survey["factor"] not in factors:
        raise FrameworkError(_("%(where)s: no factor %(name)s under satisfaction: factors:",
                               where=where, name=survey["factor"]))
    if survey.get("criterion") and survey["criterion"] not in criteria:
        raise FrameworkError(_("%(where)s: no criterion %(name)s in the satisfaction factors",
                               where=where, name=survey["criterion"]))
    if survey.get("conversion", "proportional") not in CONVERSIONS:
        raise FrameworkError(_("%(where)s: unknown conversion %(name)s (%(known)s)", where=where,
                               name=survey.get("conversion"), known=", ".join(CONVERSIONS)))
    for row in survey.get("thresholds") or []:
        if _decimal(row.get("points"), where, "thresholds.points") > max_points:
            raise FrameworkError(_("%(where)s: a threshold gives more points than max_points", where=where))


def _check_step(step: Decimal, max_points: Decimal, where: str) -> None:
    """Scores move by ``step``: the maximum (the cap of a bonus or penalty) must be reachable."""
    if step <= 0 or step > max_points and max_points > 0:
        raise FrameworkError(_("%(where)s: step %(step)s does not fit max_points %(max)s",
                               where=where, step=step, max=max_points))
    if max_points % step != 0:
        raise FrameworkError(_("%(where)s: max_points %(max)s is not a multiple of the step %(step)s",
                               where=where, step=step, max=max_points))


def _leaf_fields(item: dict, max_points: Decimal, where: str, settings: dict) -> dict:
    try:
        method = ScoringMethod(item.get("method", "self_assessed"))
    except ValueError:
        raise FrameworkError(_("%(where)s: unknown method %(name)r", where=where, name=item.get("method"))) from None
    if method is ScoringMethod.SURVEY:
        if not isinstance(item.get("survey"), dict):
            raise FrameworkError(_("%(where)s: a survey sub-criterion needs a survey: block", where=where))
        _check_survey(item["survey"], max_points, where, settings)
    step = item.get("step")
    if method is not ScoringMethod.SURVEY:
        _check_step(_decimal(step if step is not None else settings.get("default_step", "0.25"), where, "step"),
                    max_points, where)
    guidance = item.get("guidance")
    return {"method": method, "survey": item.get("survey"),
            "step": Decimal(str(step)) if step is not None else None,
            "guidance": guidance.get("vi") if isinstance(guidance, dict) else guidance}


def _check_sum(parent_points: Decimal, children: list[FrameworkNode], where: str) -> None:
    scored = sum((c.max_points for c in children if c.method not in EXTRA), Decimal(0))
    if scored != parent_points:
        raise FrameworkError(_("%(where)s: parts add up to %(sum)s, not %(max)s",
                               where=where, sum=scored, max=parent_points))


def _build(item: dict, kind: NodeKind, level: str, where: str, counter: list[int],
           settings: dict) -> FrameworkNode:
    code = str(item.get("code", "")).strip()
    if not code:
        raise FrameworkError(_("%(where)s: code is missing", where=where))
    where = f"{where} {code}"
    name_vi, name_en = _name(item, where)
    counter[0] += 1
    node = FrameworkNode(level=level, kind=kind, code=code, name_vi=name_vi, name_en=name_en,
                         max_points=_points(item, where), position=counter[0],
                         province_choice=bool(item.get("province_choice", False)))
    if kind is NodeKind.SUB_CRITERION:
        for key, value in _leaf_fields(item, node.max_points, where, settings).items():
            setattr(node, key, value)
        return node
    key, child_kind = CHILD_KEYS[kind]
    children = [_build(c, child_kind, level, where, counter, settings) for c in item.get(key) or []]
    if not children:
        raise FrameworkError(_("%(where)s: no %(key)s", where=where, key=key))
    _check_sum(node.max_points, children, where)
    node.children = children
    return node


def _flatten(nodes: list[FrameworkNode]) -> list[FrameworkNode]:
    out = []
    for node in nodes:
        out.append(node)
        out.extend(_flatten(node.children))
    return out


def build_nodes(document: dict) -> list[FrameworkNode]:
    """Every node of every level, checked; raises :class:`FrameworkError`."""
    levels = document.get("levels")
    if not isinstance(levels, dict) or not levels:
        raise FrameworkError(_("the file has no levels:"))
    nodes, counter = [], [0]
    for level, spec in levels.items():
        where = _("level %(level)s", level=level)
        fields = [_build(f, NodeKind.FIELD, level, _("%(level)s, field", level=where), counter, document)
                  for f in spec.get("fields") or []]
        _check_sum(_points(spec, where), fields, where)
        codes = [n.code for n in _flatten(fields)]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise FrameworkError(_("%(where)s: duplicate codes %(codes)s", where=where, codes=", ".join(duplicates)))
        nodes.extend(_flatten(fields))
    return nodes


def parse_framework(filename: str, source: bytes) -> tuple[dict, list[FrameworkNode]]:
    """The document and its checked nodes, nothing stored; raises :class:`FrameworkError`."""
    try:
        document = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise FrameworkError(_("%(file)s: not valid YAML (%(error)s)", file=filename, error=exc)) from None
    if not isinstance(document, dict) or not document.get("code") or not document.get("version"):
        raise FrameworkError(_("%(file)s: code and version are required at the top", file=filename))
    return document, build_nodes(document)


def load_framework_source(filename: str, source: bytes) -> Framework:
    """Check and store one framework version; the same file again returns the stored version,
    another file under a stored code and version is refused (a version is never replaced)."""
    document, nodes = parse_framework(filename, source)
    checksum = hashlib.sha256(source).hexdigest()
    existing = db.session.scalar(select(Framework).where(
        Framework.code == document["code"], Framework.version == str(document["version"])))
    if existing is not None:
        if existing.checksum != checksum:
            raise FrameworkError(_("%(code)s version %(version)s is already loaded from another file: "
                                   "give the new file a new version", code=existing.code, version=existing.version))
        return existing
    settings = {k: v for k, v in document.items() if k != "levels"}
    settings["levels"] = {k: {kk: vv for kk, vv in v.items() if kk != "fields"}
                          for k, v in document["levels"].items()}
    title = document.get("title", {})
    framework = Framework(code=document["code"], version=str(document["version"]),
                          title=title.get("vi", document["code"]) if isinstance(title, dict) else str(title),
                          source_filename=filename, source=source, checksum=checksum, settings=settings)
    framework.nodes = nodes
    db.session.add(framework)
    return framework


def load_framework(path: str | Path) -> Framework:
    """Parse, check and store a framework file (see :func:`load_framework_source`)."""
    path = Path(path)
    return load_framework_source(path.name, path.read_bytes())
