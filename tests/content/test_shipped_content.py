"""Checks of the shipped content in questionnaires/: the XLSForms, the PAR framework and the demo province.

These tests read the real files, so a content error (a missing translation, a sum that does not add up,
a dangling survey reference, a unit without population) makes them fail.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pyxform.xls2json_backends import md_to_dict
from pyxform.xls2xform import convert

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
FORMS = {"sipas_citizen": ROOT / "sipas_citizen.md", "cbcc_staff": ROOT / "cbcc_staff.md"}
FRAMEWORK = ROOT / "frameworks" / "par_units_2024.yaml"
DEMO = ROOT / "demo" / "province.yaml"

VI = "Tiếng Việt (vi)"
EN = "English (en)"
AGE_GROUPS = ["18_29", "30_44", "45_59", "60_plus"]
SEXES = ["male", "female"]
# Vietnamese letters with diacritics: a Vietnamese label without any is almost certainly untranslated.
VI_MARKS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
SIPAS_FACTORS = {"F1": (1, 4), "F2": (5, 9), "F3": (10, 15), "F4": (16, 18), "F5": (19, 22)}


def D(x) -> Decimal:
    return Decimal(str(x))


# --------------------------------------------------------------------------------------------- forms
@pytest.fixture(scope="module", params=sorted(FORMS))
def form(request):
    path = FORMS[request.param]
    return request.param, path, md_to_dict(path.read_text(encoding="utf-8"))


def survey_rows(book):
    return book["survey"]


def choices_by_list(book):
    lists: dict[str, list[dict]] = {}
    for row in book["choices"]:
        lists.setdefault(row["list_name"], []).append(row)
    return lists


def test_form_files_are_nfc():
    for path in list(FORMS.values()) + [FRAMEWORK, DEMO]:
        text = path.read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, path


@pytest.mark.parametrize("name", sorted(FORMS))
def test_form_converts_without_warnings(name):
    warnings: list[str] = []
    result = convert(xlsform=str(FORMS[name]), warnings=warnings, file_type=".md")
    assert f'id="{name}"' in result.xform
    assert 'version="2024.1"' in result.xform
    assert warnings == []
    assert "<translation" in result.xform and f'lang="{VI}"' in result.xform and f'lang="{EN}"' in result.xform


def test_form_settings(form):
    name, _, book = form
    (settings,) = book["settings"]
    assert settings["form_id"] == name
    assert settings["version"] == "2024.1"
    assert settings["default_language"] == VI
    assert VI_MARKS.search(settings["form_title"])


def test_every_label_has_both_languages(form):
    _, _, book = form
    for row in survey_rows(book):
        typ = row["type"]
        if typ in ("end_group", "end group", "end_repeat") or typ in ("start", "end", "today", "deviceid", "hidden"):
            assert not any(k.startswith("label") for k in row), row
            continue
        for col in ("label", "hint", "constraint_message", "required_message"):
            vi, en = row.get(f"{col}::{VI}"), row.get(f"{col}::{EN}")
            assert bool(vi) == bool(en), (row["name"], col)
            if vi:
                assert VI_MARKS.search(vi), (row["name"], col, vi)
        assert row.get(f"label::{VI}") and row.get(f"label::{EN}"), row["name"]
        if row.get("required") == "yes":
            assert row.get(f"required_message::{VI}"), row["name"]
        if row.get("constraint"):
            assert row.get(f"constraint_message::{VI}"), row["name"]
        assert not any(k in ("label", "hint") for k in row), "untranslated column"
    for row in book["choices"]:
        assert row.get(f"label::{VI}") and row.get(f"label::{EN}"), row
        assert "label" not in row


def test_scale_lists_allow_dont_know(form):
    _, _, book = form
    lists = choices_by_list(book)
    for list_name in ("agree5", "sat5", "imp5", "rate5"):
        if list_name in lists:
            names = [c["name"] for c in lists[list_name]]
            assert names == ["1", "2", "3", "4", "5", "9"], list_name


def test_common_respondent_lists(form):
    _, _, book = form
    lists = choices_by_list(book)
    assert [c["name"] for c in lists["age_group"]] == AGE_GROUPS
    assert [c["name"] for c in lists["sex"]] == ["1", "2"]
    assert [c[f"label::{VI}"] for c in lists["sex"]] == ["Nam", "Nữ"]
    names = {r["name"]: r for r in survey_rows(book) if "name" in r}
    for q in ("sex", "age_group"):
        assert names[q]["type"] == f"select_one {q}" and names[q]["required"] == "yes"
    assert names["unit_code"]["type"] == "hidden"
    for meta in ("start", "end", "today", "deviceid"):
        assert names[meta]["type"] == meta


def test_sipas_has_22_criteria_three_ways():
    book = md_to_dict(FORMS["sipas_citizen"].read_text(encoding="utf-8"))
    rows = survey_rows(book)
    expected = {"per": "agree5", "sat": "sat5", "exp": "imp5"}
    found = {r["name"]: r for r in rows if re.fullmatch(r"(per|sat|exp)_c\d\d", r.get("name", ""))}
    assert len(found) == 66
    for kind, list_name in expected.items():
        for i in range(1, 23):
            row = found[f"{kind}_c{i:02d}"]
            assert row["type"] == f"select_one {list_name}"
            assert row["required"] == "yes"
            assert row["appearance"] == "likert"
    # each factor/kind sits in its own field-list group, in criterion order
    group, seen = None, {}
    for r in rows:
        if r["type"] == "begin_group":
            group = r["name"]
            assert r.get("appearance") == "field-list", group
        elif r["type"] == "end_group":
            group = None
        elif r.get("name") in found:
            seen.setdefault(group, []).append(r["name"])
    for f, (a, b) in SIPAS_FACTORS.items():
        for kind in expected:
            assert seen[f"g_{f.lower()}_{kind}"] == [f"{kind}_c{i:02d}" for i in range(a, b + 1)]
    lists = choices_by_list(book)
    sat = {c["name"]: c[f"label::{VI}"] for c in lists["sat5"]}
    assert sat["1"] == "Rất không hài lòng" and sat["3"] == "Bình thường" and sat["5"] == "Rất hài lòng"
    names = {r["name"]: r for r in rows if "name" in r}
    assert names["sat_overall"]["type"] == "select_one sat5"
    assert "string-length(.)" in names["suggestion"]["constraint"] and names["suggestion"].get("required") != "yes"
    for q in ("education", "ethnicity", "service_used", "service_channel"):
        assert names[q]["type"].startswith(f"select_one {q}")
    assert {"kinh", "hmong", "other"} <= {c["name"] for c in lists["ethnicity"]}
    assert names["ethnicity_other"]["relevant"] == "${ethnicity} = 'other'"
    assert {"direct", "online", "postal"} == {c["name"] for c in lists["service_channel"]}
    assert len(lists["service_used"]) >= 10 and lists["service_used"][-1]["name"] == "other"


def test_cbcc_structure():
    book = md_to_dict(FORMS["cbcc_staff"].read_text(encoding="utf-8"))
    rows = survey_rows(book)
    names = {r["name"]: r for r in rows if "name" in r}
    assert [c["name"] for c in choices_by_list(book)["role"]] == ["leader", "civil_servant"]
    assert names["years_service"]["type"] == "integer" and names["years_service"]["constraint"]
    for f in range(1, 9):
        items = [r for r in rows if r.get("name", "").startswith(f"f{f}_")]
        assert 2 <= len(items) <= 3, f
        assert all(r["type"] == "select_one agree5" and r["required"] == "yes" for r in items)
    assert names["obstacles"]["type"] == "select_multiple obstacle"
    assert "selected(${obstacles}, 'other')" == names["obstacles_other"]["relevant"]
    leader_only = [r for r in rows if r.get("relevant") == "${role} = 'leader'" and r["type"] != "begin_group"]
    assert leader_only
    assert names["rating_overall"]["type"] == "select_one rate5"


# ------------------------------------------------------------------------------------------ framework
@pytest.fixture(scope="module")
def framework():
    return yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))


def form_item_names(name):
    book = md_to_dict(FORMS[name].read_text(encoding="utf-8"))
    return {r["name"] for r in book["survey"] if "name" in r}


def bilingual(node):
    return isinstance(node, dict) and set(node) == {"vi", "en"} and all(isinstance(v, str) and v for v in node.values())


def test_framework_header(framework):
    assert framework["code"] == "par_units"
    assert framework["version"] == "2024.1"
    for key in ("title", "province_choice_note"):
        assert bilingual(framework[key])
    assert framework["source"]
    mins = [c["min_percent"] for c in framework["classes"]]
    assert mins == sorted(mins, reverse=True) and mins[-1] == 0
    assert [c["code"] for c in framework["classes"]] == ["A", "B", "C", "D"] and mins[:3] == [90, 80, 70]
    assert all(bilingual(c["label"]) for c in framework["classes"])
    assert framework["no_survey"] == {"rescale_to": 100}
    sat = framework["satisfaction"]
    assert sat["questionnaire"] in FORMS
    assert sat["satisfied_codes"] == [4, 5] and sat["missing_codes"] == [9]
    assert sat["aggregation"] in ("mean_of_criteria", "pooled")
    crit = [c for f in sat["factors"].values() for c in f["criteria"]]
    assert crit == [f"c{i:02d}" for i in range(1, 23)]
    for f, (a, b) in SIPAS_FACTORS.items():
        assert sat["factors"][f]["criteria"] == [f"c{i:02d}" for i in range(a, b + 1)]
        assert bilingual(sat["factors"][f]["name"])


def iter_subs(level):
    for field in level["fields"]:
        for crit in field["criteria"]:
            for sub in crit["sub_criteria"]:
                yield field, crit, sub


@pytest.mark.parametrize("level_code", ["department", "district", "commune"])
def test_framework_level_sums_and_codes(framework, level_code):
    level = framework["levels"][level_code]
    assert bilingual(level["name"])
    assert D(level["max_points"]) == 100
    assert sum(D(f["max_points"]) for f in level["fields"]) == D(level["max_points"])
    assert [f["code"] for f in level["fields"]] == [str(i) for i in range(1, 9)]
    codes = []
    for field in level["fields"]:
        assert bilingual(field["name"])
        codes.append(field["code"])
        assert sum(D(c["max_points"]) for c in field["criteria"]) == D(field["max_points"]), field["code"]
        for crit in field["criteria"]:
            assert crit["code"].startswith(field["code"] + ".")
            assert bilingual(crit["name"])
            codes.append(crit["code"])
            scored = [s for s in crit["sub_criteria"] if s["method"] in ("self_assessed", "survey")]
            assert scored, crit["code"]
            assert sum(D(s["max_points"]) for s in scored) == D(crit["max_points"]), crit["code"]
            for sub in crit["sub_criteria"]:
                assert sub["code"].startswith(crit["code"] + ".")
                codes.append(sub["code"])
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("level_code", ["department", "district", "commune"])
def test_framework_sub_criteria(framework, level_code):
    level = framework["levels"][level_code]
    default_step = D(framework.get("default_step", "0.25"))
    for _, _, sub in iter_subs(level):
        assert bilingual(sub["name"]), sub["code"]
        assert sub["method"] in ("self_assessed", "survey", "bonus", "penalty"), sub["code"]
        assert D(sub["max_points"]) > 0
        assert bilingual(sub.get("guidance")), sub["code"]
        if sub["method"] != "survey":
            step = D(sub.get("step", default_step))
            assert step > 0 and D(sub["max_points"]) % step == 0, sub["code"]
            # every point value quoted in the guidance is reachable with the step
            for pts in re.findall(r"(\d+(?:,\d+)?) điểm", sub["guidance"]["vi"]):
                value = D(pts.replace(",", "."))
                assert value <= D(sub["max_points"]) and value % step == 0, (sub["code"], pts)
            assert "survey" not in sub


@pytest.mark.parametrize("level_code,self_points,survey_points", [
    ("department", 80, 20), ("district", 80, 20), ("commune", 70, 30)])
def test_framework_shares_and_sizes(framework, level_code, self_points, survey_points):
    level = framework["levels"][level_code]
    subs = [s for _, _, s in iter_subs(level)]
    assert sum(D(s["max_points"]) for s in subs if s["method"] == "self_assessed") == self_points
    assert sum(D(s["max_points"]) for s in subs if s["method"] == "survey") == survey_points
    assert len(level["fields"]) == 8
    assert 25 <= sum(len(f["criteria"]) for f in level["fields"]) <= 40
    assert 50 <= len(subs) <= 90
    assert any(s["method"] == "bonus" for s in subs) and any(s["method"] == "penalty" for s in subs)
    assert all(f.get("province_choice") is True for f in level["fields"])
    # field 8 (impact) is mostly survey-scored
    f8 = level["fields"][7]
    f8_survey = sum(D(s["max_points"]) for c in f8["criteria"] for s in c["sub_criteria"] if s["method"] == "survey")
    assert f8_survey * 2 > D(f8["max_points"])


@pytest.mark.parametrize("level_code", ["department", "district", "commune"])
def test_framework_survey_references(framework, level_code):
    factors = framework["satisfaction"]["factors"]
    items = {name: form_item_names(name) for name in FORMS}
    for _, _, sub in iter_subs(framework["levels"][level_code]):
        if sub["method"] != "survey":
            continue
        sv = sub["survey"]
        assert sv["questionnaire"] in FORMS, sub["code"]
        assert sv["indicator"] in ("pct_satisfied", "mean_score")
        refs = [k for k in ("factor", "criterion", "item") if k in sv]
        assert len(refs) == 1, sub["code"]
        ref = refs[0]
        if ref == "factor":
            assert sv["questionnaire"] == "sipas_citizen" and sv["factor"] in factors
        elif ref == "criterion":
            assert sv["questionnaire"] == "sipas_citizen"
            assert any(sv["criterion"] in f["criteria"] for f in factors.values())
            assert f"sat_{sv['criterion']}" in items["sipas_citizen"]
        else:
            assert sv["item"] in items[sv["questionnaire"]], sub["code"]
        if sv["conversion"] == "thresholds":
            th = sv["thresholds"]
            mins = [t["min"] for t in th]
            pts = [D(t["points"]) for t in th]
            assert mins == sorted(mins, reverse=True) and mins[-1] == 0
            assert pts == sorted(pts, reverse=True) and pts[0] == D(sub["max_points"])
        else:
            assert sv["conversion"] == "proportional"


# --------------------------------------------------------------------------------------- demo province
@pytest.fixture(scope="module")
def demo():
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def test_demo_units(demo):
    assert demo["province"]["code"] == "35" and demo["province"]["name"] == "Tỉnh Hà Nam"
    level_codes = [lv["code"] for lv in demo["levels"]]
    assert level_codes == ["province", "department", "district", "commune"]
    assert all(bilingual(lv["name"]) for lv in demo["levels"])
    units = demo["units"]
    codes = [u["code"] for u in units]
    assert len(codes) == len(set(codes))
    assert all(isinstance(c, str) for c in codes)
    by_code = {u["code"]: u for u in units}
    order = {c: i for i, c in enumerate(level_codes)}
    for u in units:
        assert u["level"] in order
        assert unicodedata.normalize("NFC", u["name"]) == u["name"]
        if u["level"] == "province":
            assert u["parent"] is None
            continue
        parent = by_code[u["parent"]]
        # listed before its children, so a loader can resolve parents in one pass
        assert codes.index(parent["code"]) < codes.index(u["code"]), u["code"]
        # the parent is at a higher level; departments and districts hang off the province
        assert order[parent["level"]] < order[u["level"]], u["code"]
        if u["level"] == "commune":  # under a district until 2025, under the province from 2025
            assert parent["level"] == ("province" if u["valid_from"] >= 2025 else "district")
            assert re.fullmatch(r"\d{5}", u["code"])
            assert re.match(r"(Xã|Phường|Thị trấn) ", u["name"]), u["name"]
        elif u["level"] == "district":
            assert re.fullmatch(r"\d{3}", u["code"])
            assert re.match(r"(Huyện|Thị xã|Thành phố) ", u["name"]), u["name"]
        elif u["level"] == "department":
            assert re.fullmatch(r"(35|37)\.S\d\d", u["code"]) and u["name"].startswith("Sở ")
            assert "population" not in u
        if "valid_to" in u:
            assert u["valid_to"] >= u["valid_from"]
    levels = [u["level"] for u in units]
    assert levels.count("district") == 6 and levels.count("department") >= 12
    for d in (u for u in units if u["level"] == "district"):
        assert 4 <= sum(1 for u in units if u.get("parent") == d["code"] and u.get("valid_to", 2025) >= 2024) <= 6


def test_demo_population(demo):
    for u in demo["units"]:
        if u["level"] not in ("district", "commune") or u["valid_from"] >= 2025:
            continue  # a 2025 unit counts its predecessors' adults (survey_app/demo/province.py)
        pop = u["population"]
        assert sorted(pop) == sorted(SEXES), u["code"]
        for sex in SEXES:
            # keys must stay strings: unquoted 18_29 would be read by YAML 1.1 as the integer 1829
            assert list(pop[sex]) == AGE_GROUPS, u["code"]
            assert all(isinstance(n, int) and n > 0 for n in pop[sex].values())
        total = sum(sum(pop[s].values()) for s in SEXES)
        low, high = (3_000, 40_000) if u["level"] == "commune" else (40_000, 300_000)
        assert low <= total <= high, (u["code"], total)


def test_demo_mergers(demo):
    """2024: two wards merged at the new year. 2025 (1 July): the province, its departments and
    communes merged mid-year, so the predecessors are valid in 2025 too and the communes now hang
    off the province (no district level)."""
    by_code = {u["code"]: u for u in demo["units"]}
    assert demo["mergers"]
    for m in demo["mergers"]:
        succ = by_code[m["successor"]]
        assert succ["valid_from"] == m["year"] and succ.get("valid_to", 2025) >= 2025
        assert len(m["predecessors"]) >= (1 if m["year"] == 2025 else 2)
        for p in m["predecessors"]:
            pred = by_code[p]
            assert pred["valid_to"] == (m["year"] if m["year"] == 2025 else m["year"] - 1)
            assert pred["level"] == succ["level"]
            assert pred["parent"] == succ["parent"] or succ["parent"] == "37" or succ["level"] == "province"


def test_demo_truth(demo):
    truth = demo["demo_truth"]
    assert bilingual(truth["model"])
    assert set(truth["factor_offsets"]) == set(SIPAS_FACTORS)
    assert 0 <= truth["dont_know_rate"] < 0.2
    rows = truth["units"]
    units = {u["code"]: u for u in demo["units"]}
    assert len({r["unit"] for r in rows}) == len(rows)
    assert {r["unit"] for r in rows} == {c for c, u in units.items() if u["level"] != "province"}
    pcts = [r["pct_satisfied"] for r in rows]
    assert all(40 <= p <= 99 and r["note"] for p, r in zip(pcts, rows))
    assert max(pcts) >= 90 and sum(p < 70 for p in pcts) >= 2 and sum(65 <= p <= 95 for p in pcts) >= len(pcts) * 0.8
