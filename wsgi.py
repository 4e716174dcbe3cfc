"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi <command>``."""
import sys

from survey_app import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:
    print(f"parindex: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
