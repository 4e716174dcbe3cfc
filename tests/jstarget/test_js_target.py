"""Every JavaScript file we ship runs on Chrome 61 / Android 8-era browsers: it parses as ES2017
(no optional chaining, ``??``, object spread, optional catch binding, regex lookbehind or named
groups...) and names no built-in those browsers lack (``Array.prototype.flat``,
``Object.fromEntries``, ``Promise.prototype.finally``, ``globalThis``...).

The parser is acorn, installed from the npm registry into tests/jstarget/node_modules (pinned
by package-lock.json; ``.ci/run`` installs it, and this test does when it is missing)."""
import json
import subprocess
from pathlib import Path

import pytest
from tests.programs import need_program

HERE = Path(__file__).parent
STATIC = HERE.parents[1] / "survey_app" / "static"


def _need(tool: str) -> str:
    return need_program(tool, "for the JavaScript target check")


@pytest.fixture(scope="module")
def node() -> str:
    node = _need("node")
    if not (HERE / "node_modules" / "acorn").is_dir():
        npm = _need("npm")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True,
                       capture_output=True, timeout=300)
    return node


def _check(node: str, files: list[Path]) -> list[dict]:
    proc = subprocess.run([node, str(HERE / "check_target.js"), *map(str, files)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def shipped_files() -> list[Path]:
    return sorted(STATIC.rglob("*.js"))


def test_every_shipped_file_is_checked():
    names = {p.relative_to(STATIC).as_posix() for p in shipped_files()}
    assert {"js/expr.js", "js/questionnaire.js", "field/collector.js", "field/form.js",
            "field/sw.js"} <= names


def test_shipped_javascript_runs_on_chrome_61(node):
    found = _check(node, shipped_files())
    assert found == [], "\n".join(f"{p['file']}:{p['line']}: {p['what']}" for p in found)


@pytest.mark.parametrize("source, what", [
    ("var a = b?.c;", "not ES2017"),
    ("var a = b ?? 1;", "not ES2017"),
    ("var o = {...b};", "not ES2017"),
    ("try { f(); } catch { g(); }", "not ES2017"),
    ("var r = /(?<=a)b/;", "not ES2017"),
    ("var r = /(?<year>\\d{4})/;", "not ES2017"),
    ("var x = [[1], [2]].flat();", "Array.prototype.flat"),
    ("var o = Object.fromEntries(pairs);", "Object.fromEntries"),
    ("s.replaceAll('a', 'b');", "String.prototype.replaceAll"),
    ("Promise.allSettled([p]);", "Promise.allSettled"),
    ("Promise.any([p]);", "Promise.any"),
    ("p.finally(done);", "Promise.prototype.finally"),
    ("var g = globalThis;", "globalThis"),
    ("var c = structuredClone(o);", "structuredClone"),
])
def test_the_check_finds_what_chrome_61_lacks(node, tmp_path, source, what):
    file = tmp_path / "sample.js"
    file.write_text(source + "\nvar fine = Object.values({}).includes(1) && 'a'.padStart(2);\n")
    found = _check(node, [file])
    assert [p["line"] for p in found] == [1]
    assert found[0]["what"].startswith(what)
