"""A test app with its rate limits on, for the scripts that the rate-limit tests run in a process
of their own (the limiter is one object per process, and the rest of the suite runs it off)."""
import pathlib

from tests.conftest import make_app


class Factory:
    """``make_app``'s ``tmp_path_factory``, in a folder given by the test."""

    def __init__(self, root):
        self.root, self.n = root, 0

    def mktemp(self, name):
        self.n += 1
        path = pathlib.Path(self.root) / f"{name}{self.n}"
        path.mkdir()
        return path


def limited_app(root: str, **config):
    factory = Factory(root)
    return make_app(f"sqlite:///{factory.mktemp('db')}/test.db", factory, RATELIMIT_ENABLED=True, **config)
