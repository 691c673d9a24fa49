"""CRLF and lone-CR files: offsets are code points of the decoded file as it is (CR included),
and every consumer counts ``\\r\\n``, ``\\r`` and ``\\n`` as one line break each."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_PACK

from compliance_guard.app.cli import main

DOCS = {
    "a.txt": ("第一行\n这款是全网最低价\n\n最好的面膜就是它\n", [(2, 4, "全网最低价"), (4, 1, "最好")]),
    "a.md": ("---\ntitle: 最好\n---\n# 标题\n\n`最好` 顶级的面膜\n\n```\n最好\n```\n全网最低价\n",
             [(6, 6, "顶级"), (11, 1, "全网最低价")]),
    "a.srt": ("1\n00:00:00,000 --> 00:00:02,000\n全网最低价\n\n2\n00:00:02,000 --> 00:00:04,000\n顶级品质\n",
              [(3, 1, "全网最低价"), (7, 1, "顶级")]),
}


def check_json(*paths):
    r = CliRunner().invoke(main, ["check", "--no-config", "--no-baseline", "--format", "json", *map(str, paths)])
    return r, json.loads(r.stdout)


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["crlf", "cr"])
@pytest.mark.parametrize("name", sorted(DOCS))
def test_json_offsets_are_those_of_the_raw_file(tmp_path, name, ending):
    text, expected = DOCS[name]
    raw = text.replace("\n", ending)
    path = tmp_path / name
    path.write_bytes(raw.encode("utf-8"))
    r, doc = check_json(path)
    findings = doc["files"][0]["findings"]
    assert sorted({(f["line"], f["column"], f["text"]) for f in findings}) == expected, r.output
    decoded = path.read_bytes().decode("utf-8")
    for f in findings:
        assert decoded[f["start"]:f["end"]] == f["text"]
        line_start = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", decoded)]
        assert line_start[f["line"] - 1] + f["column"] - 1 == f["start"]


def test_suppressions_and_text_context_with_lone_cr(tmp_path):
    path = tmp_path / "cr.txt"
    path.write_bytes("这款全网最低价 cguard: disable-line ABS003\r最好的面膜\r".encode())
    r = CliRunner().invoke(main, ["check", "--no-config", "--no-baseline", str(path)])
    assert f"{path}:2:1: error ABS001" in r.output
    assert "ABS003" not in r.output.replace("disable-line ABS003", "")  # the directive covers line 1 only
    assert "\r" not in r.output


def test_baseline_fingerprints_ignore_line_endings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "a.txt"
    path.write_bytes("开头\n这款是全网最低价\n".encode())
    runner = CliRunner()
    assert runner.invoke(main, ["check", "--no-config", "--write-baseline", "b.json", "a.txt"]).exit_code == 0
    path.write_bytes("开头\r\n这款是全网最低价\r\n".encode())
    r = runner.invoke(main, ["check", "--no-config", "--baseline", "b.json", "a.txt"])
    assert r.exit_code == 0, r.output


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_counts_lines_as_git_does(tmp_path, monkeypatch):
    """git numbers lines by LF only: in a lone-CR file every change is on git's line 1."""
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           "PATH": "/usr/bin:/bin:/usr/local/bin"}
    for args in (["init", "-q", "-b", "main"],):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)
    path = tmp_path / "cr.txt"
    path.write_bytes("第一行\r第二行\r".encode())
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, env=env, check=True, capture_output=True)
    subprocess.run(["git", "commit", "-q", "-m", "x"], cwd=tmp_path, env=env, check=True, capture_output=True)
    path.write_bytes("第一行\r第二行\r这款是全网最低价\r".encode())
    monkeypatch.chdir(tmp_path)
    r, doc = check_json("--diff")
    assert {(f["line"], f["text"]) for f in doc["files"][0]["findings"]} == {(3, "全网最低价")}


def test_lsp_positions_count_every_line_ending():
    pytest.importorskip("pygls")
    from conftest import builtin_engine
    from pygls.workspace import TextDocument

    from compliance_guard.app.lsp import diagnostics_for

    document = TextDocument("file:///a.md", "第一行\r\n\r\n全网最低价\r最好😀的面膜\r\n", language_id="markdown")
    found = [(d.range.start.line, d.range.start.character, d.range.end.character, d.code)
             for d in diagnostics_for(builtin_engine(), document, "markdown")]
    assert sorted(set(found)) == [(2, 0, 5, "ABS007"), (2, 0, 5, "PRICE004"), (3, 0, 2, "ABS001")]


def test_fix_keeps_each_line_ending(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("开头\r\n这个最好\r第三行\n这个最好\r\n".encode())
    r = CliRunner().invoke(main, ["fix", "--no-config", "--pack", str(FIXTURE_PACK), "--select", "smoke", "--write", str(path)])
    assert path.read_bytes().decode("utf-8") == "开头\r\n这个很好\r第三行\n这个很好\r\n", r.output
