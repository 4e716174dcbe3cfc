"""A campaign's open link: answering without a code, resuming, the channel, refusals, the limit."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Campaign, CampaignStatus, ResponseDraft, Submission
from tests.public.walker import tok, walk

LINK = "/open/HNM-2030/13285"


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_answered_end_to_end_without_a_code_as_open_link(app, client, open_world):
    landing = client.get(LINK).get_data(as_text=True)
    assert "Phường Quang Trung" in landing and "Tỉnh Hà Nam" in landing and "Bắt đầu" in landing
    receipts = walk(client, None, landing=LINK)
    assert len(receipts) == 1 and receipts[0].startswith("PAR-")
    with app.app_context():
        stored = db.session.scalar(select(Submission))
        assert stored.channel.value == "open_link" and stored.invitation_id is None
        assert stored.unit.code == "13285" and stored.answers["unit_code"] == "13285"
        assert stored.receipt == receipts[0]
        assert db.session.scalar(select(func.count()).select_from(ResponseDraft)) == 0
    done = client.get(LINK + "/done").get_data(as_text=True)
    assert receipts[0] in done
    again = client.get(LINK)
    assert again.status_code == 200 and "Bắt đầu" in again.get_data(as_text=True)


def test_each_visitor_has_a_draft_of_their_own_kept_by_the_session(app, open_world):
    first, second = app.test_client(), app.test_client()
    landing = first.get(LINK).get_data(as_text=True)
    page_url = first.post(LINK + "/start", data={"csrf_token": tok(landing)}).headers["Location"]
    assert page_url.startswith(LINK + "/page/")
    assert first.get(page_url).status_code == 200
    assert "Tiếp tục từ chỗ đã dừng" in first.get(LINK).get_data(as_text=True)
    resumed = first.post(LINK + "/start", data={"csrf_token": tok(landing)}).headers["Location"]
    assert resumed.startswith(LINK + "/page/")  # where the answers stop (after the introduction)
    assert _count(app, ResponseDraft) == 1
    assert second.get(page_url).status_code == 302  # no draft in this browser: back to the landing page
    assert "Bắt đầu" in second.get(LINK).get_data(as_text=True)
    with app.app_context():
        draft = db.session.scalar(select(ResponseDraft))
        assert draft.invitation_id is None and draft.campaign_id and draft.unit_id and draft.questionnaire_version_id


def test_a_campaign_without_open_link_answers_404_with_a_message(app, client, world):
    response = client.get(LINK)
    assert response.status_code == 404
    assert "Đường dẫn khảo sát này không mở" in response.get_data(as_text=True)
    assert client.post(LINK + "/start", data={}).status_code in (400, 404)
    assert client.get(LINK + "/page/1").status_code == 404
    assert "/open/" not in client.get("/campaigns/HNM-2030").get_data(as_text=True)


def test_an_unassessed_unit_or_a_closed_campaign_has_no_open_link(app, client, open_world):
    assert client.get("/open/HNM-2030/13288").status_code == 404
    assert client.get("/open/NOPE/13285").status_code == 404
    assert f'href="{LINK}"' in client.get("/campaigns/HNM-2030").get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(Campaign)).status = CampaignStatus.PUBLISHED
        db.session.commit()
    assert client.get(LINK).status_code == 404
    english = client.get(LINK + "?lang=en")
    assert english.status_code == 404 and "This survey link is not open" in english.get_data(as_text=True)


LIMITED = """
import re, sys
from tests.invitations.conftest import build_world
from tests.limited_app import limited_app

app = limited_app(sys.argv[1])
with app.app_context():
    world = build_world(open_link=True)
    from survey_app.invitations.codes import BatchRequest, generate
    from survey_app.queries import campaign_by_code, unit_by_code
    code = generate(BatchRequest(campaign_by_code("HNM-2030"), unit_by_code("13285"), 1))[0]
link = "/open/HNM-2030/13285"

def start(client, address="10.0.0.1"):
    page = client.get(link, environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(link + "/start", data={"csrf_token": token}, environ_base={"REMOTE_ADDR": address})

codes = []
for _ in range(6):
    codes.append(start(app.test_client()).status_code)   # a new visitor each time: a new draft
same = app.test_client()
resumed = [start(same, "10.0.0.2").status_code for _ in range(7)]   # one draft, resumed: counted once
refused = start(app.test_client())
token = re.search(r'name="csrf_token" value="([^"]+)"', same.get(link).get_data(as_text=True)).group(1)
page_posts = [same.post(link + "/check", data={"csrf_token": token}, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code
              for _ in range(31)]
invited = app.test_client()
landing = invited.get(f"/q/{code}", environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_data(as_text=True)
token = re.search(r'name="csrf_token" value="([^"]+)"', landing).group(1)
invited.post(f"/q/{code}/start", data={"csrf_token": token}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
code_posts = {invited.post(f"/q/{code}/check", data={"csrf_token": token},
                           environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code for _ in range(35)}
print(" ".join(map(str, codes)), resumed.count(302), refused.status_code, "/".join(map(str, sorted(set(page_posts[:30])))),
      page_posts[-1], "/".join(map(str, sorted(code_posts))))
print(refused.get_data(as_text=True).split("<h1>")[1].split("</h1>")[0])
"""


def test_new_questionnaires_are_limited_per_address(tmp_path):
    """Rate limits are off in the test app (and the limiter is process-wide), so in a process of
    its own: 5 new questionnaires an hour per address, a resume not counted, posts 30 a minute;
    an invitation code's pages are not limited."""
    proc = subprocess.run([sys.executable, "-c", LIMITED, str(tmp_path)], cwd=Path(__file__).parents[2],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    first, second = proc.stdout.splitlines()[:2]
    assert first.split() == ["302", "302", "302", "302", "302", "429", "7", "429", "422", "429", "422"]
    assert "Có quá nhiều phiếu được bắt đầu từ kết nối này" in second


GUESSING = """
import sys
from tests.invitations.conftest import build_world
from tests.limited_app import limited_app

app = limited_app(sys.argv[1])
with app.app_context():
    world = build_world(open_link=True)
    from survey_app.invitations.codes import BatchRequest, generate
    from survey_app.queries import campaign_by_code, unit_by_code
    code = generate(BatchRequest(campaign_by_code("HNM-2030"), unit_by_code("13285"), 1))[0]
client = app.test_client()
misses = [client.get(f"/q/HNMZZZZ{n:04d}", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code for n in range(21)]
blocked = client.get(f"/q/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
other = client.get(f"/q/{code}", environ_base={"REMOTE_ADDR": "10.0.0.10"}).status_code
print(misses.count(404), misses[-1], blocked.status_code, other)
print(" ".join(blocked.get_data(as_text=True).split()))
"""


def test_guessing_codes_is_limited_per_address(tmp_path):
    """20 unknown codes an hour per address; then even a valid code gets 429 from that address,
    and another address still opens it."""
    proc = subprocess.run([sys.executable, "-c", GUESSING, str(tmp_path)], cwd=Path(__file__).parents[2],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    counts, page = proc.stdout.split("\n", 1)
    assert counts.split() == ["20", "429", "429", "200"]
    assert "kết nối của Ông/Bà" in page and not re.search(r"\bbạn\b", page, re.IGNORECASE)  # the citizen's address
