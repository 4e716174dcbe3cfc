"""The password policy (*chính sách mật khẩu*), one for the web forms and the CLI: at least
``MIN_LENGTH`` characters, not the username, not one of the common passwords shipped in
``common_passwords.txt`` (the most used ones, English and Vietnamese), not a few characters repeated.

``DUMMY_HASH`` lets the login check a password for an unknown username too, so that it takes as
long as for a known one and does not tell which usernames exist.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash
from wtforms.validators import ValidationError

from survey_app.i18n import _

MIN_LENGTH = 10
MIN_DISTINCT = 5
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in COMMON_FILE.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return generate_password_hash("not a password of anyone")


def same_work_for_unknown(password: str) -> None:
    """Check ``password`` against a throwaway hash: the time of a real check, the answer ignored."""
    check_password_hash(dummy_hash(), password or "")


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused (a translated sentence), or ``None`` when it is accepted."""
    password = password or ""
    lowered = password.lower()
    if len(password) < MIN_LENGTH:
        return _("A password has at least %(n)d characters.", n=MIN_LENGTH)
    if len(set(lowered)) < MIN_DISTINCT:
        return _("This password repeats too few characters; choose a longer sentence.")
    stripped = lowered.rstrip("0123456789!@#.")
    if lowered in common_passwords() or stripped in common_passwords() or (username and username.lower() in lowered):
        return _("This password is too common or contains the username; choose another.")
    return None


class PasswordPolicy:
    """The policy as a WTForms validator (the username is read from the form's ``username`` field,
    or its ``account_name`` when the form changes a signed-in user's password)."""

    def __call__(self, form, field):
        username = form.username.data if hasattr(form, "username") else getattr(form, "account_name", "")
        problem = password_problem(field.data, username or "")
        if problem:
            raise ValidationError(problem)
