"""The units tests' small campaign T-2024 (D1 not assessed, D2 submitted at full marks), with staff
and a second appraiser; the fixtures ``world`` and ``visitor`` come from tests/units/conftest.py."""
import pytest

from tests.units.conftest import Visitor, visitor, world  # noqa: F401  shared fixtures

import builders  # noqa: E402  (tests/index, put on the path by tests/units/conftest.py)
from survey_app.extensions import db  # noqa: E402
from survey_app.models import AdminUnit, Role  # noqa: E402


@pytest.fixture
def staff(world):
    """``world`` plus an administrator, an analyst and a second appraiser of the province."""
    with world.app_context():
        found = db.session.query(AdminUnit).filter_by(code="P").one()
        builders.user("admin", Role.ADMIN, None)
        builders.user("analyst", Role.ANALYST, None)
        builders.user("council2", Role.APPRAISER, found)
        db.session.commit()
    return world

