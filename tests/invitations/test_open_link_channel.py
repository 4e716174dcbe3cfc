"""Open-link answers are a separate, non-probability channel: never in the official estimates
(their own exclusion rule), present in the export with their channel."""
from __future__ import annotations

import csv
import io

from survey_app.exports import writers
from survey_app.exports.submissions import ExportSpec
from survey_app.extensions import db
from survey_app.queries import campaign_by_code
from survey_app.survey_analysis.table import build_table
from tests.public.walker import walk

LINK = "/open/HNM-2030/13285"


def test_open_link_answers_are_outside_the_estimates_and_exported_with_their_channel(app, client, open_world):
    walk(client, None, landing=LINK)
    with app.app_context():
        campaign = campaign_by_code("HNM-2030")
        table = build_table(campaign, "sipas_citizen")
        assert table.exclusions == {"open_link_non_probability": 1} and table.data.empty
        text = "".join(writers.csv_chunks(ExportSpec(campaign, "sipas_citizen", "vi"))).lstrip("\ufeff")
        db.session.remove()
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["channel"] == "open_link" and row["analysed"] == "0"
