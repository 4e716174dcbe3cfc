"""Answer files and repeats from the offline collector: the file endpoint (device token,
type, magic bytes, size, idempotent by content) and the intake of interviews with repeat
groups and file answers."""
import hashlib
import io
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app import filestore
from survey_app.extensions import db
from survey_app.field.files import missing_files
from survey_app.field.tokens import revoke
from survey_app.models import DeviceToken, Submission
from survey_app.questionnaire.engine import FormEngine
from survey_app.questionnaire.importer import parse_form
from tests.field.world import bearer, build_world

FILES = "/api/field/files"
SUBMIT = "/api/field/submissions"
# a real (tiny) PNG: signature, IHDR, IDAT, IEND
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64)) + b"\xff\xd9"


@pytest.fixture
def media_world(app):
    with app.app_context():
        return build_world(media=True)


def _stored(app) -> set[str]:
    """The checksums of the files in the shared file store."""
    with app.app_context():
        return set(filestore.keys())


def _send_file(client, token, content, filename="giay-hen.png", kind="image", lang="vi"):
    data = {"kind": kind, "file": (io.BytesIO(content), filename)} if filename else {"kind": kind}
    return client.post(f"{FILES}?lang={lang}", data=data, content_type="multipart/form-data",
                       headers=bearer(token) if token else {})


def _household(world, photo, **changes) -> dict:
    """A valid household interview: two visits, two members (one adult who works), a photo."""
    answers = {"start": "2024-08-05T09:00:00+07:00", "end": "2024-08-05T09:10:00+07:00", "deviceid": "dev-1",
               "visits": "2", "visit": [{"wait": "15", "visit_no": "1"}, {"wait": "40", "visit_no": "2"}],
               "member": [{"m_name": "Nguyễn Văn An", "m_age": "44", "m_adult": "1", "m_work": "1"},
                          {"m_name": "Nguyễn Thị Bình", "m_age": "9", "m_adult": "0"}],
               "members": "2", "adults": "1", "photo": photo}
    answers.update(changes)
    return {"instance_uuid": str(uuid.uuid4()), "case_id": world["cases1"][0],
            "questionnaire_version_id": world["version_id"], "answers": answers,
            "paradata": {"device_id": "dev-1"}, "started_at": "2024-08-05T02:00:00Z",
            "submitted_at": "2024-08-05T02:10:00Z"}


def _submissions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Submission))


def test_a_photo_is_stored_under_its_sha256_once_whatever_the_retries(app, client, media_world):
    first = _send_file(client, media_world["token1"], PNG)
    again = _send_file(client, media_world["token1"], PNG, filename="IMG_0001.PNG")
    assert (first.status_code, again.status_code) == (200, 200)
    name = first.get_json()["name"]
    assert name == hashlib.sha256(PNG).hexdigest() + ".png" == again.get_json()["name"]
    with app.app_context():
        assert filestore.get(name[:64]) == PNG
    assert _stored(app) == {name[:64]}  # stored once
    jpeg = _send_file(client, media_world["token2"], JPEG, filename="photo.jpg")
    assert jpeg.status_code == 200 and jpeg.get_json()["name"].endswith(".jpg")


def test_the_file_endpoint_needs_a_live_device_token(app, client, media_world):
    before = _stored(app)
    assert _send_file(client, None, PNG).status_code == 401
    assert _send_file(client, "guessed", PNG).status_code == 401
    with app.app_context():
        row = db.session.scalar(select(DeviceToken).where(DeviceToken.user_id == media_world["users"]["enum2"]))
        revoke(row)
        db.session.commit()
    assert _send_file(client, media_world["token2"], PNG).status_code == 401
    assert _stored(app) == before
    assert _send_file(client, media_world["token1"], PNG).status_code == 200  # the other phone still sends


@pytest.mark.parametrize("content, filename, kind, status, words", [
    (PNG, "giay-hen.exe", "image", 415, "Không nhận loại tệp này"),
    (b"MZ not a picture", "giay-hen.png", "image", 422, "không đúng loại như tên tệp"),
    (b"", "giay-hen.jpg", "image", 422, "không đúng loại như tên tệp"),
    (PNG, "giay-hen.png", "osm", 400, "kind"),
    (PNG, "giay-hen.png", "document", 400, "kind"),
    (PNG, None, "image", 400, "file"),
])
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(app, client, media_world, content,
                                                                    filename, kind, status, words):
    before = _stored(app)
    response = _send_file(client, media_world["token1"], content, filename=filename, kind=kind)
    assert response.status_code == status
    assert words in response.get_json()["error"]
    assert _stored(app) == before


def test_a_file_over_the_limit_is_refused_before_anything_is_written(app, client, media_world, monkeypatch):
    monkeypatch.setitem(app.config, "ANSWER_FILE_MAX_BYTES", 1024 * 1024)
    before = _stored(app)
    big = b"\xff\xd8" + b"\x00" * (1024 * 1024)
    response = _send_file(client, media_world["token1"], big, filename="big.jpg", lang="en")
    assert response.status_code == 413
    assert response.get_json()["error"] == "The file is larger than 1 MB."
    assert _stored(app) == before
    bundle = client.get("/api/field/bundle", headers=bearer(media_world["token1"])).get_json()
    assert bundle["answer_files"]["max_bytes"] == 1024 * 1024
    assert ".png" in bundle["answer_files"]["accept"]["image"]


def test_an_interview_with_repeats_and_a_photo_is_stored_in_the_engines_shape(app, client, media_world):
    photo = _send_file(client, media_world["token1"], PNG).get_json()["name"]
    payload = _household(media_world, photo, members="", adults="")  # the server calculates again
    response = client.post(SUBMIT, json=payload, headers=bearer(media_world["token1"]))
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        stored = db.session.scalar(select(Submission))
        assert [v["wait"] for v in stored.answers["visit"]] == ["15", "40"]
        assert [m["m_name"] for m in stored.answers["member"]] == ["Nguyễn Văn An", "Nguyễn Thị Bình"]
        assert (stored.answers["members"], stored.answers["adults"]) == ("2", "1")
        assert stored.answers["photo"] == photo


def test_repeat_answers_are_checked_per_instance(app, client, media_world):
    photo = _send_file(client, media_world["token1"], PNG).get_json()["name"]
    adult_without_work = [{"m_name": "An", "m_age": "44"}, {"m_name": "Bình", "m_age": "9", "m_work": "1"}]
    payload = _household(media_world, photo, member=adult_without_work,
                         visit=[{"wait": "-3"}, {"wait": "5"}])
    response = client.post(SUBMIT + "?lang=en", json=payload, headers=bearer(media_world["token1"]))
    assert response.status_code == 422
    problems = {p["key"]: p["message"] for p in response.get_json()["problems"]}
    assert set(problems) == {"member[1]/m_work", "visit[1]/wait"}
    flat = _household(media_world, photo, m_name="An")  # a repeat's question outside its repeat
    response = client.post(SUBMIT, json=flat, headers=bearer(media_world["token1"]))
    assert response.status_code == 422
    assert [p["key"] for p in response.get_json()["problems"]] == ["m_name"]
    assert _submissions(app) == 0


def test_an_interview_naming_a_file_that_was_not_received_is_refused(app, client, media_world):
    for photo in ("0" * 64 + ".png", "local-1234.png", "../../secret.png", hashlib.sha256(PNG).hexdigest() + ".exe"):
        payload = _household(media_world, photo)
        response = client.post(SUBMIT + "?lang=en", json=payload, headers=bearer(media_world["token1"]))
        assert response.status_code == 422, photo
        assert response.get_json()["problems"] == [
            {"key": "photo", "message": "The file of this answer was not received. Send the interview again."}]
    assert _submissions(app) == 0
    name = _send_file(client, media_world["token1"], PNG).get_json()["name"]
    payload = _household(media_world, name)
    assert client.post(SUBMIT, json=payload, headers=bearer(media_world["token1"])).status_code == 201


ROSTER = """| survey |
| | type | name | label |
| | begin_repeat | person | Person |
| | text | pname | Name |
| | image | portrait | Portrait |
| | end_repeat | | |
| settings |
| | form_id | version |
| | roster | 1 |
"""


def test_missing_files_are_found_inside_repeats(app):
    engine = FormEngine(parse_form("roster.md", ROSTER.encode()).definition)
    with app.app_context():
        kept = filestore.put(b"\xff\xd8kept") + ".jpg"
        db.session.commit()
        answers = {"person": [{"pname": "A", "portrait": kept}, {"pname": "B"},
                              {"pname": "C", "portrait": "f" * 64 + ".jpg"}]}
        assert [p.key for p in missing_files(engine, answers)] == ["person[3]/portrait"]
        assert missing_files(engine, {"person": "not a list"}) == []


LIMITED = """
import io, sys
from tests.field.world import bearer, build_world
from tests.limited_app import limited_app

app = limited_app(sys.argv[1])
with app.app_context():
    world = build_world(cases_each=1)
client = app.test_client()

def send(token):
    data = {"kind": "image", "file": (io.BytesIO(b"\\xff\\xd8\\xff\\xe0"), "a.jpg")}
    return client.post("/api/field/files", data=data, content_type="multipart/form-data",
                       headers=bearer(token)).status_code

codes = [send(world["token1"]) for _ in range(121)]
print(codes.count(200), codes[-1], send(world["token2"]))
"""


def test_the_file_endpoint_is_limited_per_device(tmp_path):
    """Rate limits are off in the test app (and the limiter is process-wide), so in a
    process of its own: 120 files a minute per device, the next refused, another phone not."""
    proc = subprocess.run([sys.executable, "-c", LIMITED, str(tmp_path)], cwd=Path(__file__).parents[2],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert proc.stdout.split() == ["120", "429", "200"]
