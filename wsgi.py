"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi <command>``.

The application is made with the cyclic garbage collector paused, and what it made is then
frozen (:func:`gc.freeze`): some 200,000 objects (modules, models, routes) that live as long as
the process and that the collector otherwise walked again and again while they were made, in
every later full collection and once more at exit, about a third of a short command's CPU
(README, "Speed"). A paused start leaves a few hundred objects of garbage, frozen with the rest.
"""
import gc
import sys

from survey_app import ConfigError, create_app

gc.disable()
try:
    app = create_app()
except ConfigError as exc:
    print(f"parindex: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
finally:
    gc.enable()
gc.freeze()
