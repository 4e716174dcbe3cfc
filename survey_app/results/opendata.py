"""Open data (*dữ liệu mở*): every figure of one publication as plain tables, read from what the
publication stored, never recomputed, so each figure equals the public API's.

* ``index`` — per unit, one row per field and one ``TOTAL`` row (points, SE, interval, rank
  and rank interval, class), from the frozen document (:mod:`survey_app.results.frozen`);
* ``sub_criteria`` — every sub-criterion's points, with the survey indicator it converts;
* ``indicators`` — every estimate of the publication's analysis run (estimate, SE, interval,
  df, design effect, n), per unit with its level;
* ``level_averages`` — the report's average of each level's units per factor and criterion with
  its interval, and ``response_rates`` — the report's sample table (cases by outcome, response
  rate, one ``TOTAL`` row): both read from the PDF's own functions
  (:mod:`survey_app.reports.data`), so the files and the report agree figure by figure. The
  response rates are the sample's statuses when the file is made.

A figure that is not defined (an infinite design effect, a NaN SE) is left empty.

:data:`DICTIONARY` describes every column in Vietnamese and English (the data dictionary
shipped with the files).
"""
from __future__ import annotations

import math

from survey_app.results.runs import run_estimates

TOTAL = "TOTAL"

#: table → [(column, Vietnamese description, English description)]
DICTIONARY: dict[str, list[tuple[str, str, str]]] = {
    "index": [
        ("campaign", "Mã đợt khảo sát", "Campaign code"),
        ("version", "Phiên bản công bố", "Publication version"),
        ("unit_code", "Mã đơn vị", "Unit code"),
        ("unit_name", "Tên đơn vị", "Unit name"),
        ("level", "Cấp đơn vị (nhóm xếp hạng)", "Unit level (ranking group)"),
        ("field", "Mã lĩnh vực; TOTAL là tổng điểm chỉ số", "Field code; TOTAL is the index total"),
        ("field_name", "Tên lĩnh vực", "Field name"),
        ("points", "Điểm đạt được", "Points obtained"),
        ("max_points", "Điểm tối đa", "Maximum points"),
        ("se", "Sai số chuẩn của tổng điểm (chỉ dòng TOTAL)", "Standard error of the total (TOTAL row only)"),
        ("ci_low", "Cận dưới khoảng tin cậy 95% của tổng điểm", "Lower bound of the total's 95% interval"),
        ("ci_high", "Cận trên khoảng tin cậy 95% của tổng điểm", "Upper bound of the total's 95% interval"),
        ("percent", "Tổng điểm theo phần trăm điểm tối đa", "Total as a percentage of the maximum"),
        ("rank", "Thứ hạng trong cấp", "Rank within the level"),
        ("rank_low", "Thứ hạng cao nhất có thể (khoảng thứ hạng 95%)", "Best plausible rank (95% rank interval)"),
        ("rank_high", "Thứ hạng thấp nhất có thể (khoảng thứ hạng 95%)", "Worst plausible rank (95% rank interval)"),
        ("units_in_level", "Số đơn vị trong cấp", "Number of units in the level"),
        ("class", "Xếp loại", "Class"),
        ("class_low", "Xếp loại tốt nhất có thể", "Best plausible class"),
        ("class_high", "Xếp loại thấp nhất có thể", "Worst plausible class"),
        ("bonus", "Điểm thưởng", "Bonus points"),
        ("penalty", "Điểm trừ", "Penalty points"),
    ],
    "sub_criteria": [
        ("campaign", "Mã đợt khảo sát", "Campaign code"),
        ("version", "Phiên bản công bố", "Publication version"),
        ("unit_code", "Mã đơn vị", "Unit code"),
        ("level", "Cấp đơn vị", "Unit level"),
        ("code", "Mã tiêu chí thành phần", "Sub-criterion code"),
        ("name", "Tên tiêu chí thành phần", "Sub-criterion name"),
        ("field", "Mã lĩnh vực", "Field code"),
        ("method", "Cách chấm: tự đánh giá, điều tra, thưởng, trừ", "Scoring: self-assessed, survey, bonus, penalty"),
        ("source", "Nguồn điểm (thẩm định, tự chấm, kết quả điều tra…)", "Where the points come from (appraised, self-assessed, survey…)"),
        ("max_points", "Điểm tối đa", "Maximum points"),
        ("points", "Điểm được tính", "Points counted"),
        ("points_se", "Sai số chuẩn của điểm (tiêu chí điều tra)", "Standard error of the points (survey sub-criteria)"),
        ("self_points", "Điểm tự chấm", "Self-assessed points"),
        ("statistic", "Chỉ số điều tra được quy đổi", "Survey indicator converted"),
        ("variable", "Biến của chỉ số điều tra", "Variable of the survey indicator"),
        ("estimate", "Ước lượng của chỉ số (tỷ lệ 0-1 hoặc điểm trung bình)", "Indicator estimate (share 0-1 or mean score)"),
        ("estimate_se", "Sai số chuẩn của ước lượng", "Standard error of the estimate"),
        ("n", "Số phiếu trả lời", "Number of responses"),
    ],
    "indicators": [
        ("campaign", "Mã đợt khảo sát", "Campaign code"),
        ("version", "Phiên bản công bố", "Publication version"),
        ("analysis_run", "Số lần phân tích", "Analysis run number"),
        ("unit_code", "Mã đơn vị; trống là toàn tỉnh", "Unit code; empty for the whole province"),
        ("unit_name", "Tên đơn vị", "Unit name"),
        ("level", "Cấp đơn vị", "Unit level"),
        ("statistic", "Chỉ số: pct_satisfied (tỷ lệ hài lòng) hoặc mean_score (điểm trung bình)",
         "Indicator: pct_satisfied (share satisfied) or mean_score (mean score)"),
        ("variable", "Yếu tố, tiêu chí hoặc câu hỏi (overall là chung)", "Factor, criterion or question (overall is the whole)"),
        ("estimate", "Ước lượng có trọng số (tỷ lệ 0-1 hoặc điểm 1-5)", "Weighted estimate (share 0-1 or score 1-5)"),
        ("se", "Sai số chuẩn theo thiết kế mẫu", "Design-based standard error"),
        ("ci_low", "Cận dưới khoảng tin cậy 95%", "Lower bound of the 95% interval"),
        ("ci_high", "Cận trên khoảng tin cậy 95%", "Upper bound of the 95% interval"),
        ("df", "Bậc tự do dùng cho khoảng tin cậy", "Degrees of freedom of the interval"),
        ("deff", "Hệ số thiết kế", "Design effect"),
        ("n", "Số phiếu trả lời", "Number of responses"),
    ],
    "level_averages": [
        ("campaign", "Mã đợt khảo sát", "Campaign code"),
        ("version", "Phiên bản công bố", "Publication version"),
        ("level", "Cấp đơn vị", "Unit level"),
        ("level_name", "Tên cấp đơn vị", "Name of the unit level"),
        ("statistic", "Chỉ số: pct_satisfied (tỷ lệ hài lòng)", "Indicator: pct_satisfied (share satisfied)"),
        ("variable", "Yếu tố hoặc tiêu chí (overall là chung)", "Factor or criterion (overall is the whole)"),
        ("estimate", "Bình quân các đơn vị trong cấp (tỷ lệ 0-1, mỗi đơn vị như nhau)",
         "Average of the level's units (share 0-1, every unit counted equally)"),
        ("se", "Sai số chuẩn của bình quân (các đơn vị độc lập)", "Standard error of the average (independent units)"),
        ("ci_low", "Cận dưới khoảng tin cậy 95% (t, bậc tự do Satterthwaite)",
         "Lower bound of the 95% interval (t, Satterthwaite degrees of freedom)"),
        ("ci_high", "Cận trên khoảng tin cậy 95%", "Upper bound of the 95% interval"),
        ("n", "Tổng số phiếu trả lời của các đơn vị", "Responses of the level's units"),
    ],
    "response_rates": [
        ("campaign", "Mã đợt khảo sát", "Campaign code"),
        ("version", "Phiên bản công bố", "Publication version"),
        ("unit_code", "Mã đơn vị; TOTAL là toàn bộ đợt khảo sát", "Unit code; TOTAL is the whole campaign"),
        ("unit_name", "Tên đơn vị", "Unit name"),
        ("level", "Cấp đơn vị", "Unit level"),
        ("target", "Cỡ mẫu dự kiến", "Planned sample size"),
        ("cases", "Số hộ được chọn", "Sampled cases"),
        ("completed", "Số phiếu hoàn thành", "Completed interviews"),
        ("refused", "Số hộ từ chối", "Refusals"),
        ("no_contact", "Số hộ không gặp được", "No contact"),
        ("pending", "Số hộ chưa có kết quả", "Cases without a final outcome"),
        ("submissions", "Số phiếu đã gửi", "Submissions received"),
        ("response_rate", "Tỷ lệ trả lời (%): hoàn thành / (hoàn thành + từ chối + không gặp)",
         "Response rate (%): completed / (completed + refused + no contact)"),
    ],
}

TABLES = tuple(DICTIONARY)


def columns(table: str) -> list[str]:
    return [name for name, _, _ in DICTIONARY[table]]


def dictionary_rows() -> list[dict]:
    """The data dictionary: one row per column of every table."""
    return [{"table": table, "column": name, "description_vi": vi, "description_en": en}
            for table, entries in DICTIONARY.items() for name, vi, en in entries]


def _index_rows(base: dict, unit: dict) -> list[dict]:
    common = {**base, "unit_code": unit["code"], "unit_name": unit["name"], "level": unit["level"]}
    rows = [{**common, "field": f["code"], "field_name": f["name"], "points": f["points"],
             "max_points": f["max_points"]} for f in unit["fields"]]
    low, high = (list(unit["class_interval"]) + [None, None])[:2]
    rows.append({**common, "field": TOTAL, "field_name": "", "points": unit["total"],
                 "max_points": unit["max_points"], "se": unit["se"], "ci_low": unit["ci"][0],
                 "ci_high": unit["ci"][1], "percent": unit["percent"], "rank": unit["rank"],
                 "rank_low": unit["rank_interval"][0], "rank_high": unit["rank_interval"][1],
                 "units_in_level": unit["units_in_level"], "class": unit["class"], "class_low": low,
                 "class_high": high, "bonus": unit["bonus"], "penalty": unit["penalty"]})
    return rows


def _leaf_rows(base: dict, unit: dict) -> list[dict]:
    rows = []
    for leaf in unit.get("sub_criteria", []):
        found = leaf.get("indicator") or {}
        rows.append({**base, "unit_code": unit["code"], "level": unit["level"], "code": leaf["code"],
                     "name": leaf["name"], "field": leaf["field"], "method": leaf["method"],
                     "source": leaf["source"], "max_points": leaf["max_points"], "points": leaf["points"],
                     "points_se": leaf.get("points_se"), "self_points": leaf.get("self_points"),
                     "statistic": found.get("statistic"), "variable": found.get("variable"),
                     "estimate": found.get("estimate"), "estimate_se": found.get("se"), "n": found.get("n")})
    return rows


def _indicator_rows(base: dict, publication, units: dict) -> list[dict]:
    run = publication.run
    base = {**base, "analysis_run": run.number if run else None}
    rows = []
    for (code, statistic, variable), e in run_estimates(run, units_only=False).items():
        unit = units.get(code, {})
        rows.append({**base, "unit_code": code or "", "unit_name": unit.get("name", ""),
                     "level": unit.get("level", ""), "statistic": statistic, "variable": variable,
                     "estimate": e.estimate, "se": e.se, "ci_low": e.ci_low, "ci_high": e.ci_high,
                     "df": e.df, "deff": e.deff, "n": e.n})
    return rows


def _report_parts(publication):
    """The report's own figures for ``publication`` (:mod:`survey_app.reports.data`, the PDF's
    functions, read not recomputed here): its level averages (:func:`reports.stats.mean_of_units`
    of the run's unit estimates) and its sample table with response rates."""
    from survey_app import queries
    from survey_app.reports.data import Report, _averages, _estimates, _levels, factors, sample_rows
    campaign, every = publication.campaign, queries.campaign_units(publication.campaign)
    report = Report(campaign=campaign, locale="vi", run=publication.run, sample=sample_rows(campaign, every),
                    factors=factors(campaign, "vi"), units=every, all_units=every, levels=_levels(every, "vi"),
                    estimates=_estimates(publication.run))
    return report, _averages(report)


def _average_rows(base: dict, report, averages: dict) -> list[dict]:
    names = dict(report.levels)
    return [{**base, "level": level, "level_name": names.get(level, level), "statistic": "pct_satisfied",
             "variable": variable, "estimate": found.estimate, "se": found.se, "ci_low": float(found.ci_low),
             "ci_high": float(found.ci_high), "n": found.n}
            for level, by_variable in averages.items() for variable, found in by_variable.items() if found]


def _response_rows(base: dict, report) -> list[dict]:
    rows = [{**base, **row, "unit_code": row["unit"].code, "unit_name": row["unit"].name}
            for row in report.sample]
    return rows + [{**base, **report.sample_totals, "unit_code": TOTAL}]


def tables(publication) -> dict[str, list[dict]]:
    """Table name → rows (dicts keyed by :func:`columns`) of ``publication``."""
    doc = publication.document
    base = {"campaign": doc["campaign"], "version": publication.version}
    units = {u["code"]: u for u in doc["units"]}
    found = {"index": [r for u in doc["units"] for r in _index_rows(base, u)],
             "sub_criteria": [r for u in doc["units"] for r in _leaf_rows(base, u)],
             "indicators": _indicator_rows(base, publication, units)}
    report, averages = _report_parts(publication)
    found["level_averages"] = _average_rows(base, report, averages)
    found["response_rates"] = _response_rows(base, report)
    return {table: [{c: _defined(row.get(c)) for c in columns(table)} for row in rows]
            for table, rows in found.items()}


def _defined(value):
    """None for a figure that is not defined (an infinite design effect, a NaN SE), so the
    files stay valid JSON and an empty cell never reads as a number."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
