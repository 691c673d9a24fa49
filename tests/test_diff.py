"""``cguard check --diff [REV]``: only findings on lines changed since REV, in files of the
diff, in a throwaway git repository."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main
from compliance_guard.run.gitdiff import _unquote, changed_lines

PACK = Path(__file__).parent / "data" / "ci-pack.yaml"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "HOME": str(repo), "GIT_CONFIG_NOSYSTEM": "1",
           "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "old.md").write_text("# 旧脚本\n这个最好\n销量第一\n", encoding="utf-8")
    (tmp_path / "scripts" / "other.txt").write_text("顶级\n", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "old copy")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args):
    r = CliRunner().invoke(main, ["check", "--no-config", "--pack", str(PACK), "--select", "ci", "--format", "json", *args])
    return r, [(Path(f["path"]).as_posix(), d["line"], d["text"])
               for f in (json.loads(r.stdout)["files"] if r.stdout.startswith("{") else []) for d in f.get("findings", [])]


def test_only_changed_lines_count(repo):
    Path("scripts/old.md").write_text("# 旧脚本\n这个最好\n新增：收纳神器\n销量第一！\n", encoding="utf-8")
    r, found = check("--diff")
    assert r.exit_code == 0, r.output  # CI003 is info, CI002 a warning: nothing at error
    assert found == [("scripts/old.md", 3, "神器"), ("scripts/old.md", 4, "销量第一")]
    r, found = check(".")  # without --diff the old finding is there too
    assert ("scripts/old.md", 2, "最好") in found and ("scripts/other.txt", 1, "顶级") in found


def test_staged_new_file_counts_whole_and_paths_restrict(repo):
    Path("scripts/new.md").write_text("全网最低价\n", encoding="utf-8")
    git(repo, "add", "scripts/new.md")
    Path("notes.txt").write_text("最好\n", encoding="utf-8")  # untracked: not in the diff
    Path("scripts/other.txt").write_text("顶级\n顶级\n", encoding="utf-8")
    r, found = check("--diff")
    assert r.exit_code == 1
    assert found == [("scripts/new.md", 1, "全网最低价"), ("scripts/other.txt", 2, "顶级")]
    r, found = check("--diff", "HEAD", "scripts/new.md")
    assert found == [("scripts/new.md", 1, "全网最低价")]


def test_diff_value_that_is_a_path_is_read_as_a_path(repo):
    Path("scripts/other.txt").write_text("顶级\n最好\n", encoding="utf-8")
    Path("elsewhere.txt").write_text("最好\n", encoding="utf-8")
    git(repo, "add", "elsewhere.txt")
    r, found = check("--diff", "scripts")
    assert found == [("scripts/other.txt", 2, "最好")]


def test_diff_against_an_older_revision(repo):
    Path("scripts/other.txt").write_text("顶级\n最好\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "more")
    r, found = check("--diff")
    assert found == [] and r.exit_code == 0  # nothing changed since HEAD
    r, found = check("--diff", "HEAD~1")
    assert found == [("scripts/other.txt", 2, "最好")]


def test_deleted_lines_and_files_report_nothing(repo):
    Path("scripts/old.md").write_text("# 旧脚本\n这个最好\n", encoding="utf-8")
    Path("scripts/other.txt").unlink()
    r, found = check("--diff")
    assert found == [] and r.exit_code == 0


def test_changed_lines_parses_hunks(repo):
    Path("scripts/old.md").write_text("新第一行\n# 旧脚本\n这个最好\n改了\n", encoding="utf-8")
    changed = changed_lines("HEAD", cwd=repo)
    assert changed == {(repo / "scripts" / "old.md").resolve(): {1, 4}}


def test_bad_revision_and_no_repository_are_exit_2(repo, tmp_path_factory, monkeypatch):
    r, _ = check("--diff", "nosuchrev")
    assert r.exit_code == 2 and r.output == "cguard: error: --diff: unknown revision 'nosuchrev'\n"
    outside = tmp_path_factory.mktemp("norepo")
    (outside / "a.md").write_text("最好\n", encoding="utf-8")
    monkeypatch.chdir(outside)
    r = CliRunner().invoke(main, ["check", "--no-config", "--diff", "HEAD", "a.md"])
    assert r.exit_code == 2 and r.output.startswith("cguard: error: git rev-parse --show-toplevel: fatal: not a git repository")
    assert r.output.count("\n") == 1


def test_check_without_paths_needs_diff():
    r = CliRunner().invoke(main, ["check", "--no-config"])
    assert r.exit_code == 2 and "Missing argument 'PATHS...'" in r.output


def test_git_quoted_names():
    assert _unquote('"b/a\\tb.md"') == "b/a\tb.md"
    assert _unquote('"b/\\344\\270\\255.md"') == "b/中.md"
    assert _unquote("b/plain.md") == "b/plain.md"
