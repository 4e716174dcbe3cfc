"""``flask --app wsgi campaign create | copy | status | advance | publish``.

The group lives here; each step's commands live beside their service and register on it.
"""
from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

campaign_cli = AppGroup("campaign", help="Create, copy, advance and publish a campaign.")


def init_app(app: Flask) -> None:
    from survey_app.campaigns import commands  # noqa: F401  create, status, advance, extend, reopen, council
    from survey_app.campaigns import copy  # noqa: F401  (campaign copy)
    from survey_app.campaigns import publish_cli  # noqa: F401
    app.cli.add_command(campaign_cli)
