"""Guessing invitation codes: the campaign-wide limit holds the addresses that keep missing, never
a citizen with a valid code, and each campaign counts its own misses. Run in a process of its own
(the limiter is one object per process; the rest of the suite runs it off)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ATTACK = """
import sys
from tests.invitations.conftest import build_world
from tests.limited_app import limited_app

app = limited_app(sys.argv[1], CODE_CAMPAIGN_LIMIT="10 per hour")
with app.app_context():
    from survey_app.extensions import db
    from survey_app.invitations.codes import BatchRequest, generate
    from survey_app.models import Campaign, CampaignQuestionnaire, CampaignStatus, CampaignUnit
    from survey_app.queries import campaign_by_code, unit_by_code
    build_world()
    hnm, unit = campaign_by_code("HNM-2030"), unit_by_code("13285")
    other = Campaign(code="QNA-2030", title="Khác", year=2030, province=hnm.province, framework=hnm.framework,
                     status=CampaignStatus.FIELDWORK, helpline="0226 3852 000",
                     questionnaires=[CampaignQuestionnaire(questionnaire_version=hnm.questionnaires[0].questionnaire_version,
                                                           audience="citizens")],
                     units=[CampaignUnit(unit=unit, framework_level="commune", target_sample=10)])
    db.session.add(other)
    db.session.commit()
    codes = generate(BatchRequest(hnm, unit, 4))
    other_code = generate(BatchRequest(other, unit, 1))[0]
client = app.test_client()


def get(path, address):
    return client.get(path, environ_base={"REMOTE_ADDR": address}).status_code


attack = [get(f"/q/HNMZZZZ{a}{n:03d}", f"10.0.1.{a}") for a in range(1, 5) for n in range(3)]
print(*attack)
print(get("/q/HNMZZZZ9999", "10.0.1.1"), get(f"/q/{codes[0]}", "10.0.1.1"), get("/q/HNMZZZZ9998", "10.0.1.9"))
print(get(f"/q/{codes[1]}", "10.0.2.1"), get("/q/HNMZZZZ7777", "10.0.2.2"), get(f"/q/{codes[2]}", "10.0.2.2"))
print(get(f"/q/{other_code}", "10.0.1.1"))
"""


def _run(tmp_path) -> list[list[str]]:
    proc = subprocess.run([sys.executable, "-c", ATTACK, str(tmp_path)], cwd=Path(__file__).parents[2],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return [line.split() for line in proc.stdout.splitlines()[:4]]


def test_campaign_limit_holds_the_guessers_but_valid_codes_still_open(tmp_path):
    """Four addresses miss three codes each (12 misses, the campaign's limit is 10 an hour):
    a guesser is then refused, its hits too, and a fresh address gets its first misses; a citizen
    with a valid code, even after a typo, opens it; the guesser's code of another campaign opens."""
    attack, guessers, citizens, other = _run(tmp_path)
    assert attack == ["404"] * 12
    assert guessers == ["429", "429", "404"]
    assert citizens == ["200", "404", "200"]
    assert other == ["200"]
