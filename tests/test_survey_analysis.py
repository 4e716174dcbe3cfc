"""``flask --app wsgi analyse``: the demo's known truth is recovered at about the nominal rate."""
import pandas as pd
import pytest
from sqlalchemy import select

from survey_app.demo.truth import true_values
from survey_app.extensions import db
from survey_app.models import AnalysisEstimate, AnalysisRun
from survey_app.queries import campaign_by_code
from survey_app.survey_analysis.run import analyse, domain_df
from survey_app.survey_analysis.table import build_table


@pytest.fixture(scope="module")
def demo_run(demo_app):
    """One stored run of the demo campaign (the module's tests only read it)."""
    with demo_app.app_context():
        run = analyse(campaign_by_code("HNM-2024"))
        return run.id


def _estimates(demo_app, run_id, statistic="pct_satisfied"):
    with demo_app.app_context():
        rows = db.session.scalars(select(AnalysisEstimate).where(
            AnalysisEstimate.run_id == run_id, AnalysisEstimate.statistic == statistic))
        return [(e.unit_code, e.variable, e.estimate, e.se, e.ci_low, e.ci_high, e.df) for e in rows]


def test_truth_is_covered_at_about_the_nominal_rate(demo_app, demo_run):
    truth = true_values()
    rows = _estimates(demo_app, demo_run)
    covered = [low <= truth[(unit, variable)] <= high for unit, variable, _, _, low, high, _ in rows
               if (unit, variable) in truth]
    assert len(covered) > 1000
    rate = sum(covered) / len(covered)
    assert 0.88 <= rate <= 0.99, rate


def test_weighting_removes_the_bias_of_who_answers(demo_app, demo_run):
    """Older women answer more and are more satisfied: unweighted shares run high, weighted do not."""
    truth = true_values()
    with demo_app.app_context():
        data = build_table(campaign_by_code("HNM-2024"), "sipas_citizen").data
    weighted_errors, raw_errors = [], []
    for unit, variable, estimate, *_ in _estimates(demo_app, demo_run):
        if (unit, variable) not in truth or not variable.startswith("sat_c"):
            continue
        answers = pd.to_numeric(data.loc[data["unit_code"] == unit, variable])
        answers = answers[answers != 9]
        raw_errors.append((answers >= 4).mean() - truth[(unit, variable)])
        weighted_errors.append(estimate - truth[(unit, variable)])
    raw_bias = sum(raw_errors) / len(raw_errors)
    weighted_bias = sum(weighted_errors) / len(weighted_errors)
    assert raw_bias > 0.01
    assert abs(weighted_bias) < raw_bias / 2


def test_every_estimate_has_its_error_and_design(demo_app, demo_run):
    with demo_app.app_context():
        run = db.session.get(AnalysisRun, demo_run)
        assert run.number >= 1 and len(run.input_fingerprint) == 64
        assert run.software_version.startswith("parindex")
        assert "with replacement" in run.weighting["design"]
        assert run.parameters["scoring"]["aggregation"] == "mean_of_criteria"
        for estimate in run.estimates:
            assert estimate.se >= 0 and estimate.ci_low <= estimate.estimate <= estimate.ci_high
            if estimate.statistic == "pct_satisfied" and 0 < estimate.estimate < 1:
                assert estimate.se > 0 and estimate.ci_low < estimate.estimate < estimate.ci_high
        assert {e.df for e in run.estimates if e.unit_code} == {4.0}  # five villages per unit


def test_framework_items_are_scored_too(demo_app, demo_run):
    """The framework scores the overall question sat_overall on its own (sub-criterion 8.1.4)."""
    rows = [r for r in _estimates(demo_app, demo_run) if r[1] == "sat_overall"]
    assert len(rows) >= 50 and all(0 <= r[2] <= 1 and r[3] > 0 for r in rows if 0 < r[2] < 1)


def test_same_data_same_fingerprint_new_number(demo_app, demo_run):
    with demo_app.app_context():
        first = db.session.get(AnalysisRun, demo_run)
        second = analyse(campaign_by_code("HNM-2024"))
        assert second.number == first.number + 1
        assert second.input_fingerprint == first.input_fingerprint


def test_domain_df_counts_villages_per_unit():
    data = pd.DataFrame({"unit_code": ["a", "a", "a", "b", "b"], "psu": ["1", "1", "2", "3", "4"],
                         "stratum": ["a", "a", "a", "b", "b"]})
    assert domain_df(data) == {"a": 1.0, "b": 1.0}


def test_cli_reports_the_run(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["analyse", "HNM-2024"])
    assert result.exit_code == 0, result.output
    assert "respondents" in result.output and "Kish effect" in result.output


def test_cli_unknown_campaign_is_one_line(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["analyse", "NOPE"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: Không có đợt đánh giá NOPE."
