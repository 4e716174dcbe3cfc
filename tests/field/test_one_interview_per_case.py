"""One interview per sampled case (and respondent line): a new UUID on a completed case is
refused with 409 and kept aside, also when two arrive at once; a plan with several respondents
per household takes up to that many, each on its own line."""
import threading

from sqlalchemy import func, select, update

from survey_app.extensions import db
from survey_app.models import Campaign, Submission, SubmissionConflict
from survey_app.models.fieldwork import CASE_COMPLETED
from tests.field.world import bearer, interview

URL = "/api/field/submissions"


def _stored(app, case_id):
    with app.app_context():
        return list(db.session.execute(select(Submission.instance_uuid, Submission.respondent_line)
                                       .where(Submission.case_id == case_id).order_by(Submission.respondent_line)))


def _kept(app):
    with app.app_context():
        return list(db.session.execute(select(SubmissionConflict.client_uuid, SubmissionConflict.reason,
                                              SubmissionConflict.submission_id)))


def test_a_completed_case_refuses_a_new_uuid_and_keeps_it_aside(app, client, world):
    first, second = interview(world), interview(world, age="52")
    assert client.post(URL, json=first, headers=bearer(world["token1"])).status_code == 201
    refused = client.post(URL, json=second, headers=bearer(world["token1"]))
    assert refused.status_code == 409
    assert "đã hoàn thành" in refused.get_json()["error"]
    assert [row.instance_uuid for row in _stored(app, first["case_id"])] == [first["instance_uuid"]]
    [(uuid, reason, _)] = _kept(app)
    assert (uuid, reason) == (second["instance_uuid"], CASE_COMPLETED)
    assert client.post(URL, json=first, headers=bearer(world["token1"])).status_code == 200  # a resend still is


def test_a_plan_with_two_respondents_per_household_takes_two_lines(app, client, world):
    with app.app_context():
        db.session.execute(update(Campaign).values(sampling_plan={"respondents_per_household": 2}))
        db.session.commit()
    sends = [interview(world, age=str(30 + i)) for i in range(3)]
    codes = [client.post(URL, json=s, headers=bearer(world["token1"])).status_code for s in sends]
    assert codes == [201, 201, 409]
    assert [row.respondent_line for row in _stored(app, sends[0]["case_id"])] == [1, 2]
    line_two_again = dict(interview(world), line_number=2)
    assert client.post(URL, json=line_two_again, headers=bearer(world["token1"])).status_code == 409


def test_two_new_interviews_of_one_case_at_once_store_one(app, world):
    sends = [interview(world, age="40"), interview(world, age="61")]
    results, start = {}, threading.Barrier(2)

    def send(index):
        start.wait()
        results[index] = app.test_client().post(URL, json=sends[index], headers=bearer(world["token1"]))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results.values()) == [201, 409], [r.get_json() for r in results.values()]
    loser = next(i for i, r in results.items() if r.status_code == 409)
    assert len(_stored(app, sends[0]["case_id"])) == 1
    [(uuid, reason, _)] = _kept(app)
    assert (uuid, reason) == (sends[loser]["instance_uuid"], CASE_COMPLETED)


def test_an_interview_is_credited_to_the_enumerator_whose_token_sends_it(app, client, world):
    made_by_other = dict(interview(world), enumerator_id=world["users"]["enum2"])
    assert client.post(URL, json=made_by_other, headers=bearer(world["token1"])).status_code == 403
    mine = dict(interview(world), enumerator_id=world["users"]["enum1"])
    assert client.post(URL, json=mine, headers=bearer(world["token1"])).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)
                                 .where(Submission.enumerator_id == world["users"]["enum1"])) == 1
