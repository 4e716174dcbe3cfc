"""The demo's sample, fieldwork outcomes and submissions, drawn from :mod:`survey_app.demo.model`.

Design: each assessed unit is a stratum; in it VILLAGES_PER_UNIT villages (thôn / tổ dân phố)
are the clusters, and CASES_PER_VILLAGE[level] people are listed in each. About 12% of cases end
without an interview (no contact or refusal); the others are completed.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import numpy as np

from survey_app.demo import model
from survey_app.models import (Assignment, CaseStatus, Channel, SampleCase, SampleList, Submission,
                               VisitAttempt)

VILLAGES_PER_UNIT = 5
CASES_PER_VILLAGE = {"department": 10, "district": 12, "commune": 6}
NON_RESPONSE = {CaseStatus.NO_CONTACT: 0.07, CaseStatus.REFUSED: 0.05}
ICT = timezone(timedelta(hours=7))
VILLAGE_NAMES = ("Thôn Đông", "Thôn Đoài", "Thôn Nam", "Thôn Bắc", "Thôn Trung", "Thôn Thượng")


def _outcome(rng: np.random.Generator) -> CaseStatus:
    draw = rng.random()
    for status, share in NON_RESPONSE.items():
        if draw < share:
            return status
        draw -= share
    return CaseStatus.COMPLETED


def _uuid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _other_answers(rng, answers: dict[str, str]) -> dict[str, str]:
    """Perception, expectation, overall satisfaction and characteristics, loosely tied to satisfaction."""
    out = {}
    for criterion in model.CRITERIA:
        sat = answers[f"sat_{criterion}"]
        base = 3 if sat == "9" else int(sat)
        out[f"per_{criterion}"] = str(int(np.clip(base + rng.integers(-1, 2), 1, 5)))
        out[f"exp_{criterion}"] = str(int(rng.choice([3, 4, 5], p=[0.15, 0.45, 0.4])))
    known = [int(v) for v in answers.values() if v != "9"]
    out["sat_overall"] = str(int(np.clip(round(np.mean(known) + rng.normal(0, 0.4)), 1, 5)))
    out["education"] = str(rng.choice(["primary", "lower_secondary", "upper_secondary",
                                       "vocational", "university"]))
    out["ethnicity"] = "kinh" if rng.random() < 0.97 else "muong"
    out["service_used"] = str(rng.choice(["dat_dai", "tu_phap_ho_tich", "xay_dung",
                                          "dang_ky_kinh_doanh", "ldtbxh"]))
    out["service_channel"] = str(rng.choice(["direct", "online", "postal"], p=[0.7, 0.25, 0.05]))
    return out


def _submission(rng, case, unit_code, base_pct, population, village_effect, context) -> Submission:
    group = model.draw_respondent_group(rng, population)
    answers = model.draw_satisfaction(rng, base_pct, group, village_effect, context["truth"])
    answers.update(_other_answers(rng, answers))
    answers.update(sex=model.SEX_CODE[group[0]], age_group=group[1], unit_code=unit_code)
    start = context["start"] + timedelta(days=int(rng.integers(0, 40)), minutes=int(rng.integers(0, 600)))
    end = start + timedelta(seconds=int(rng.normal(720, 150)))
    answers.update(start=start.isoformat(), end=end.isoformat(), today=start.date().isoformat(),
                   deviceid=context["device"])
    return Submission(instance_uuid=_uuid(rng), questionnaire_id=context["version"].questionnaire_id,
                      questionnaire_version_id=context["version"].id, campaign_id=context["campaign"].id,
                      unit_id=case.unit.id, channel=Channel.ENUMERATOR,
                      enumerator_id=context["enumerator"].id, case=case, answers=answers,
                      paradata={"device_id": context["device"], "duration_s": (end - start).seconds},
                      started_at=start, submitted_at=end, receipt=f"HNM-{rng.integers(10**7, 10**8)}")


def draw_sample(rng, campaign, campaign_units, truth, populations, enumerators, version, progress):
    """``truth`` is the province file's ``demo_truth`` block."""
    """Create the sample list, its cases and visits, and a submission for every completed case."""
    sample = SampleList(campaign_id=campaign.id, name=f"Mẫu khảo sát người dân năm {campaign.year}",
                        method="stratified_cluster",
                        parameters={"strata": "unit", "clusters": "village",
                                    "villages_per_unit": VILLAGES_PER_UNIT,
                                    "cases_per_village": CASES_PER_VILLAGE})
    cases, submissions = [], []
    base = {str(row["unit"]): float(row["pct_satisfied"]) for row in truth["units"]}
    start = datetime(campaign.year, 8, 1, 8, 0, tzinfo=ICT)
    with progress(campaign_units, label="Demo submissions") as bar:
        for cu in bar:
            unit = cu.unit
            population = populations[unit.code]
            adults = sum(population.values())
            per_village = CASES_PER_VILLAGE[cu.framework_level]
            enumerator = enumerators(unit)
            context = {"campaign": campaign, "version": version, "enumerator": enumerator,
                       "device": f"demo-device-{enumerator.username}", "start": start,
                       "truth": truth}
            for v in range(VILLAGES_PER_UNIT):
                village = f"{unit.code}-V{v + 1}"
                effect = rng.normal(0, model.VILLAGE_SD)
                for i in range(per_village):
                    case = SampleCase(sample_list=sample, unit=unit, stratum=unit.code, cluster=village,
                                      label=f"Hộ {i + 1}, {VILLAGE_NAMES[v]}",
                                      address=f"{VILLAGE_NAMES[v]}, {unit.name}",
                                      selection_probability=VILLAGES_PER_UNIT * per_village / adults,
                                      status=_outcome(rng))
                    case.assignment = Assignment(enumerator=enumerator)
                    case.attempts = [VisitAttempt(enumerator_id=enumerator.id, outcome=case.status,
                                                  at=start + timedelta(days=int(rng.integers(0, 40))))]
                    cases.append(case)
                    if case.status is CaseStatus.COMPLETED:
                        submissions.append((case, _submission(rng, case, unit.code, base[unit.code],
                                                              population, effect, context)))
    return sample, cases, submissions
