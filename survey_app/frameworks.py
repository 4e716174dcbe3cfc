"""Load an index framework file (``questionnaires/frameworks/*.yaml``) into the database.

The file format is documented in ``questionnaires/README.md``. The loader checks that the
points add up (fields to the level's maximum, criteria to their field, scored sub-criteria
to their criterion) before anything is stored.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select

from survey_app.extensions import db
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
        raise FrameworkError(f"{where}: a name with a Vietnamese text (name: {{vi: ..., en: ...}}) is required")
    return name["vi"], name.get("en", "")


def _points(item: dict, where: str) -> Decimal:
    try:
        value = Decimal(str(item["max_points"]))
    except (KeyError, ArithmeticError):
        raise FrameworkError(f"{where}: max_points is missing or not a number") from None
    if value < 0:
        raise FrameworkError(f"{where}: max_points must not be negative")
    return value


def _leaf_fields(item: dict, where: str) -> dict:
    try:
        method = ScoringMethod(item.get("method", "self_assessed"))
    except ValueError:
        raise FrameworkError(f"{where}: unknown method {item.get('method')!r}") from None
    if method is ScoringMethod.SURVEY and not isinstance(item.get("survey"), dict):
        raise FrameworkError(f"{where}: a survey sub-criterion needs a survey: block")
    step = item.get("step")
    guidance = item.get("guidance")
    return {"method": method, "survey": item.get("survey"),
            "step": Decimal(str(step)) if step is not None else None,
            "guidance": guidance.get("vi") if isinstance(guidance, dict) else guidance}


def _check_sum(parent_points: Decimal, children: list[FrameworkNode], where: str) -> None:
    scored = sum((c.max_points for c in children if c.method not in EXTRA), Decimal(0))
    if scored != parent_points:
        raise FrameworkError(f"{where}: parts add up to {scored}, not {parent_points}")


def _build(item: dict, kind: NodeKind, level: str, where: str, counter: list[int]) -> FrameworkNode:
    code = str(item.get("code", "")).strip()
    if not code:
        raise FrameworkError(f"{where}: code is missing")
    where = f"{where} {code}"
    name_vi, name_en = _name(item, where)
    counter[0] += 1
    node = FrameworkNode(level=level, kind=kind, code=code, name_vi=name_vi, name_en=name_en,
                         max_points=_points(item, where), position=counter[0],
                         province_choice=bool(item.get("province_choice", False)))
    if kind is NodeKind.SUB_CRITERION:
        for key, value in _leaf_fields(item, where).items():
            setattr(node, key, value)
        return node
    key, child_kind = CHILD_KEYS[kind]
    children = [_build(c, child_kind, level, where, counter) for c in item.get(key) or []]
    if not children:
        raise FrameworkError(f"{where}: no {key}")
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
        raise FrameworkError("the file has no levels:")
    nodes, counter = [], [0]
    for level, spec in levels.items():
        fields = [_build(f, NodeKind.FIELD, level, f"level {level}, field", counter)
                  for f in spec.get("fields") or []]
        _check_sum(_points(spec, f"level {level}"), fields, f"level {level}")
        flat = _flatten(fields)
        codes = [n.code for n in flat]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise FrameworkError(f"level {level}: duplicate codes {', '.join(duplicates)}")
        nodes.extend(flat)
    return nodes


def load_framework(path: str | Path) -> Framework:
    """Parse, check and store a framework file; the same code + version is loaded once."""
    path = Path(path)
    source = path.read_bytes()
    try:
        document = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path.name}: not valid YAML ({exc})") from None
    if not isinstance(document, dict) or not document.get("code") or not document.get("version"):
        raise FrameworkError(f"{path.name}: code and version are required at the top")
    nodes = build_nodes(document)
    existing = db.session.scalar(select(Framework).where(
        Framework.code == document["code"], Framework.version == str(document["version"])))
    if existing is not None:
        return existing
    settings = {k: v for k, v in document.items() if k != "levels"}
    settings["levels"] = {k: {kk: vv for kk, vv in v.items() if kk != "fields"}
                          for k, v in document["levels"].items()}
    title = document.get("title", {})
    framework = Framework(code=document["code"], version=str(document["version"]),
                          title=title.get("vi", document["code"]) if isinstance(title, dict) else str(title),
                          source_filename=path.name, source=source,
                          checksum=hashlib.sha256(source).hexdigest(), settings=settings)
    framework.nodes = nodes
    db.session.add(framework)
    return framework
