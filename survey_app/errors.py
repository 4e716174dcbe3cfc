"""Error pages in the reader's language; JSON for the API. Never a bare 500 for bad input."""
from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from survey_app.extensions import db
from survey_app.i18n import _
from survey_app.refusals import Refused


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in to open this page."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        413: _("The upload is too large."),
        422: _("Some of what was sent is not accepted."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Your data was not changed."),
    }


def _wants_json() -> bool:
    return (request.blueprint == "api" or request.is_json
            or request.accept_mimetypes.best == "application/json")


def _respond(code: int, message: str, problems: list | None = None):
    if _wants_json():
        body = {"error": message, "status": code}
        if problems is not None:
            body["problems"] = problems
        return jsonify(body), code
    return render_template("error.html", code=code, message=message, problems=problems or []), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _respond(400, _("This form has expired or was sent from elsewhere. "
                               "Please submit it again."))

    @app.errorhandler(Refused)
    def refused(exc: Refused):
        """Every domain refusal, once: its status, its message and its problems."""
        db.session.rollback()
        return _respond(exc.status, exc.message or _messages().get(exc.status, ""), exc.problem_list())

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = _messages().get(exc.code, exc.description)
        if exc.code == 429 and getattr(getattr(exc, "limit", None), "error_message", None):
            message = exc.description  # a limit's own message, e.g. the open link's
        return _respond(exc.code or 500, message)

    @app.errorhandler(DBAPIError)
    def database_unavailable(exc: DBAPIError):
        """The database went away (restarted, failed over, unreachable): nothing was stored, so
        the client may send again; the offline collector does, on any 5xx."""
        db.session.rollback()
        if not (exc.connection_invalidated or isinstance(exc, OperationalError)):
            return server_error(exc)
        app.logger.warning("database unavailable: %s", str(exc.orig).strip().splitlines()[0] if exc.orig else exc)
        response = make_response(_respond(503, _("The service is briefly unavailable. Nothing was saved: "
                                                 "please try again in a moment.")))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def server_error(exc):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _respond(500, _messages()[500])
