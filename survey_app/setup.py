"""The steps of the app factory, one concern each."""
from __future__ import annotations

import hmac
import os
import sqlite3

from flask import Flask, request, session
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from survey_app.config import ConfigError
from survey_app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate


def setup_database(app: Flask) -> None:
    """Bind SQLAlchemy and Alembic, and refuse a database that cannot be reached."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(uri[len("sqlite:///"):]) or ".", exist_ok=True)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(uri))
    import survey_app.models  # noqa: F401  registers the tables

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (OperationalError, SQLAlchemyError) as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise ConfigError(f"cannot reach the database {db.engine.url!r}: {reason}") from None


def _engine_options(uri: str) -> dict:
    """No ping before each checkout (a round trip on every request): a connection the server
    dropped fails its request with a 503 to retry (``errors.database_unavailable``) and the
    pool is renewed at once; connections are renewed every half hour anyway."""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_recycle": 1800, "connect_args": {"connect_timeout": 5}}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL, a busy timeout and foreign keys on every SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def setup_security(app: Flask) -> None:
    """The input boundary, CSRF on every form, rate limits, and headers that keep pages on this site."""
    from survey_app import boundary

    boundary.init_app(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    csrf.init_app(app)
    limiter.init_app(app)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/javascript",
                                                 "application/javascript", "application/json"])
    compress.init_app(app)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self)")
        if app.config.get("HSTS_SECONDS"):
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains")
        return response


def select_locale() -> str:
    """The language asked for in ``?lang=``, kept in the session; Vietnamese by default."""
    from flask import current_app, has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def setup_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")


def setup_login(app: Flask) -> None:
    from survey_app.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        """The user of a session or remember cookie while its token is current and the
        account active: logout, a password change, deactivation or ``flask user
        end-sessions`` change or refuse it, for every web process at once."""
        number, _, token = (user_id or "").partition(".")
        if not number.isdigit() or not token or int(number) > 2**31 - 1:
            return None
        user = db.session.get(User, int(number))
        if user is None or not user.active or not user.session_token \
                or not hmac.compare_digest(user.session_token, token):
            return None
        return user

    from survey_app.i18n import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to open this page.")

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import abort, flash, redirect, url_for

        if request.blueprint == "api":
            abort(401)
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def setup_templates(app: Flask) -> None:
    from survey_app import formatting, static_files
    from survey_app.questionnaire import types

    formatting.init_app(app)
    static_files.init_app(app)
    types.init_app(app)


def setup_blueprints(app: Flask) -> None:
    from survey_app.admin import bp as admin_bp
    from survey_app.analyst import bp as analyst_bp
    from survey_app.api import bp as api_bp
    from survey_app.auth import bp as auth_bp
    from survey_app.field import bp as field_bp
    from survey_app.public import bp as public_bp
    from survey_app.units import bp as units_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(field_bp, url_prefix="/field")
    app.register_blueprint(units_bp, url_prefix="/units")
    app.register_blueprint(analyst_bp, url_prefix="/analyst")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api")
    from survey_app.campaigns.pages import bp as campaigns_bp
    app.register_blueprint(campaigns_bp, url_prefix="/lifecycle")
    from survey_app.plans import bp as plans_bp
    app.register_blueprint(plans_bp, url_prefix="/plans")


def setup_errors(app: Flask) -> None:
    from survey_app import errors

    errors.init_app(app)


def setup_cli(app: Flask) -> None:
    from survey_app import cli

    cli.init_app(app)
