"""One refusal type: every domain refusal is a :class:`~survey_app.refusals.Refused`, and one
renderer (``survey_app/errors.py``) answers it as a 4xx page or JSON with its message."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import survey_app
from survey_app.campaigns.copy import copy_campaign
from survey_app.campaigns.creation import CampaignSpec, create_campaign
from survey_app.campaigns.publication import publish
from survey_app.framework_versions import diff_versions
from survey_app.models import Campaign
from survey_app.refusals import Refused
from survey_app.unit_import import import_units

PACKAGE = Path(survey_app.__file__).parent


def _campaign():
    create_campaign(CampaignSpec(code="X-2025", title="", year=2025, province_code="99", framework="none",
                                 levels=[]))


def _publication():
    publish(Campaign(code="X-2025"), "không số", None, "", None, render_report=False)


def _copy():
    copy_campaign("HNM-1999", "X-2025", 2025)


def _unit_import():
    import_units(b"code,name\n")


def _framework_version():
    diff_versions("par_units", "1999.1", "1999.2")


KINDS = [  # (what refuses, status, words of its Vietnamese message)
    (_campaign, 422, "Chưa nạp bộ chỉ số none"),
    (_publication, 422, "Hãy nhập số quyết định"),
    (_copy, 422, "Không có đợt đánh giá HNM-1999."),
    (_unit_import, 422, "Thiếu cột"),
    (_framework_version, 404, "par_units"),
]


def _refusal(app, refuse) -> Refused:
    with app.test_request_context("/"):
        with pytest.raises(Refused) as caught:
            refuse()
        return caught.value


def _rendered(app, exc: Refused, accept: str):
    """What the application answers when a view lets ``exc`` through."""
    with app.test_request_context("/", headers={"Accept": accept}):
        return app.make_response(app.handle_user_exception(exc))


@pytest.mark.parametrize("refuse,status,words", KINDS, ids=[k[0].__name__.strip("_") for k in KINDS])
def test_each_refusal_reaches_the_user_as_4xx_with_its_message(app, refuse, status, words):
    exc = _refusal(app, refuse)
    assert exc.status == status and words in exc.message
    page = _rendered(app, exc, "text/html")
    assert page.status_code == status and words in page.get_data(as_text=True)
    assert "<html" in page.get_data(as_text=True)
    answer = _rendered(app, exc, "application/json")
    assert answer.status_code == status and words in answer.get_json()["error"]
    assert isinstance(answer.get_json()["problems"], list)


def _exception_classes():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith(("Refused", "NotFound")):
                yield path, node.name


def test_every_domain_refusal_is_the_one_refusal_type():
    import importlib

    found = []
    for path, name in _exception_classes():
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        cls = getattr(importlib.import_module(module), name)
        if isinstance(cls, type) and issubclass(cls, Exception):
            found.append(cls)
            assert issubclass(cls, Refused), f"{module}.{name} is not a survey_app.refusals.Refused"
    assert len(found) >= 10


def test_the_commands_still_print_the_vietnamese_message_and_fail(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["campaign", "copy", "HNM-1999", "--code", "X-2025", "--year", "2025"])
    assert result.exit_code != 0 and "Không có đợt đánh giá HNM-1999." in result.output
    units = tmp_path / "units.csv"
    units.write_text("code,name\n", encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(units)])
    assert result.exit_code != 0 and "Thiếu cột" in result.output
