"""``cguard check`` end to end through click's CliRunner: formats, exit codes, encodings."""
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_PACK

from compliance_guard.app.cli import main

SCHEMA = json.loads((Path(__file__).parent / "data" / "check-output.schema.json").read_text(encoding="utf-8"))
FIX = ["--pack", str(FIXTURE_PACK), "--select", "smoke"]


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "bad.txt").write_text("开头\n这个最好用\n", encoding="utf-8")
    (tmp_path / "clean.txt").write_text("最近上新，第一次来\n", encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes("广告：全网最低价\n".encode("gbk"))
    (tmp_path / "bom.txt").write_bytes("\ufeff这个最好".encode("utf-8"))
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "cues.srt").write_text(
        "1\n00:00:00,000 --> 00:00:02,000\n这个最好\n\n2\n00:00:02,000 --> 00:00:04,000\n下单吧\n", encoding="utf-8")
    (tmp_path / "sub" / "ignored.csv").write_text("最好\n", encoding="utf-8")
    return tmp_path


def test_text_output_and_exit_1(files):
    r = run("check", *FIX, str(files / "bad.txt"))
    assert r.exit_code == 1
    assert f"{files / 'bad.txt'}:2:3: error S001 「最好」x" in r.output
    assert "    这个最好用\n        ^^^^\n" in r.output  # CJK is two columns wide
    assert "建议: 很好" in r.output


def test_clean_file_exits_0_and_says_so_on_stderr(files):
    """A clean run is not silent (as ruff's "All checks passed!"), but only on stderr, only for
    text output and not with -q (issue 11, small items)."""
    r = run("check", *FIX, str(files / "clean.txt"), str(files / "sub" / "cues.srt"), "--ignore", "S001")
    assert r.exit_code == 0, r.output
    assert r.stdout == "" and r.stderr == "cguard: 2 files checked, no findings\n"
    r = run("check", *FIX, "-q", str(files / "clean.txt"))
    assert r.exit_code == 0 and r.output == ""
    r = run("check", *FIX, "--format", "json", str(files / "clean.txt"))
    assert r.exit_code == 0 and r.stderr == "" and json.loads(r.stdout)["summary"]["findings"] == 0


def test_include_globs_that_match_nothing_are_reported(files, monkeypatch):
    """A typo in include: checked nothing and exited 0 silently."""
    monkeypatch.chdir(files)
    (files / ".cguard.yaml").write_text('include: ["sbu/**/*.srt"]\n', encoding="utf-8")
    r = run("check", *FIX, ".")
    assert r.exit_code == 2
    assert r.output.strip() == (f"cguard: error: include 'sbu/**/*.srt' matched no file under ., so nothing was checked; "
                                f"fix `include:` in {files.resolve() / '.cguard.yaml'}:1 or --include")
    (files / ".cguard.yaml").write_text('include: ["sub/**/*.srt", "**/*.md"]\n', encoding="utf-8")
    r = run("check", *FIX, ".")
    assert r.exit_code == 1 and "cues.srt:3:3: error S001" in r.stdout
    assert r.stderr == "cguard: warning: include '**/*.md' matched no file under .\n"
    (files / "empty").mkdir()
    r = run("check", *FIX, "--no-config", "empty")
    assert r.exit_code == 0 and r.stderr.startswith("cguard: warning: no file to check")


def test_json_contract_and_offsets(files):
    r = run("check", *FIX, "--format", "json", str(files))
    doc = json.loads(r.output)
    jsonschema.validate(doc, SCHEMA)
    by_path = {Path(f["path"]).name: f for f in doc["files"]}
    assert set(by_path) == {"bad.txt", "clean.txt", "gbk.txt", "bom.txt", "binary.txt", "cues.srt"}
    assert "binary" in by_path["binary.txt"]["error"]
    assert [f["text"] for f in by_path["gbk.txt"]["findings"]] == ["全网最低价"]
    assert [(f["text"], f["start"]) for f in by_path["bom.txt"]["findings"]] == [("最好", 2)]
    srt = by_path["cues.srt"]["findings"]
    assert [(f["text"], f["line"], f["column"]) for f in srt] == [("最好", 3, 3)]
    assert doc["summary"]["files"] == 6
    assert doc["summary"]["findings"] == sum(len(f.get("findings", [])) for f in doc["files"])
    assert r.exit_code == 1


def test_unreadable_file_is_reported_and_others_still_checked(files):
    r = run("check", *FIX, str(files / "binary.txt"), str(files / "clean.txt"), "--format", "json")
    doc = json.loads(r.output)
    assert r.exit_code == 1
    assert "error" in doc["files"][0] and doc["files"][1]["findings"] == []


def test_missing_file(files):
    r = run("check", *FIX, str(files / "nope.txt"))
    assert r.exit_code == 1
    assert "nope.txt" in r.output


def test_stdin(files):
    r = run("check", *FIX, "--format", "json", "--stdin-name", "pasted.txt", "-", input="真的最好".encode())
    doc = json.loads(r.output)
    assert doc["files"][0]["path"] == "pasted.txt"
    assert [f["text"] for f in doc["files"][0]["findings"]] == ["最好"]


@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on_thresholds(tmp_path, fail_on, code):
    path = tmp_path / "w.txt"
    path.write_text("2023年天猫第一", encoding="utf-8")  # a warning (needs evidence)
    assert run("check", *FIX, "--fail-on", fail_on, str(path)).exit_code == code


def test_ignore_rule(files):
    r = run("check", *FIX, "--ignore", "S001", str(files / "bad.txt"))
    assert r.exit_code == 0


def test_bad_option_is_exit_2(files):
    assert run("check", "--fail-on", "sometimes", str(files)).exit_code == 2
    r = run("check", "--format", "xml", str(files / "clean.txt"))
    assert r.exit_code == 2 and "unknown format" in r.output


def test_bad_pack_is_exit_2_one_line(tmp_path, files):
    pack = tmp_path / "broken.yaml"
    pack.write_text("pack: x\ncategory: c\nrules:\n  - id: X1\n    pattern: '(['\n    examples: {bad: [a], good: [b]}\n",
                    encoding="utf-8")
    r = run("check", "--pack", str(pack), str(files / "clean.txt"))
    assert r.exit_code == 2
    assert r.output.strip().count("\n") == 0
    assert f"{pack}:5: invalid regex in rule X1" in r.output


def test_user_pack_examples_are_verified(tmp_path, files):
    pack = tmp_path / "team.yaml"
    pack.write_text("pack: team\ncategory: absolute-claim\nrules:\n  - id: TEAM1\n    terms: [爆款王]\n"
                    "    examples: {bad: [这是好货], good: [普通]}\n", encoding="utf-8")
    r = run("check", "--pack", str(pack), str(files / "clean.txt"))
    assert r.exit_code == 2 and "bad example not flagged" in r.output


def test_rules_commands():
    r = run("rules", "list", "--pack", str(FIXTURE_PACK))
    assert r.exit_code == 0 and "S001" in r.output and "smoke" in r.output
    r = run("rules", "show", "S001", "--pack", str(FIXTURE_PACK))
    assert r.exit_code == 0 and "最好先" not in r.output and "第一次" in r.output and "bad   这个最好" in r.output
    assert run("rules", "show", "NOPE").exit_code == 2
    r = run("rules", "test", "--pack", str(FIXTURE_PACK))
    assert r.exit_code == 0 and " 0 failed" in r.output


def test_rules_test_fails_on_bad_examples(tmp_path):
    pack = tmp_path / "t.yaml"
    pack.write_text("pack: t\ncategory: c\nrules:\n  - id: TT1\n    terms: [最好]\n"
                    "    examples: {bad: [最好], good: [最好的]}\n", encoding="utf-8")
    r = run("rules", "test", "--pack", str(pack))
    assert r.exit_code == 1 and "TT1: good example flagged" in r.output
