"""parindex: surveys and the PAR Index for Vietnamese provinces.

``create_app`` builds the Flask application from a :class:`~survey_app.config.Config`
(or a subclass, or a mapping of overrides) in a few small ``setup_*`` steps.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from survey_app.config import Config, ConfigError

__all__ = ["create_app", "Config", "ConfigError"]


def _settings(config) -> dict:
    settings = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    if isinstance(config, Mapping):
        settings.update(config)
    elif config is not None:
        settings.update({k: getattr(config, k) for k in dir(config) if k.isupper()})
    Config.finalise(settings)
    return settings


def create_app(config=None) -> Flask:
    """Build the application; raise :class:`ConfigError` on an unusable configuration."""
    settings = _settings(config)
    app = Flask(__name__, instance_path=str(settings["INSTANCE"]), instance_relative_config=False)
    app.config.update(settings)
    from survey_app import setup

    setup.setup_database(app)
    setup.setup_security(app)
    setup.setup_babel(app)
    setup.setup_login(app)
    setup.setup_templates(app)
    setup.setup_blueprints(app)
    setup.setup_errors(app)
    setup.setup_cli(app)
    return app
