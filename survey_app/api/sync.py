"""The offline collector's API: download the working set, send answer files, interviews and visits.

Authenticated by the enumerator's device token (``Authorization: Bearer …``), not by a
session: these views alone are exempt from CSRF (a page's CSRF token expires and is
tied to a session; a token in a header cannot be sent by another site's form). Sends are
limited per device, not per address: many enumerators share one carrier address.
"""
from __future__ import annotations

from flask import g, jsonify, request
from flask_limiter.util import get_remote_address

from survey_app.api import bp
from survey_app.boundary import json_body
from survey_app.extensions import csrf, db, limiter
from survey_app.field.bundle import bundle
from survey_app.field.files import receive_file
from survey_app.field.intake import receive
from survey_app.field.tokens import device_key, device_required, device_sending
from survey_app.field.visit_intake import receive_visit
from survey_app.models.base import utcnow


@bp.route("/field/bundle")
@csrf.exempt
@device_required
def field_bundle():
    """The enumerator's cases, questionnaires and corrections to make."""
    g.device.last_sync_at = utcnow()
    data = bundle(g.enumerator)
    db.session.commit()
    return jsonify(data)


@bp.route("/field/submissions", methods=["POST"])
@csrf.exempt
@limiter.limit("600 per minute", key_func=lambda: device_key() or get_remote_address())
@device_sending(autocommit=True)
def field_submission():
    """Store one interview (or its correction) once; repeats get the same acknowledgement."""
    return _answer(receive, json_body())


@bp.route("/field/visits", methods=["POST"])
@csrf.exempt
@limiter.limit("600 per minute", key_func=lambda: device_key() or get_remote_address())
@device_sending
def field_visit():
    """Store one visit without an interview (no contact, refused, ineligible) once."""
    return _answer(receive_visit, json_body())


def _answer(store, payload):
    """201 with the acknowledgement when stored now, 200 for a repeat; a refusal
    (:class:`survey_app.refusals.Refused`) is answered by ``errors``."""
    ack, created = store(payload, g.device)
    response = jsonify(ack)
    response.status_code = 201 if created else 200
    return response


@bp.route("/field/files", methods=["POST"])
@csrf.exempt
@limiter.limit("120 per minute", key_func=lambda: device_key() or get_remote_address())
@device_sending
def field_file():
    """Store one answer file (multipart: ``kind`` and ``file``) under its SHA-256; the same
    bytes sent again get the same name, so a retry is harmless."""
    name = receive_file(request.form.get("kind"), request.files.get("file"))
    return jsonify(name=name), 200
