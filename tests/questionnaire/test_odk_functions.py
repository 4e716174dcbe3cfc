"""ODK's function set end to end: a forestry plot form using every newly supported function
imports, and its calculations agree between the server engine and the collector's (node,
through form.js and expr.js); a function we still lack is refused at import with its name
and row; the vectors pass in a real Chromium too."""
import json
from pathlib import Path

import pytest

from survey_app.questionnaire.engine import FormEngine
from survey_app.questionnaire.importer import ImportRefused, parse_form
from tests.field.test_form_js import definition, run

VECTORS = Path(__file__).with_name("expression_vectors.json")
EXPR_JS = Path(__file__).resolve().parents[2] / "survey_app" / "static" / "js" / "expr.js"
#: The forestry office's Ed25519 public key (RFC 8032's first test key) and a QR code it signed.
PLOT_KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
PLOT_QR = "kT+dIJi9F6bbs14z9ZTfLzaJjXLRBOF+KhlOPYzvXyGYM2J0XLaEH7vXv847t98j8EwI6KQw2+P1nReHBZVuAkjhu5kgTmd1eeG7hW4gVsSDbiBBbiwgdGjDtG4gMw=="
CALCULATIONS = {
    "corr_radius": "round(15 div (sqrt(cos(atan(${slope} div 100)))), 2)",
    "trig": "round(sin(pi() div 6) + tan(atan(0.5)) + asin(1) + acos(0) + atan2(1, 1), 6)",
    "growth": "round(exp(1) * exp10(2) + log(100) + log10(1000) + pow(2, 3), 4)",
    "crown": "round(pi() * pow(${dbh} div 200, 2), 6)",
    "tiny": "round(number(${tiny_text}) * 1000000000000, 3)",
    "species_code": "translate(substring(normalize-space(${species}), 1, 4), 'abcdefghijklmnopqrstuvwxyz', "
                    "'ABCDEFGHIJKLMNOPQRSTUVWXYZ')",
    "genus": "substring-before(normalize-space(${species}), ' ')",
    "epithet": "substring-after(normalize-space(${species}), ' ')",
    "sure": "boolean-from-string(${confirmed})",
    "named_trees": "count-non-empty(${tree_note})",
    "tree_notes": "join('; ', ${tree_note})",
    "all_notes": "join(' / ', ${species}, ${tree_note})",
    "enough_checks": "checklist(2, -1, ${check_a}, ${check_b}, ${check_c})",
    "weighted_ok": "weighted-checklist(5, 10, ${check_a}, 3, ${check_b}, 4, ${check_c}, 5)",
    "fingerprint": "digest(concat(${species}, ${dbh}), 'SHA-256', 'hex')",
    "fingerprint_md5": "digest(${species}, 'MD5')",
    "note_back": "base64-decode('UGjDuiBUaOG7jQ==')",
    "plot_area": "area(${corner})",
    "plot_perimeter": "distance(${corner}, substring-before(join(';', ${corner}), ';'))",
    "walk": "distance(${track})",
    "visit_time": "format-date-time(${visit}, '%a %e %b %Y, %h:%M:%S.%3')",
    "visit_day": "format-date(${planted}, '%a %d/%m/%y')",
    "visit_days": "decimal-date-time(${visit})",
    "back_to_time": "date-time(decimal-date-time(${visit}) + 0.5)",
    "start_fraction": "decimal-time(${started})",
    "planted_date": "date(${planted_text})",
    "die": "if(random() < 1, 'ok', 'never')",
    "third_note": "indexed-repeat(${tree_note}, ${tree}, 3)",
    "shuffled_notes": "join(',', randomize(${tree_note}, 42))",
    "group_name": "jr:choice-name(${group}, '${group}')",
    "first_group": "jr:choice-name('go', '/lam_nghiep/group')",
    "plot_owner": f"extract-signed(${{plot_qr}}, '{PLOT_KEY}')",  # the plot's QR code, signed by the forestry office
}
FORM = "\n".join([
    "| survey |",
    "| | type | name | label | calculation |",
    "| | decimal | slope | Độ dốc (%) | |",
    "| | decimal | dbh | Đường kính (cm) | |",
    "| | text | tiny_text | Số rất nhỏ | |",
    "| | text | species | Loài cây | |",
    "| | text | confirmed | Đã xác nhận | |",
    "| | integer | check_a | Kiểm tra A | |",
    "| | integer | check_b | Kiểm tra B | |",
    "| | integer | check_c | Kiểm tra C | |",
    "| | datetime | visit | Thời điểm đo | |",
    "| | date | planted | Ngày trồng | |",
    "| | text | planted_text | Ngày trồng (chữ) | |",
    "| | time | started | Giờ bắt đầu | |",
    "| | select_one loai | group | Nhóm loài | |",
    "| | text | plot_qr | Mã QR của ô mẫu | |",
    "| | text | track | Lối đi (geotrace) | |",
    "| | begin_repeat | corner_rep | Góc ô mẫu | |",
    "| | geopoint | corner | Toạ độ góc | |",
    "| | end_repeat | | | |",
    "| | begin_repeat | tree | Cây | |",
    "| | text | tree_note | Ghi chú | |",
    "| | end_repeat | | | |",
    *[f"| | calculate | {name} | | {expr} |" for name, expr in CALCULATIONS.items()],
    "| choices |",
    "| | list_name | name | label |",
    "| | loai | go | Gỗ lớn |",
    "| | loai | tre | Tre nứa |",
    "| settings |",
    "| | form_id | version |",
    "| | lam_nghiep | 1 |",
]) + "\n"
ANSWERS = {
    "slope": "35", "dbh": "31.5", "tiny_text": "7.9e-12", "species": "  dipterocarpus   alatus ",
    "confirmed": "true", "check_a": "1", "check_b": "0", "check_c": "2",
    "visit": "2024-05-01T10:20:30.250+07:00", "planted": "2019-03-05", "planted_text": "2019-3-5",
    "started": "05:00:00.000Z", "group": "tre", "plot_qr": PLOT_QR, "track": "21.0285 105.8542 10 5;21.0290 105.8550 10 5",
    "corner_rep": [{"corner": "21.0285 105.8542 12 4"}, {"corner": "21.0285 105.8552 12 4"},
                   {"corner": "21.0295 105.8552 12 4"}, {"corner": "21.0295 105.8542 12 4"}],
    "tree": [{"tree_note": "sâu"}, {"tree_note": ""}, {"tree_note": "gãy cành"}],
}


def test_the_forestry_form_imports_and_both_engines_calculate_the_same():
    form = definition(FORM, "lam_nghiep.md")
    engine = FormEngine(form)
    server = engine.calculate(json.loads(json.dumps(ANSWERS)))
    finished = run(form, ANSWERS)["finished"]
    assert {name: finished[name] for name in CALCULATIONS} == {name: server[name] for name in CALCULATIONS}
    assert server["corr_radius"] == "15.44"  # 15 / sqrt(cos(atan(0.35))) = 15 / 0.97153
    assert server["species_code"] == "DIPT" and server["genus"] == "dipterocarpus"
    assert server["epithet"] == "alatus" and server["sure"] == "true"
    assert server["tiny"] == "7.9" and server["named_trees"] == "2"
    assert server["tree_notes"] == "sâu; ; gãy cành"
    assert server["enough_checks"] == "true" and server["weighted_ok"] == "true"
    assert len(server["fingerprint"]) == 64 and server["note_back"] == "Phú Thọ"
    assert 11500 < float(server["plot_area"]) < 11650  # about 104 m × 111 m
    assert 425 < float(server["plot_perimeter"]) < 435  # 2 × (104 m + 111 m)
    assert server["visit_time"] == "Wed 1 May 2024, 10:20:30.250"
    assert server["visit_day"] == "Tue 05/03/19" and server["planted_date"] == "2019-03-05"
    assert server["back_to_time"] == "2024-05-01T22:20:30.250+07:00"
    assert server["start_fraction"] == "0.5" and server["die"] == "ok"
    assert server["third_note"] == "gãy cành"
    assert server["group_name"] == "Tre nứa" and server["first_group"] == "Gỗ lớn"
    assert server["plot_owner"] == "Hộ Nguyễn Văn An, thôn 3"
    assert sorted(server["shuffled_notes"].split(",")) == ["", "gãy cành", "sâu"]
    assert engine.problems(server) == []


@pytest.mark.parametrize("expr,name", [("pulldata('trees', 'name', 'code', ${slope})", "pulldata"),
                                       ("jr:itext('species')", "jr:itext"),
                                       ("lower-case('A')", "lower-case")])
def test_a_function_we_lack_is_refused_with_its_name_and_row(app, expr, name):
    line = f"| | calculate | missing | | {expr} |"
    text = FORM.replace("| | calculate | die |", f"{line}\n| | calculate | die |")
    with app.test_request_context(), pytest.raises(ImportRefused) as refused:
        parse_form("lam_nghiep.md", text.encode())
    message = str(refused.value)
    assert f"unknown function {name}()" in message
    row = text.split("\n").index(line)  # the header is row 1
    assert f"dòng {row}" in message or f"row : {row}" in message, message


def test_the_vectors_pass_in_chromium(page):
    """The browser evaluator in a real browser: every vector, same comparison rule as node."""
    page.set_content("<!doctype html><title>expr</title>")
    page.add_script_tag(content=EXPR_JS.read_text(encoding="utf-8"))
    failures = page.evaluate("""(vectors) => {
      const same = (got, want) => {
        if (typeof want === 'boolean' || typeof want === 'string') return got === want;
        if (want !== null && typeof want === 'object' && 'matches' in want)
          return typeof got === 'string' && new RegExp('^(?:' + want.matches + ')$').test(got);
        if (typeof got !== 'number') return false;
        if (typeof want === 'object') {
          const n = Number(want.number);
          return n !== n ? got !== got : got === n;
        }
        return Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));
      };
      const bad = [];
      vectors.forEach((v, i) => {
        const o = {};
        ['current', 'repeat_path', 'now', 'fields', 'choices'].forEach((k) => { if (k in v) o[k] = v[k]; });
        try {
          const got = ParExpr.evaluate(v.expr, v.answers, o);
          if ('error' in v || !same(got, v.expected)) bad.push([i, v.expr, String(got)]);
        } catch (e) {
          if (!('error' in v) || e.code !== v.error) bad.push([i, v.expr, String(e.message)]);
        }
      });
      return bad;
    }""", json.loads(VECTORS.read_text(encoding="utf-8")))
    assert failures == []
