"""``flask invitations generate`` and ``flask invitations export``."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.invitations.codes import printed_code
from survey_app.models import AdminUnit, Invitation
from survey_app.models.base import utcnow


def _codes(app) -> list[Invitation]:
    with app.app_context():
        return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))


def test_generate_makes_the_batch_and_says_so(app, runner, world):
    day = (date.today() + timedelta(days=20)).isoformat()
    result = runner.invoke(args=["invitations", "generate", world["campaign"], "--unit", world["unit"],
                                 "--count", "2100", "--expires", day])
    assert result.exit_code == 0, result.output
    assert "2100 codes for 13285 Phường Quang Trung in HNM-2030" in result.output
    made = _codes(app)
    assert len(made) == 2100 and len({i.code for i in made}) == 2100


def test_generate_refuses_bad_input_with_a_message_and_stores_nothing(app, runner, world):
    cases = [(["--unit", world["unit"], "--count", "0"], "Số mã phải từ 1 đến 20000"),
             (["--unit", world["outside"], "--count", "3"], "không thuộc tỉnh"),
             (["--unit", "99999", "--count", "3"], "không có đơn vị nào mang mã “99999”"),
             (["--unit", world["unit"], "--count", "3", "--expires", "15/09/2030"], "YYYY-MM-DD")]
    for extra, message in cases:
        result = runner.invoke(args=["invitations", "generate", world["campaign"], *extra])
        assert result.exit_code != 0 and message in result.output, (extra, result.output)
    result = runner.invoke(args=["invitations", "generate", "NOPE", "--unit", world["unit"], "--count", "1"])
    assert "Không có đợt đánh giá NOPE." in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_export_writes_every_code_as_csv_with_a_bom(app, runner, world, tmp_path):
    day = date.today() + timedelta(days=20)
    runner.invoke(args=["invitations", "generate", world["campaign"], "--unit", world["unit"], "--count", "4",
                        "--expires", day.isoformat()])
    with app.app_context():
        used = db.session.scalar(select(Invitation).order_by(Invitation.id))
        used.used_at = utcnow()
        db.session.commit()
    target = tmp_path / "codes.csv"
    result = runner.invoke(args=["invitations", "export", world["campaign"], "--unit", world["unit"],
                                 "--base-url", "https://khaosat.hanam.gov.vn/", "-o", str(target)])
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["code", "printed_code", "unit_code", "unit_name", "link", "expires_at", "used_at",
                            "household", "address"]
    made = _codes(app)
    assert [r["code"] for r in rows] == [i.code for i in made]
    first = rows[0]
    assert first["printed_code"] == printed_code(first["code"]) and "-" in first["printed_code"]
    assert first["unit_code"] == "13285" and first["unit_name"] == "Phường Quang Trung"
    assert first["link"] == f"https://khaosat.hanam.gov.vn/q/{first['code']}"
    assert first["expires_at"] == f"{day + timedelta(days=1)}T00:00+07:00"
    assert first["used_at"] and not any(r["used_at"] for r in rows[1:])


def test_export_of_another_unit_has_only_the_header(app, runner, world, tmp_path):
    runner.invoke(args=["invitations", "generate", world["campaign"], "--unit", world["unit"], "--count", "2"])
    target = tmp_path / "none.csv"
    result = runner.invoke(args=["invitations", "export", world["campaign"], "--unit", world["outside"],
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text("utf-8-sig").splitlines() == [
        "code,printed_code,unit_code,unit_name,link,expires_at,used_at,household,address"]


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"Phường\")", "\t=1+1", "@SUM(A1)"])
def test_export_writes_a_unit_name_that_looks_like_a_formula_as_text_once(app, runner, world, tmp_path, name):
    with app.app_context():
        unit = db.session.scalar(select(AdminUnit).where(AdminUnit.code == world["unit"]))
        unit.name = name
        db.session.commit()
    runner.invoke(args=["invitations", "generate", world["campaign"], "--unit", world["unit"], "--count", "1"])
    target = tmp_path / "codes.csv"
    result = runner.invoke(args=["invitations", "export", world["campaign"], "--unit", world["unit"], "-o", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))
    assert rows[0]["unit_name"] == "'" + name
