"""Improvement plans as JSON: a plan with its targets and tasks, and its follow-up, for the
Department (analysts and administrators); a unit editor's own tasks of issued plans."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from survey_app.access import roles_required
from survey_app.api import bp
from survey_app.models import Role
from survey_app.plans.base import plan_or_404
from survey_app.plans.followup import follow_up
from survey_app.plans.plans import tasks_for

DEPARTMENT = (Role.ADMIN, Role.ANALYST)


def _num(value):
    return None if value is None else float(value)


def target_json(t) -> dict:
    return {"id": t.id, "unit": t.unit.code, "kind": t.kind.value, "subject": t.subject or None, "value": t.value,
            "national_index": t.national_index.value if t.national_index else None, "baseline": t.baseline,
            "note": t.note}


def task_json(t) -> dict:
    return {"plan": t.plan.code, "number": t.number, "title": t.title, "description": t.description,
            "lead_unit": t.lead_unit.code, "partners": [p.unit.code for p in t.partners],
            "deadline": t.deadline.isoformat(), "expected_points": _num(t.expected_points),
            "national_index": t.national_index.value if t.national_index else None,
            "national_component": t.national_component, "source": t.source,
            "accepted_at": t.accepted_at.isoformat() if t.accepted_at else None,
            "criteria": [{"code": c.node.code, "unit": (c.unit or t.lead_unit).code,
                          "points_at_stake": _num(c.points_at_stake)} for c in t.criteria]}


def plan_json(p) -> dict:
    return {"code": p.code, "title": p.title, "year": p.year, "status": p.status.value, "province": p.province.code,
            "base": {"campaign": p.base_publication.campaign.code, "version": p.base_publication.version},
            "issuing_body": p.issuing_body, "number": p.number,
            "issued_on": p.issued_on.isoformat() if p.issued_on else None, "signer": p.signer,
            "purpose": p.purpose, "organisation": p.organisation}


@bp.route("/plans/<code>")
@roles_required(*DEPARTMENT)
def plan(code: str):
    found = plan_or_404(code)
    return jsonify(dict(plan_json(found), targets=[target_json(t) for t in found.targets],
                        tasks=[task_json(t) for t in found.tasks]))


@bp.route("/plans/<code>/targets")
@roles_required(*DEPARTMENT)
def plan_targets(code: str):
    return jsonify([target_json(t) for t in plan_or_404(code).targets])


@bp.route("/plans/<code>/tasks")
@roles_required(*DEPARTMENT)
def plan_tasks(code: str):
    return jsonify([task_json(t) for t in plan_or_404(code).tasks])


@bp.route("/plans/<code>/followup")
@roles_required(*DEPARTMENT)
def plan_followup(code: str):
    found = follow_up(plan_or_404(code))
    if found is None:
        return jsonify({"plan": code, "campaign": None, "targets": [], "tasks": []})
    return jsonify({
        "plan": code, "campaign": found.campaign.code, "provisional": found.provisional,
        "targets": [{"id": c.target.id, "unit": c.target.unit.code, "kind": c.target.kind.value,
                     "value": c.target.value, "followed_as": c.followed.result.code if c.followed.result else None,
                     "mapping": c.followed.mapping, "merged_with": c.followed.partners,
                     "actual": c.actual, "status": c.status} for c in found.targets],
        "tasks": [{"number": c.task.number, "status": c.status, "gained": c.gained,
                   "expected_points": _num(c.task.expected_points),
                   "criteria": [{"code": x.code, "unit": x.unit.code, "before": x.before, "now": x.now,
                                 "gained": x.gained, "status": x.status} for x in c.criteria]}
                  for c in found.tasks]})


@bp.route("/plans/my-tasks")
@roles_required(Role.UNIT_EDITOR)
def my_plan_tasks():
    return jsonify([dict(task_json(t), leads=leads) for t, leads in tasks_for(current_user)])
