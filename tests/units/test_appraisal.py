"""Appraisal: rounds, decisions with reasons, replies, evidence, history, the final lock, the bias view."""
import re
from decimal import Decimal
from io import BytesIO

from sqlalchemy import select

from survey_app.extensions import db
import builders
from survey_app.models import AdminUnit, AppraisalComment, AssessmentStatus, Campaign, Evidence, Score, SelfAssessment

UNIT = "/units/T-2024/D2"
SCORE = UNIT + "/scores/1.1.1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def step(council, name):
    return council.post("/units/T-2024/rounds", {"step": name})


def score_row(app, code="1.1.1", unit="D2"):
    """The points and reason of ``unit``'s score on ``code`` (other units may hold the same code)."""
    with app.app_context():
        found = db.session.scalar(select(Score).where(
            Score.node.has(code=code),
            Score.assessment.has(SelfAssessment.unit.has(AdminUnit.code == unit))))
        return found.self_points, found.appraised_points, found.appraisal_reason


def test_two_rounds_with_decisions_replies_evidence_and_a_final_lock(world, visitor, tmp_path):
    council, editor = visitor("council"), visitor("editor2")
    assert council.post(SCORE + "/decision", {"decision": "adjust", "points": "0,5",
                                              "reason": "x"}).status_code == 409  # no round yet
    assert step(council, "open_1").status_code == 302
    assert step(council, "open_1").status_code == 409  # a stale step
    assert council.post(SCORE + "/decision", {"decision": "adjust", "points": "0,5"}).status_code == 400
    too_many = council.post(SCORE + "/decision", {"decision": "adjust", "points": "2", "reason": "Thiếu"})
    assert too_many.status_code == 400 and "Tối đa 1,00 điểm." in too_many.get_data(as_text=True)
    assert council.post(SCORE + "/decision", {"decision": "adjust", "points": "0,5",
                                              "reason": "Kế hoạch ban hành chậm"}).status_code == 302
    assert score_row(world) == (Decimal("1"), Decimal("0.5"), "Kế hoạch ban hành chậm")
    assert editor.post(SCORE + "/reply", {"body": "Đã ban hành đúng hạn"}).status_code == 409
    assert step(council, "reply").status_code == 302
    assert editor.post(SCORE + "/reply", {"body": "Đã ban hành đúng hạn, xem quyết định"}).status_code == 302
    upload = editor.post(SCORE + "/evidence", {"file": (BytesIO(PDF), "quyết định.pdf")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302
    assert council.post(SCORE + "/decision", {"decision": "recognise", "reason": "x"}).status_code == 409
    assert step(council, "open_2").status_code == 302
    assert council.post(SCORE + "/decision", {"decision": "recognise",
                                              "reason": "Đã bổ sung quyết định"}).status_code == 302
    assert score_row(world) == (Decimal("1"), Decimal("1"), "Đã bổ sung quyết định")
    page = editor.get(SCORE).get_data(as_text=True)
    assert "quyết định.pdf" in page and "Kế hoạch ban hành chậm" in page and "council" in page
    assert "0.5 → 1.0" in page  # the history of the appraised points
    closing = step(council, "close")  # closing is the campaign's step, on its confirmation page
    assert closing.status_code == 302 and closing.headers["Location"].endswith("/lifecycle/T-2024/advance")
    assert council.get("/lifecycle/T-2024/advance").status_code == 409  # undecided, not signed off
    with world.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "T-2024"))
        builders.assess(campaign, campaign.units[0].unit, builders.full_marks)  # D1 submits late
        db.session.commit()
    for unit in ("D1", "D2"):
        assert council.post(f"/units/T-2024/{unit}/recognise-all", {"reason": "Đủ tài liệu"}).status_code == 302
        assert council.post(f"/lifecycle/T-2024/units/{unit}/sign-off", {"action": "sign"}).status_code == 302
    assert council.post("/lifecycle/T-2024/advance", {"expected": "appraisal"}).status_code == 302
    with world.app_context():
        assert {a.status for a in db.session.scalars(select(SelfAssessment))} == {AssessmentStatus.LOCKED}
        comments = db.session.scalar(select(db.func.count()).select_from(AppraisalComment))
    for path, data in ((SCORE + "/decision", {"decision": "adjust", "points": "0", "reason": "x"}),
                       (SCORE + "/reply", {"body": "x"}), (UNIT, {"save": "1"})):
        who = council if "decision" in path else editor
        assert who.post(path, data).status_code in (403, 409)
    assert editor.post(SCORE + "/evidence", {"file": (BytesIO(PDF), "b.pdf")},
                       content_type="multipart/form-data").status_code == 409
    assert step(council, "close").status_code == 409
    assert score_row(world) == (Decimal("1"), Decimal("1"), "Đã bổ sung quyết định")
    with world.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AppraisalComment)) == comments
        assert db.session.scalar(select(db.func.count()).select_from(Evidence)) == 1


def test_evidence_is_checked_stored_by_checksum_and_served_only_in_scope(world, visitor):
    editor = visitor("editor")
    form = {"save": "1"}
    assert editor.post("/units/T-2024/D1", form).status_code == 302  # an empty draft creates the scores
    path = "/units/T-2024/D1/scores/1.1.1/evidence"
    for name, content, message in (("a.exe", b"MZ...", "Chỉ đính kèm được"),
                                   ("a.pdf", b"GIF89a", "không khớp"), ("a.pdf", b"", "Tệp rỗng")):
        response = editor.post(path, {"file": (BytesIO(content), name)}, content_type="multipart/form-data")
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    world.config["EVIDENCE_MAX_BYTES"] = 10
    big = editor.post(path, {"file": (BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    world.config.pop("EVIDENCE_MAX_BYTES")
    assert big.status_code == 400
    assert editor.post(path, {"file": (BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data").status_code == 302
    with world.app_context():
        stored = db.session.scalar(select(Evidence))
        assert stored.content_type == "application/pdf" and stored.size == len(PDF)
        import hashlib
        assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
        evidence_id = stored.id
    download = editor.get(f"/units/T-2024/D1/evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == PDF
    assert visitor("editor2").get(f"/units/T-2024/D1/evidence/{evidence_id}").status_code == 403
    assert visitor("editor2").get(f"/units/T-2024/D2/evidence/{evidence_id}").status_code == 404


def test_rounds_are_for_the_council_only(world, visitor):
    assert visitor("editor").post("/units/T-2024/rounds", {"step": "open_1"}).status_code == 403
    assert visitor("watcher").post("/units/T-2024/rounds", {"step": "open_1"}).status_code == 403


def test_recognise_all_and_the_bias_view(world, visitor):
    council = visitor("council")
    step(council, "open_1")
    council.post(SCORE + "/decision", {"decision": "adjust", "points": "0", "reason": "Không có kế hoạch"})
    assert council.post(UNIT + "/recognise-all", {"reason": ""}).status_code == 400
    assert council.post(UNIT + "/recognise-all", {"reason": "Đủ tài liệu"}).status_code == 302
    with world.app_context():
        rows = db.session.scalars(select(Score).join(SelfAssessment).where(SelfAssessment.unit.has(code="D2")))
        assert all(s.appraised_points is not None for s in rows)
    assert score_row(world)[1] == Decimal("0")  # the earlier adjustment was kept
    page = visitor("watcher").get("/units/T-2024/bias").get_data(as_text=True)
    assert "Đơn vị D2" in page and "1,00" in page  # a gap of one point
    assert visitor("editor").get("/units/T-2024/bias").status_code == 403


def test_the_bias_view_subtracts_penalties_within_their_caps(world, visitor):
    """D1 self-assesses full marks, the bonus 1.5.2 (0,5) and the penalty 3.3.6 (0,5 of at most 1);
    the council raises the penalty to 1,5, which counts as its cap 1: the gap is 0,50 (1,00 if the
    cap were ignored) and both totals carry the bonus and the subtracted penalty."""
    special = {"1.5.2": Decimal("0.5"), "3.3.6": Decimal("0.5")}

    def self_points(node):
        return special.get(node.code, builders.full_marks(node))

    def appraised(node):
        return Decimal("1.5") if node.code == "3.3.6" else self_points(node)

    with world.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "T-2024"))
        d1 = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "D1"))
        builders.assess(campaign, d1, self_points, appraised=appraised)
        maximum = float(sum(n.max_points for n in builders.self_nodes(campaign) if n.method.value == "self_assessed"))
        db.session.commit()
    page = visitor("watcher").get("/units/T-2024/bias").get_data(as_text=True)
    row = re.search(r"<tr><td>Đơn vị D1</td>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)

    def shown(value):
        return f"{value:.2f}".replace(".", ",")
    assert cells[0] == shown(maximum)  # self: + 0,5 bonus − 0,5 penalty
    assert cells[2] == shown(maximum - 0.5)  # appraised: + 0,5 bonus − 1 (the penalty's cap)
    assert cells[3] == "0,50" and cells[4] == "1"
