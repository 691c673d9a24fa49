"""Output formats: SARIF 2.1.0 (validated against the official schema), GitHub workflow
commands (format and escaping), reviewdog rdjson (UTF-8 byte columns, suggestions as fixes),
JUnit XML, ``--format auto``, and the column-unit conversions with CJK and emoji."""
from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.report import formatter, pick
from compliance_guard.report.columns import Columns, convert
from compliance_guard.report.github import escape_data, escape_property
from compliance_guard.run.files import FileResult

DATA = Path(__file__).parent / "data"
PACK = DATA / "ci-pack.yaml"
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
# "😀" is one code point, two UTF-16 code units and four UTF-8 bytes; "中" is 1, 1 and 3
LINE2 = "😀中a最好，销量第一"


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("scripts").mkdir()
    Path("scripts/脚本 1.md").write_text(f"# 标题\n{LINE2}\n收纳神器\n", encoding="utf-8")
    Path("scripts/clean.txt").write_text("最近上新\n", encoding="utf-8")
    Path("scripts/broken.txt").write_bytes(b"\x00\x01binary")
    return tmp_path


def check(*args, env=None):
    return CliRunner(env=env).invoke(main, ["check", "--no-config", "--pack", str(PACK), "--select", "ci", *args])


# -- columns -------------------------------------------------------------------------------


@pytest.mark.parametrize("unit, start, end", [("char", 4, 6), ("utf16", 5, 7), ("byte", 9, 15)])
def test_column_units_with_emoji_and_cjk(unit, start, end):
    # 最好 starts at character column 4 of LINE2 (after 😀, 中, a)
    assert convert(LINE2, 4, unit) == start
    assert convert(LINE2, 6, unit) == end
    assert convert(LINE2, 1, unit) == 1


def test_columns_helper_converts_finding_positions():
    f = Finding("X", "p", "c", Severity.ERROR, "m", "最好", 10, 12, line=2, column=4, end_line=2, end_column=6)
    cols = Columns("# 标题\n" + LINE2, "utf16")
    assert (cols.start(f), cols.end(f)) == (5, 7)
    with pytest.raises(ValueError):
        convert("x", 1, "utf32")


# -- SARIF ---------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(files):
    r = check("--format", "sarif", "scripts")
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["columnKind"] == "utf16CodeUnits"
    rules = run["tool"]["driver"]["rules"]
    assert [d["id"] for d in rules] == ["CI001", "CI002", "CI003"]
    assert rules[0]["properties"]["source"] == "《测试依据》第一条"
    assert "《测试依据》第一条" in rules[0]["help"]["text"]
    assert rules[0]["defaultConfiguration"]["level"] == "error"
    results = run["results"]
    assert [(x["ruleId"], x["level"]) for x in results] == [("CI001", "error"), ("CI002", "warning"), ("CI003", "note")]
    for x in results:
        assert rules[x["ruleIndex"]]["id"] == x["ruleId"]
    loc = results[0]["locations"][0]["physicalLocation"]
    assert unquote(loc["artifactLocation"]["uri"]) == "scripts/脚本 1.md"
    assert loc["artifactLocation"]["uri"] == "scripts/%E8%84%9A%E6%9C%AC%201.md"  # a valid URI reference
    assert loc["region"] == {"startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 7, "snippet": {"text": "最好"}}
    assert urlsplit(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]).scheme == "file"
    # the unreadable file is a notification, not a crash
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert "binary" in note["message"]["text"]
    # one fix for the single literal suggestion of 最好; CI002 has none
    [fix] = results[0]["fixes"]
    change = fix["artifactChanges"][0]["replacements"][0]
    assert change["insertedContent"]["text"] == "很好" and change["deletedRegion"]["startColumn"] == 5
    assert "fixes" not in results[1]


def test_sarif_with_every_shipped_pack_validates(files):
    """All shipped rules' metadata (a pack named like its category, long citations) is valid."""
    r = CliRunner().invoke(main, ["check", "--no-config", "--format", "sarif", "scripts"])
    log = json.loads(r.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len({d["id"] for d in rules}) > 3
    assert all(d["properties"]["source"] for d in rules)


def test_sarif_fingerprints_survive_line_moves(files):
    first = json.loads(check("--format", "sarif", "scripts").stdout)["runs"][0]["results"]
    path = Path("scripts/脚本 1.md")
    path.write_text("\n\n新增\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    second = json.loads(check("--format", "sarif", "scripts").stdout)["runs"][0]["results"]
    assert [x["locations"][0]["physicalLocation"]["region"]["startLine"] for x in second] == [5, 5, 6]
    assert [x["partialFingerprints"] for x in first] == [x["partialFingerprints"] for x in second]
    assert len({x["partialFingerprints"]["cguard/v1"] for x in first}) == 3


def test_sarif_describes_rules_it_has_no_metadata_for():
    f = Finding("unused-suppression", "cguard", "suppression", Severity.WARNING, "unused", "cguard: enable", 0, 14,
                1, 1, 1, 15)
    out = io.StringIO()
    formatter("sarif")([FileResult("a.md", [f], text="cguard: enable\n")], out)
    log = json.loads(out.getvalue())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "unused-suppression"


# -- GitHub workflow commands -----------------------------------------------------------------

_WORKFLOW_COMMAND = re.compile(
    r"^::(error|warning|notice)"
    r" file=(?P<file>[^,:]+),line=(?P<line>\d+),endLine=(?P<endLine>\d+),col=(?P<col>\d+),"
    r"endColumn=(?P<endColumn>\d+),title=(?P<title>[^,:]*)"
    r"::(?P<message>[^\r\n]*)$")


def _unescape(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_output_is_workflow_commands(files):
    r = check("--format", "github", "scripts")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert ("::error file=scripts/broken.txt,title=cguard%3A file not checked::"
            "scripts/broken.txt: binary file (NUL bytes), not checked") in lines
    commands = [_WORKFLOW_COMMAND.match(x) for x in lines if "broken.txt" not in x]
    assert all(commands), lines
    got = [(m.group(1), _unescape(m["file"]), int(m["line"]), int(m["col"]), int(m["endColumn"]), _unescape(m["title"]))
           for m in commands]
    assert got == [("error", "scripts/脚本 1.md", 2, 5, 7, "CI001 最好"),  # UTF-16 columns: 😀 counts 2
                   ("warning", "scripts/脚本 1.md", 2, 8, 12, "CI002 销量第一"),
                   ("notice", "scripts/脚本 1.md", 3, 3, 5, "CI003 神器")]
    message = _unescape(commands[0]["message"])
    assert message == "「最好」是测试用语\n建议：很好\n依据：《测试依据》第一条"


def test_github_escaping():
    assert escape_data("100%\r\nok") == "100%25%0D%0Aok"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    f = Finding("R1", "p", "c", Severity.ERROR, "50% off, now:\nbuy", "x", 0, 1, 1, 1, 1, 2)
    out = io.StringIO()
    formatter("github")([FileResult("dir,1/a:b.md", [f], text="x\n")], out)
    line = out.getvalue().rstrip("\n")
    assert "\n" not in line
    assert line == "::error file=dir%2C1/a%3Ab.md,line=1,endLine=1,col=1,endColumn=2,title=R1::50%25 off, now:%0Abuy"


def test_format_auto_picks_github_inside_actions(files):
    assert pick("auto", {"GITHUB_ACTIONS": "true"}) == "github"
    assert pick("auto", {}) == "text"
    assert pick("json", {"GITHUB_ACTIONS": "true"}) == "json"
    r = check("scripts/脚本 1.md", env={"GITHUB_ACTIONS": "true"})
    assert r.stdout.startswith("::error file=")
    r = check("scripts/脚本 1.md", env={"GITHUB_ACTIONS": None})
    assert r.stdout.startswith("scripts/脚本 1.md:2:4: error CI001")


# -- reviewdog -------------------------------------------------------------------------------


def test_rdjson_uses_utf8_byte_columns_and_literal_suggestions(files):
    r = check("--format", "rdjson", "scripts/脚本 1.md")
    doc = json.loads(r.stdout)
    assert doc["source"] == {"name": "cguard"} and doc["severity"] == "ERROR"
    d = doc["diagnostics"]
    assert [x["code"]["value"] for x in d] == ["CI001", "CI002", "CI003"]
    assert d[0]["location"] == {"path": "scripts/脚本 1.md",
                                "range": {"start": {"line": 2, "column": 9}, "end": {"line": 2, "column": 15}}}
    # the byte columns cut exactly the matched text out of the UTF-8 line
    raw = LINE2.encode("utf-8")
    for x, text in zip(d[:2], ("最好", "销量第一")):
        rng = x["location"]["range"]
        assert raw[rng["start"]["column"] - 1:rng["end"]["column"] - 1].decode("utf-8") == text
    assert d[0]["suggestions"] == [{"range": d[0]["location"]["range"], "text": "很好"}]
    assert "suggestions" not in d[1]
    assert d[0]["severity"] == "ERROR" and d[1]["severity"] == "WARNING" and d[2]["severity"] == "INFO"


def test_rdjson_keeps_advice_in_the_message():
    f = Finding("R", "p", "c", Severity.ERROR, "m", "全网最低价", 0, 5, 1, 1, 1, 6, suggestions=["写明具体价格和条件"])
    doc = json.loads(_render("rdjson", [FileResult("a.txt", [f], text="全网最低价\n")]))
    [d] = doc["diagnostics"]
    assert "suggestions" not in d and "写明具体价格和条件" in d["message"]


# -- JUnit ------------------------------------------------------------------------------------


def test_junit(files):
    r = check("--format", "junit", "scripts")
    root = ET.fromstring(r.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "3", "1")
    suites = {Path(s.get("name")).name: s for s in root}
    assert set(suites) == {"broken.txt", "clean.txt", "脚本 1.md"}
    md = suites["脚本 1.md"]
    failures = [c.find("failure") for c in md]
    assert [f.get("type") for f in failures] == ["error", "warning", "info"]
    assert "建议: 很好" in failures[0].text
    assert suites["clean.txt"].find("testcase").find("failure") is None
    assert suites["broken.txt"].find("testcase").find("error") is not None


def _render(name, results) -> str:
    out = io.StringIO()
    formatter(name)(results, out)
    return out.getvalue()


def test_unknown_format_is_exit_2(files):
    r = check("--format", "xml", "scripts")
    assert r.exit_code == 2 and "unknown format 'xml'" in r.output


def test_text_format_shows_a_window_of_a_long_line(tmp_path):
    """A one-line file of megabytes is not reprinted per finding: about 40 characters either
    side of the span, cut ends marked …, the caret still under the span (issue 11, item 12)."""
    from click.testing import CliRunner

    from compliance_guard.app.cli import main
    from compliance_guard.report.text import display_width

    line = ("今天给大家介绍一款保温杯，容量适中。" * 300 + "这款是全网最低价哦！") * 20
    path = tmp_path / "long.txt"
    path.write_text(line, encoding="utf-8")
    r = CliRunner().invoke(main, ["check", "--no-config", "--select", "ABS007", str(path)])
    out = r.output.split("\n")
    shown = [(out[i + 1], out[i + 2]) for i, row in enumerate(out) if " error ABS007 " in row]
    assert len(shown) == 20 and len(r.output) < 20 * 600
    assert shown[-1][0].endswith("这款是全网最低价哦！")  # the line's own end: nothing cut
    for context, carets in shown:
        assert context.startswith("    …") and context.endswith(("…", "哦！"))
        assert len(context) - 4 <= 2 * 40 + 5 + 2
        indent = len(carets) - len(carets.lstrip(" "))
        assert carets.strip() == "^" * 10
        assert display_width(context[:context.index("全网最低价")]) == indent
