"""Baselines: fingerprints that survive line moves but not edits of the finding's own line,
counted duplicates, auto-pickup beside the config or in the working directory, and clear
errors for a broken baseline file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.engine import Engine
from compliance_guard.engine.packs import load_packs
from compliance_guard.run.baseline import Baseline, BaselineError, fingerprint, write
from compliance_guard.run.files import check_paths

PACK = Path(__file__).parent / "data" / "ci-pack.yaml"
FLAGS = ["--pack", str(PACK), "--select", "ci", "--format", "json"]


@pytest.fixture(scope="module")
def engine():
    return Engine(load_packs([PACK], builtin=False))


def run(*args):
    return CliRunner().invoke(main, list(args))


def reported(result) -> list[tuple[str, int, str]]:
    doc = json.loads(result.stdout)
    return [(Path(f["path"]).name, d["line"], d["text"]) for f in doc["files"] for d in f.get("findings", [])]


def test_fingerprint_ignores_line_numbers_and_spacing_but_not_the_line(engine):
    [a] = engine.check("开头\n这个最好\n")
    [b] = engine.check("新的一行\n\n开头\n  这个 最好\n")
    [c] = engine.check("这个最好吗\n")
    assert (a.line, b.line) == (2, 4)
    assert fingerprint(a, "开头\n这个最好\n") == fingerprint(b, "新的一行\n\n开头\n  这个 最好\n")
    assert fingerprint(a, "开头\n这个最好\n") != fingerprint(c, "这个最好吗\n")


def test_write_then_only_new_findings_count(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("开头\n这个最好\n销量第一\n", encoding="utf-8")
    r = run("check", *FLAGS, "--write-baseline", ".cguard-baseline.json", "a.txt")
    assert r.exit_code == 0, r.output
    doc = json.loads(Path(".cguard-baseline.json").read_text(encoding="utf-8"))
    assert doc["format"] == 1
    assert sorted((e["path"], e["rule"], e["text"], e["count"]) for e in doc["findings"]) == [
        ("a.txt", "CI001", "最好", 1), ("a.txt", "CI002", "销量第一", 1)]
    assert not any("line" in e for e in doc["findings"])

    # the baseline in the working directory is picked up; moved lines stay baselined
    Path("a.txt").write_text("新增第一行\n\n开头\n销量第一\n这个最好\n", encoding="utf-8")
    r = run("check", *FLAGS, "a.txt")
    assert r.exit_code == 0 and reported(r) == []
    assert "2 finding(s) in the baseline" in r.stderr

    # a new finding and an edited line are new
    Path("a.txt").write_text("开头\n这个最好，顶级\n销量第一\n", encoding="utf-8")
    r = run("check", *FLAGS, "a.txt")
    assert r.exit_code == 1
    assert reported(r) == [("a.txt", 2, "最好"), ("a.txt", 2, "顶级")]
    assert "1 baseline entry no longer found" in r.stderr

    # --no-baseline shows everything again
    assert len(reported(run("check", *FLAGS, "--no-baseline", "a.txt"))) == 3


def test_duplicates_are_counted(tmp_path, engine):
    path = tmp_path / "dup.txt"
    path.write_text("这个最好\n这个最好\n", encoding="utf-8")
    base = tmp_path / "b.json"
    assert write(base, check_paths(engine, [str(path)])) == 2
    path.write_text("这个最好\n这个最好\n这个最好\n", encoding="utf-8")
    results = check_paths(engine, [str(path)])
    assert Baseline.load(base).filter(results) == (2, 0)
    assert [f.line for f in results[0].findings] == [3]


def test_paths_are_relative_to_the_baseline_file(tmp_path, engine, monkeypatch):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "a.txt").write_text("这个最好\n", encoding="utf-8")
    write(tmp_path / "b.json", check_paths(engine, [str(tmp_path / "scripts")]))
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["findings"][0]["path"] == "scripts/a.txt"
    monkeypatch.chdir(tmp_path / "scripts")  # same file named from elsewhere still matches
    results = check_paths(engine, ["a.txt"])
    assert Baseline.load(tmp_path / "b.json").filter(results) == (1, 0)


def test_baseline_beside_the_config_and_from_the_config_key(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("这个最好\n", encoding="utf-8")
    (tmp_path / ".cguard.yaml").write_text(f"packs: [{PACK}]\nselect: [ci]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("check", "--format", "json", "--write-baseline", ".cguard-baseline.json", "sub").exit_code == 0
    monkeypatch.chdir(tmp_path / "sub")
    r = run("check", "--format", "json", "a.txt")
    assert r.exit_code == 0 and reported(r) == []  # found beside the config, not in cwd
    Path(tmp_path / ".cguard-baseline.json").rename(tmp_path / "known.json")
    assert run("check", "--format", "json", "a.txt").exit_code == 1
    (tmp_path / ".cguard.yaml").write_text(f"packs: [{PACK}]\nselect: [ci]\nbaseline: known.json\n", encoding="utf-8")
    assert run("check", "--format", "json", "a.txt").exit_code == 0
    (tmp_path / ".cguard.yaml").write_text(f"packs: [{PACK}]\nselect: [ci]\nbaseline: false\n", encoding="utf-8")
    assert run("check", "--format", "json", "--baseline", "../known.json", "a.txt").exit_code == 0
    assert run("check", "--format", "json", "a.txt").exit_code == 1


def test_broken_baseline_is_a_one_line_exit_2(tmp_path):
    (tmp_path / "a.txt").write_text("最好\n", encoding="utf-8")
    bad = tmp_path / "b.json"
    for content, needle in (("{not json", ":1: not a baseline file"), ('{"findings": []}', "not a cguard baseline"),
                            ('{"format": 1, "findings": [{"path": "a"}]}', "entry 1 needs path, rule and fingerprint")):
        bad.write_text(content, encoding="utf-8")
        r = run("check", *FLAGS, "--baseline", str(bad), str(tmp_path / "a.txt"))
        assert r.exit_code == 2
        assert r.output.count("\n") == 1 and needle in r.output and str(bad) in r.output
    with pytest.raises(BaselineError, match="cannot read baseline"):
        Baseline.load(tmp_path / "missing.json")
