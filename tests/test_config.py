"""Configuration: discovery upward from the working directory, YAML and [tool.cguard] in
pyproject.toml, merging with flags, per-file overrides, globs, and one-line errors naming the
file, the line and the key."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.load.config import Config, ConfigError, find_config, glob_match, load, resolve

PACK = """\
pack: cfgtest
title: t
category: cfg-claim
source: 测试依据
rules:
  - id: CFG001
    title: 最好
    severity: error
    message: "「{text}」x"
    terms: [最好, 顶级]
    suggest: {最好: [很好]}
    examples: {bad: [这个最好], good: [最近]}
  - id: CFG002
    title: 第一
    severity: warning
    message: "「{text}」y"
    terms: [销量第一]
    examples: {bad: [销量第一], good: [第一次]}
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A content repo with its own pack; the working directory is a subfolder of it."""
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "cfgtest.yaml").write_text(PACK, encoding="utf-8")
    (tmp_path / "scripts" / "drafts").mkdir(parents=True)
    (tmp_path / "scripts" / "a.md").write_text("这个最好\n销量第一\n", encoding="utf-8")
    (tmp_path / "scripts" / "drafts" / "d.md").write_text("顶级好物\n", encoding="utf-8")
    (tmp_path / "scripts" / "notes.txt").write_text("最好的朋友\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "scripts")
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args))


def findings(result) -> list[tuple[str, str, str]]:
    doc = json.loads(result.stdout)
    return sorted((Path(f["path"]).name, fd["rule"], fd["severity"]) for f in doc["files"] for fd in f.get("findings", []))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_discovery_walks_up_and_prefers_yaml_over_pyproject(repo):
    assert find_config(repo / "scripts" / "drafts") is None
    write(repo / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(repo / "scripts") is None  # a pyproject without [tool.cguard] does not count
    write(repo / "pyproject.toml", "[project]\nname = 'x'\n\n[tool.cguard]\nfail-on = 'warning'\n")
    assert find_config(repo / "scripts" / "drafts") == repo / "pyproject.toml"
    write(repo / "cguard.yaml", "fail-on: info\n")
    assert find_config(repo / "scripts") == repo / "cguard.yaml"
    write(repo / "scripts" / ".cguard.yaml", "fail-on: error\n")
    assert find_config(repo / "scripts" / "drafts") == repo / "scripts" / ".cguard.yaml"


def test_yaml_config_drives_check(repo):
    write(repo / ".cguard.yaml", """\
packs: [packs/cfgtest.yaml]
select: [cfgtest]
severity: {CFG001: warning}
exclude: ["drafts/"]
fail-on: warning
""")
    r = run("check", "--format", "json", ".")
    assert r.exit_code == 1, r.output
    # severity override applied, drafts/ excluded, relative pack path resolved from the config
    assert findings(r) == [("a.md", "CFG001", "warning"), ("a.md", "CFG002", "warning"),
                           ("notes.txt", "CFG001", "warning")]


def test_pyproject_tool_table(repo):
    write(repo / "pyproject.toml", """\
[project]
name = "content"

[tool.cguard]
packs = ["packs/cfgtest.yaml"]
select = ["cfgtest"]
allow = ["最好的朋友"]
fail_on = "never"

[tool.cguard.severity]
CFG002 = "info"

[[tool.cguard.per-file]]
files = "scripts/drafts/**"
ignore = ["CFG001"]
""")
    r = run("check", "--format", "json", ".")
    assert r.exit_code == 0, r.output  # fail_on = never (underscore spelling accepted)
    assert findings(r) == [("a.md", "CFG001", "error"), ("a.md", "CFG002", "info")]


def test_flags_merge_over_the_file(repo):
    write(repo / ".cguard.yaml", "packs: [packs/cfgtest.yaml]\nselect: [CFG002]\nignore: [pricing]\n")
    # --select replaces the file's selection, --severity adds an override, --allow adds a
    # term, --exclude adds a glob
    args = ["check", "--format", "json", "--select", "cfgtest", "--severity", "CFG001=info",
            "--allow", "这个最好", "--exclude", "notes.txt", "."]
    r = run(*args)
    assert findings(r) == [("a.md", "CFG002", "warning"), ("d.md", "CFG001", "info")]
    assert r.exit_code == 0  # nothing at error
    assert run(*args[:1], "--fail-on", "warning", *args[1:]).exit_code == 1


def test_per_file_overrides(repo):
    write(repo / ".cguard.yaml", """\
packs: [packs/cfgtest.yaml]
select: [cfgtest]
per-file:
  - files: ["scripts/drafts/**"]   # globs are relative to the config file
    fail-on: never
  - files: "*.txt"                   # no slash: any depth
    select: [CFG002]
  - files: scripts/a.md
    severity: {CFG002: error}
""")
    r = run("check", "--format", "json", "drafts")
    assert findings(r) == [("d.md", "CFG001", "error")]
    assert r.exit_code == 0  # drafts never fail
    r = run("check", "--format", "json", ".")
    assert findings(r) == [("a.md", "CFG001", "error"), ("a.md", "CFG002", "error"), ("d.md", "CFG001", "error")]
    assert r.exit_code == 1


def test_include_globs_choose_files_in_directories(repo):
    write(repo / ".cguard.yaml", "packs: [packs/cfgtest.yaml]\nselect: [cfgtest]\ninclude: ['**/*.txt']\n")
    r = run("check", "--format", "json", ".")
    assert findings(r) == [("notes.txt", "CFG001", "error")]
    # a file named on the command line is checked whatever include says
    r = run("check", "--format", "json", "a.md")
    assert {f[0] for f in findings(r)} == {"a.md"}


def test_exclude_applies_to_named_files_too(repo):
    """pre-commit passes file names: exclude must hold for them as well."""
    write(repo / ".cguard.yaml", "packs: [packs/cfgtest.yaml]\nselect: [cfgtest]\nexclude: [drafts]\n")
    r = run("check", "--format", "json", "drafts/d.md", "a.md")
    assert {f[0] for f in findings(r)} == {"a.md"}


def test_config_override_flag_and_no_config(repo, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere") / "team.yaml"
    write(other, f"packs: [{repo / 'packs' / 'cfgtest.yaml'}]\nselect: [CFG002]\n")
    write(repo / ".cguard.yaml", "select: [nonexistent-pack]\n")
    r = run("check", "--format", "json", "--config", str(other), "a.md")
    assert findings(r) == [("a.md", "CFG002", "warning")]
    r = run("check", "--no-config", "--pack", str(repo / "packs" / "cfgtest.yaml"), "--select", "CFG001",
            "--format", "json", "a.md")
    assert findings(r) == [("a.md", "CFG001", "error")]


def test_cguard_config_prints_the_merged_result(repo):
    write(repo / ".cguard.yaml", """\
packs: [packs/cfgtest.yaml]
ignore: [CFG002]
allow: [品牌名]
per-file:
  - files: drafts/**
    fail-on: never
""")
    write(repo / ".cguard-baseline.json", '{"format": 1, "findings": []}')
    r = run("config", "--ignore", "pricing", "--fail-on", "warning")
    assert r.exit_code == 0, r.output
    repo = repo.resolve()
    assert r.output.startswith(f"# config: {repo / '.cguard.yaml'}\n")
    data = yaml.safe_load(r.output)
    assert data["ignore"] == ["CFG002", "pricing"]
    assert data["allow"] == ["品牌名"]
    assert data["fail-on"] == "warning"
    assert data["packs"] == [str(repo / "packs" / "cfgtest.yaml")]
    assert data["per-file"] == [{"files": ["drafts/**"], "fail-on": "never"}]
    assert data["baseline"] == str(repo / ".cguard-baseline.json")  # picked up beside the config


@pytest.mark.parametrize("text, line, needle", [
    ("select: [cfgtest]\nignor: [x]\n", 2, "unknown key 'ignor'"),
    ("fail-on: sometimes\n", 1, "fail-on must be one of error, warning, info, never"),
    ("severity:\n  CFG001: loud\n", 2, "severity CFG001 must be one of error, warning, info"),
    ("severity: [CFG001]\n", 1, "severity must map rule ids to error, warning or info, not a list"),
    ("select: 3\n", 1, "select must be a string or a list of strings"),
    ("per-file:\n  - ignore: [CFG001]\n", 2, "per-file entry needs `files:`"),
    ("per-file:\n  - files: a.md\n    fail_on: never\n    colour: red\n", 4, "unknown key 'colour' in per-file"),
    ("packs: [missing.yaml]\n", 1, "packs:"),
    ("select: [a, b\n", 2, "malformed YAML"),
    ("- just\n- a list\n", 1, "must be a mapping"),
    ("profile: loud\n", 1, "profile: no built-in profile 'loud'"),
    ("profile: profiles/mine.yaml\n", 1, "profile: "),
    ("scoring:\n  script.hook_secs: 5\n", 2, "scoring: unknown profile key 'script.hook_secs'"),
    ("scoring:\n  script:\n    hook_seconds: soon\n", 3, "scoring: script.hook_seconds: expected a number"),
    # issue 11: a key written twice kept the last silently; a non-string item said "not a list"
    ("select: [cfgtest]\nignore: [CFG002]\nselect: [pricing]\n", 3, "duplicate key 'select' (also on line 1)"),
    ("per-file:\n  - files: a.md\n    fail-on: never\n    fail-on: error\n", 4, "duplicate key 'fail-on' (also on line 3)"),
    ("allow: [1, 2, null]\n", 1, "allow: item 1 (1) is a number, expected a string (quote it)"),
    ("allow:\n  - 品牌\n  - null\n", 3, "allow: item 2 is empty, expected a string"),
    ("exclude: [drafts/, yes]\n", 1, "exclude: item 2 (True) is a boolean, expected a string (quote it)"),
])
def test_bad_yaml_config_is_an_exit_2_one_liner(repo, text, line, needle):
    path = write(repo / ".cguard.yaml", text)
    r = run("check", "a.md")
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.output
    assert lines[0].startswith(f"cguard: error: {path.resolve()}:{line}: "), lines
    assert needle in lines[0]


def test_profile_and_scoring_values_drive_score_mix_and_campaign(repo):
    """``profile:`` picks the scoring profile and ``scoring:`` overrides single values; --profile
    and --set still win over the file."""
    corpora = Path(__file__).resolve().parents[1] / "corpora" / "scoring"
    script = str(corpora / "scripts" / "v03-too-long.txt")  # ≈122 s against a 60 s limit

    def scored(*args):
        r = run(*args, "--format", "json")
        doc = json.loads(r.stdout)
        return doc["profile"]["name"], doc["files"][0]["score"]

    default = scored("score", script)
    write(repo / ".cguard.yaml", "profile: content-pyramid\nscoring:\n  script:\n    video_length: [15, 150]\n")
    name, longer_allowed = scored("score", script)
    assert name == "content-pyramid" and longer_allowed > default[1]
    assert scored("score", "--set", "script.video_length=[15, 60]", script)[1] == default[1]
    assert scored("score", "--profile", "default", script)[0] == "default"
    assert scored("score", "--no-config", script) == default
    assert scored("mix", str(corpora / "calendars" / "c03-content-pyramid.yaml")) == ("content-pyramid", 100)

    campaign = str(corpora / "campaigns" / "k02-group-price.yaml")  # 拼团 25-30 % under the daily price
    write(repo / ".cguard.yaml", "scoring:\n  campaign.group_discount: [0.15, 0.30]\n")
    r = run("campaign", "--format", "json", campaign)
    finding = json.loads(r.stdout)["files"][0]["findings"]
    assert sorted(f["rule"] for f in finding) == ["CMP102"]  # only the price under cost is left
    assert "--set" not in r.stdout and f"{(repo / '.cguard.yaml').resolve()}:2: scoring" in r.stdout

    shown = yaml.safe_load(run("config").stdout)
    assert shown["profile"] is None and shown["scoring"] == {"campaign.group_discount": [0.15, 0.30]}


def test_unknown_names_in_config_are_errors_with_their_line(repo):
    path = write(repo / ".cguard.yaml", "packs: [packs/cfgtest.yaml]\nignore:\n  - CFG001\nseverity: {CFG009: info}\n")
    r = run("check", "a.md")
    assert r.exit_code == 2
    assert r.output.strip() == (f"cguard: error: {path.resolve()}:4: severity: unknown rule 'CFG009'"
                                " (see `cguard rules list`)")
    r = run("check", "--no-config", "--select", "nopack", "a.md")
    assert r.exit_code == 2
    assert r.output.strip() == "cguard: error: --select: unknown rule, pack or category 'nopack' (see `cguard rules list`)"


def test_bad_toml_config_names_file_line_and_key(repo):
    path = write(repo / "pyproject.toml", "[project]\nname = 'x'\n\n[tool.cguard]\nselect = ['a']\ncolour = 'red'\n")
    with pytest.raises(ConfigError, match=rf"^{path}:6: unknown key 'colour'"):
        load(path)
    write(path, "[tool.cguard]\n\n[[tool.cguard.per-file]]\nfiles = 'a'\n\n"
                "[[tool.cguard.per-file]]\nfiles = 'b'\nfail-on = 'loud'\n")
    with pytest.raises(ConfigError, match=rf"^{path}:8: per-file fail-on must be one of"):
        load(path)
    write(path, "[tool.cguard]\nselect = [\n")
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: malformed TOML"):
        load(path)


def test_missing_config_file_flag(repo):
    r = run("check", "--config", "nope.yaml", "a.md")
    assert r.exit_code == 2
    assert r.output.strip() == "cguard: error: nope.yaml: config file not found"


def test_empty_config_means_defaults(repo):
    write(repo / ".cguard.yaml", "")
    cfg = resolve(cwd=repo / "scripts")
    assert cfg.path == repo / ".cguard.yaml" and cfg.fail_on == "error" and cfg.select == ()


@pytest.mark.parametrize("pattern, path, expected", [
    ("drafts/**", "drafts/a.md", True),
    ("drafts/**", "drafts/x/y.md", True),
    ("drafts/**", "old/drafts/a.md", False),  # has a slash: anchored at the root
    ("drafts", "old/drafts/a.md", True),  # a bare name matches at any depth
    ("*.md", "a/b/c.md", True),
    ("*.md", "a/b/c.txt", False),
    ("scripts/*.md", "scripts/a.md", True),
    ("scripts/*.md", "scripts/sub/a.md", False),
    ("**/*.srt", "a/b/c.srt", True),
    ("**/*.srt", "c.srt", True),
    ("/top.md", "top.md", True),
    ("/top.md", "x/top.md", False),
    ("v?.md", "v1.md", True),
    ("v[0-9].md", "v7.md", True),
    ("v[!0-9].md", "v7.md", False),
    ("直播/*.md", "直播/脚本.md", True),
])
def test_glob_match(pattern, path, expected):
    assert glob_match(pattern, path) is expected


def test_settings_for_folds_matching_entries_in_order(tmp_path):
    cfg = Config(root=tmp_path, select=("A",), ignore=("B",), fail_on="warning")
    from compliance_guard.load.config import PerFile

    cfg.per_file = (PerFile(files=("x/**",), ignore=("C",), fail_on="never"),
                    PerFile(files=("x/y.md",), select=("D",), severity={"D": "info"}))
    s = cfg.settings_for(tmp_path / "x" / "y.md")
    assert (s.select, s.ignore, s.severity, s.fail_on) == (("D",), ("B", "C"), (("D", "info"),), "never")
    assert cfg.settings_for(tmp_path / "z.md") == cfg.base_settings()
    assert cfg.settings_for(Path(os.sep) / "elsewhere.md") == cfg.base_settings()


def test_rule_ids_are_case_insensitive_everywhere(repo):
    """abs007 is ABS007 in --select/--ignore/--severity, the config, per-file and rules show,
    as it always was in cguard: disable-line (issue 11, item 4)."""
    (repo / "scripts" / "p.txt").write_text("这款是全网最低价，效果最好\n", encoding="utf-8")
    upper = findings(run("check", "--no-config", "--format", "json", "--select", "ABS007,ABS001", "p.txt"))
    assert [rule for _, rule, _ in upper] == ["ABS001", "ABS007"]
    assert findings(run("check", "--no-config", "--format", "json", "--select", "abs007,Abs001", "p.txt")) == upper
    lowered = run("check", "--no-config", "--format", "json", "--select", "absolute-claims", "--ignore", "abs001",
                  "--severity", "abs007=warning", "p.txt")
    assert findings(lowered) == [("p.txt", "ABS007", "warning")]
    write(repo / ".cguard.yaml",
          "select: [abs007]\nseverity: {abs007: info}\nper-file:\n  - files: '*.md'\n    ignore: [abs030]\n")
    assert findings(run("check", "--format", "json", "p.txt")) == [("p.txt", "ABS007", "info")]
    r = run("rules", "show", "abs001")
    assert r.exit_code == 0 and r.output.startswith("ABS001")


def test_a_name_that_matches_nothing_is_exit_2_in_scan_too(tmp_path):
    catalogue = tmp_path / "c.csv"
    catalogue.write_text("商品标题,售价\n全网最低价面膜,99\n", encoding="utf-8")
    r = run("scan", str(catalogue), "--select", "abs999", "-q")
    assert r.exit_code == 2
    assert r.output.strip() == "cguard: error: --select: unknown rule, pack or category 'abs999' (see `cguard rules list`)"
    r = run("scan", str(catalogue), "--ignore", "nothing-like-it", "-q")
    assert r.exit_code == 2 and "--ignore: unknown rule, pack or category 'nothing-like-it'" in r.output
    rules = [[f["rule"] for f in json.loads(line)["findings"]]
             for ids in ("ABS007", "abs007")
             for line in run("scan", str(catalogue), "--select", ids, "-q", "-j", "1").stdout.splitlines()]
    assert rules == [["ABS007"], ["ABS007"]]
