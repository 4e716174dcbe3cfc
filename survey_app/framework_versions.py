"""Versions of one framework side by side and the difference between two of them
(*so sánh hai phiên bản bộ chỉ số*): nodes added, removed, moved, maxima changed.

Nodes are matched by level and code, the identity a framework file gives them. A node is
*moved* when its parent's code changed; a level present in one version only shows all its
fields as added or removed. ``flask --app wsgi framework diff CODE V1 V2`` prints the same list.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import click
from sqlalchemy import select

from survey_app.cli import framework_cli
from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.refusals import MessageRefused
from survey_app.models import Framework, FrameworkNode


class VersionNotFound(MessageRefused, LookupError):
    """No framework with this code and version (404)."""

    def __init__(self, message: str = ""):
        super().__init__(message, status=404)


@dataclass(frozen=True)
class Change:
    """One difference; ``kind`` is added | removed | moved | max_points | renamed."""

    kind: str
    level: str
    code: str
    name: str
    before: str | None = None
    after: str | None = None

    def describe(self) -> str:
        where = f"{self.level} {self.code} ({self.name})"
        texts = {"added": _("%(node)s: added", node=where),
                 "removed": _("%(node)s: removed", node=where),
                 "moved": _("%(node)s: moved from %(before)s to %(after)s", node=where,
                            before=self.before or "—", after=self.after or "—"),
                 "max_points": _("%(node)s: maximum %(before)s → %(after)s", node=where,
                                 before=self.before, after=self.after),
                 "renamed": _("%(node)s: renamed from “%(before)s”", node=where, before=self.before)}
        return texts[self.kind]


def versions(code: str) -> list[Framework]:
    return list(db.session.scalars(select(Framework).where(Framework.code == code).order_by(Framework.loaded_at,
                                                                                             Framework.id)))


def find_version(code: str, version: str) -> Framework:
    found = db.session.scalar(select(Framework).where(Framework.code == code, Framework.version == version))
    if found is None:
        raise VersionNotFound(_("No framework %(code)s version %(version)s.", code=code, version=version))
    return found


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _parent(node: FrameworkNode) -> str | None:
    return node.parent.code if node.parent is not None else None


def diff(old: Framework, new: Framework) -> list[Change]:
    """What changed from ``old`` to ``new``, in the order of the new file, removals last."""
    before = {(n.level, n.code): n for n in old.nodes}
    after = {(n.level, n.code): n for n in new.nodes}
    changes = []
    for key, node in after.items():
        was = before.get(key)
        if was is None:
            changes.append(Change("added", node.level, node.code, node.name_vi))
            continue
        if _parent(was) != _parent(node):
            changes.append(Change("moved", node.level, node.code, node.name_vi, _parent(was), _parent(node)))
        if was.max_points != node.max_points:
            changes.append(Change("max_points", node.level, node.code, node.name_vi,
                                  _points(was.max_points), _points(node.max_points)))
        if was.name_vi != node.name_vi:
            changes.append(Change("renamed", node.level, node.code, node.name_vi, was.name_vi))
    changes += [Change("removed", n.level, n.code, n.name_vi) for key, n in before.items() if key not in after]
    return changes


def diff_versions(code: str, old_version: str, new_version: str) -> list[Change]:
    return diff(find_version(code, old_version), find_version(code, new_version))


@framework_cli.command("diff")
@click.argument("code")
@click.argument("old_version")
@click.argument("new_version")
def framework_diff(code, old_version, new_version):
    """What changed in framework CODE from OLD_VERSION to NEW_VERSION."""
    try:
        changes = diff_versions(code, old_version, new_version)
    except VersionNotFound as exc:
        raise click.ClickException(str(exc)) from None
    for change in changes:
        click.echo(change.describe())
    click.echo(_("%(count)s changes.", count=len(changes)))
