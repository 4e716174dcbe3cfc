"""The offline collector (*ứng dụng thu thập ngoại tuyến*): its app shell, service worker,
manifest, and the registration of the enumerator's device token."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, jsonify, render_template, request, send_file, session, url_for
from flask_login import current_user, user_logged_in
from sqlalchemy import select

from survey_app.access import roles_required
from survey_app.boundary import json_body
from survey_app.extensions import db
from survey_app.field import bp
from survey_app.field.files import settings as file_settings
from survey_app.field.forms import VISIT_OUTCOMES
from survey_app.field.tokens import issue
from survey_app.formatting import status_label
from survey_app.i18n import _
from survey_app.models import CaseStatus, DeviceToken, Role
from survey_app.models.base import utcnow

#: Files the service worker keeps for offline work, relative to the static folder.
ASSETS = ("css/site.css", "field/collector.css", "js/expr.js", "field/store.js", "field/media.js",
          "field/form.js", "field/phone.js", "field/collector.js", "field/icon-192.png")


@lru_cache(maxsize=4)
def _assets_version(static_folder: str) -> str:
    """A short digest of the cached files: a new version replaces the old cache."""
    digest = hashlib.sha256()
    for name in (*ASSETS, "field/sw.js"):
        digest.update((Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:12]


def service_worker_url() -> str:
    assets = ",".join(url_for("static", filename=name) for name in ASSETS)
    return url_for("field.service_worker", v=_assets_version(current_app.static_folder),
                   shell=url_for("field.collector"), assets=assets)


@bp.route("/app")
@roles_required(Role.ENUMERATOR)
def collector():
    """The app shell; all data comes from the API with the device token. The messages the
    collector shows about answer files are written here with the server's own limits."""
    statuses = {status.value: status_label(status) for status in CaseStatus}
    limits = file_settings()
    files = {"max_mb": limits["max_bytes"] // (1024 * 1024),
             "types": {kind: ", ".join(sorted(types)) for kind, types in limits["accept"].items()}}
    return render_template("field/collector.html", sw_url=service_worker_url(), statuses=statuses,
                           visit_outcomes=VISIT_OUTCOMES, files=files, signed_in=session.get(SIGNED_IN, ""),
                           phone_name=_("Phone of %(name)s", name=current_user.full_name or current_user.username))


#: When the enumerator signed in (session key): a phone told of its token's revocation stays
#: locked until a later sign-in, and never takes a new token on a mere reload.
SIGNED_IN = "collector_signed_in"


@user_logged_in.connect
def _mark_sign_in(sender, user, **extra) -> None:
    session[SIGNED_IN] = utcnow().isoformat()


@bp.route("/sw.js")
def service_worker():
    """The service worker, served below /field/ so that its scope is the collector."""
    response = send_file(Path(current_app.static_folder) / "field" / "sw.js",
                         mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = url_for("field.enumerator")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    """What makes the collector installable on a phone's home screen."""
    data = {"name": _("Field collector"), "short_name": _("Collector"),
            "start_url": url_for("field.collector"), "scope": url_for("field.enumerator"),
            "display": "standalone", "background_color": "#ffffff", "theme_color": "#0b3d6b",
            "icons": [{"src": url_for("static", filename=f"field/icon-{n}.png"), "sizes": f"{n}x{n}",
                       "type": "image/png"} for n in (192, 512)]}
    response = jsonify(data)
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/device", methods=["POST"])
@roles_required(Role.ENUMERATOR)
def register_device():
    """Give this browser a device token (shown once); the session's CSRF header is required."""
    payload = json_body()
    payload = payload if isinstance(payload, dict) else {}
    label = str(payload.get("label") or request.user_agent.string or "").strip()[:190]
    row, plain = issue(current_user, _distinct_label(current_user.id, label))
    db.session.commit()
    return jsonify(token=plain, device=row.id, label=row.label), 201


def _distinct_label(user_id: int, label: str) -> str:
    """The phone's name, numbered when the enumerator already has a live phone of that name
    ("Máy của Lan (2)"): the devices page never lists two phones identically."""
    taken = set(db.session.scalars(select(DeviceToken.label).where(DeviceToken.user_id == user_id,
                                                                   DeviceToken.revoked_at.is_(None))))
    number, name = 1, label
    while name in taken:
        number += 1
        name = f"{label} ({number})"
    return name
