"""The demo loader: a realistic province, two years, one user per role, known truth."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from survey_app.demo import DemoError, load_demo, model, province
from survey_app.extensions import db
from survey_app.models import (AdminUnit, Campaign, CaseStatus, QuestionnaireVersion, SampleCase,
                               Score, ScoringMethod, Submission, UnitSuccession, User, VersionStatus)


def _count(model_cls):
    return db.session.scalar(select(func.count()).select_from(model_cls))


def test_demo_holds_a_province_campaign_and_submissions(demo_app):
    with demo_app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "HNM-2024"))
        levels = {cu.framework_level for cu in campaign.units}
        assert levels == {"department", "district", "commune"}
        assert len(campaign.units) >= 30
        assert {q.audience for q in campaign.questionnaires} == {"citizens", "staff"}
        completed = db.session.scalar(select(func.count()).select_from(SampleCase)
                                      .where(SampleCase.status == CaseStatus.COMPLETED))
        door_to_door = db.session.scalar(select(func.count()).select_from(Submission)
                                         .where(Submission.case_id.is_not(None)))
        assert door_to_door == completed > 1000
        assert _count(SampleCase) > completed  # refusals and no contact are kept


def test_every_unit_has_population_by_sex_and_age(demo_app):
    with demo_app.app_context():
        for unit in db.session.scalars(select(AdminUnit)):
            if unit.level.code in ("district", "commune"):
                groups = {(p.sex, p.age_group) for p in unit.population}
                assert groups == {(s, a) for s in model.SEXES for a in model.AGE_GROUPS}, unit.code


def test_merger_is_recorded_between_years(demo_app):
    """At a new year (2024) the predecessor ends the year before; in the mid-year reorganisation
    of 1 July 2025 the predecessors are valid in 2025 too."""
    with demo_app.app_context():
        links = list(db.session.scalars(select(UnitSuccession)))
        assert {link.year for link in links} == {2024, 2025}
        for link in links:
            assert link.predecessor.valid_to == (link.year if link.year == 2025 else link.year - 1)
            assert link.successor.valid_from == link.year


def test_one_user_per_role(demo_app):
    with demo_app.app_context():
        for role in ("admin", "analyst", "supervisor", "enumerator", "unit_editor", "appraiser"):
            user = db.session.scalar(select(User).where(User.username == role))
            assert user.primary_role().value == role
            assert user.check_password("demo-2024")


def test_submissions_have_design_variables_and_valid_answers(demo_app):
    with demo_app.app_context():
        submission = db.session.scalar(select(Submission).limit(1))
        assert submission.case.stratum == submission.unit.code
        assert submission.case.cluster.startswith(submission.unit.code)
        assert 0 < submission.case.selection_probability < 1
        for criterion in model.CRITERIA:
            assert submission.answers[f"sat_{criterion}"] in {"1", "2", "3", "4", "5", "9"}
        assert submission.answers["unit_code"] == submission.unit.code
        assert submission.answers["age_group"] in model.AGE_GROUPS


def test_staff_answer_their_own_questionnaire(demo_app):
    with demo_app.app_context():
        staff = [s for s in db.session.scalars(select(Submission).join(QuestionnaireVersion))
                 if s.questionnaire_version.questionnaire.form_id == "cbcc_staff"]
        assert len(staff) >= 8 * 50
        assert all(s.case_id is None and s.channel.value == "web_link" for s in staff)
        assert all(s.answers["unit_code"] == s.unit.code for s in staff)
        assert {s.answers["role"] for s in staff} == {"leader", "civil_servant"}


def test_questionnaires_are_published(demo_app):
    with demo_app.app_context():
        versions = list(db.session.scalars(select(QuestionnaireVersion)))
        assert {v.questionnaire.form_id for v in versions} == {"sipas_citizen", "cbcc_staff"}
        assert all(v.status is VersionStatus.PUBLISHED for v in versions)


def test_self_assessed_points_respect_maximum_and_step(demo_app):
    with demo_app.app_context():
        scores = list(db.session.scalars(select(Score)))
        assert scores
        for score in scores:
            assert 0 <= score.self_points <= score.node.max_points
            if score.node.method is ScoringMethod.SELF_ASSESSED:
                step = score.node.step or Decimal("0.25")
                assert score.self_points % step == 0


def test_true_satisfaction_is_between_the_groups_extremes():
    population = {(s, a): 100.0 for s in model.SEXES for a in model.AGE_GROUPS}
    offsets = {"F3": -5.0}
    truth = model.true_pct_satisfied(85, population, "c11", offsets)
    lowest = 100 * model.expected_satisfied(model.linear_predictor(85, "male", "18_29", "c11", offsets))
    highest = 100 * model.expected_satisfied(model.linear_predictor(85, "female", "60_plus", "c11", offsets))
    assert lowest < truth < highest
    assert abs(truth - 80) < 3  # the factor offset moves the criterion, sex and age nearly cancel


def test_sample_over_represents_older_women_so_weights_matter(demo_app):
    with demo_app.app_context():
        answers = [s.answers for s in db.session.scalars(select(Submission)
                                                          .where(Submission.case_id.is_not(None)))]
    share_old_women = sum(a["sex"] == "2" and a["age_group"] == "60_plus" for a in answers) / len(answers)
    assert share_old_women > 0.15  # about 12.5% of adults, more among respondents


def test_demo_refuses_a_database_with_data(demo_app):
    with demo_app.app_context(), pytest.raises(DemoError):
        load_demo()


def test_demo_command_if_empty_prints_logins(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded again" in result.output and "unit_editor" in result.output


def test_demo_command_loads_into_an_empty_database(app):
    result = app.test_cli_runner().invoke(args=["demo", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "appraiser" in result.output and "demo-2024" in result.output
    with app.app_context():
        assert _count(Submission) > 1000


def test_province_file_and_loader_agree():
    document = province.read_province()
    assert document["province"]["code"] == "35"
    assert {u["level"] for u in document["units"]} >= {"department", "district", "commune"}
