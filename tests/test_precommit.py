"""The pre-commit hook end to end: a throwaway content repository with Markdown scripts, a
config and a baseline installs this project's ``.pre-commit-hooks.yaml`` with pre-commit (the
hook environment is built from a snapshot of this working tree, so no network is needed
beyond PyPI for the dependencies) and real ``git commit``s go through it:

- a commit adding 全网最低价 is blocked,
- one adding 最近上新 passes,
- a suppression comment is honoured,
- a legacy finding recorded in the baseline does not block, even after its line moved,
- a path excluded by the config is not checked.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance_guard.app.cli import main

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or importlib.util.find_spec("pre_commit") is None,
    reason="needs git and pre-commit (pip install pre-commit)")


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid", GIT_CONFIG_NOSYSTEM="1",
               GIT_CONFIG_GLOBAL=os.devnull, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    env.pop("GITHUB_ACTIONS", None)  # plain text output in the hook, wherever the tests run
    return env


def _run(args, cwd: Path, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8")
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def _hook_repo(dest: Path, env: dict) -> str:
    """A git snapshot of this working tree (what the hook installs), returns its commit."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("src", "rules"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, dest / name)
    _run(["git", "init", "-q"], dest, env)
    _run(["git", "add", "-A"], dest, env)
    _run(["git", "commit", "-q", "-m", "snapshot"], dest, env)
    return _run(["git", "rev-parse", "HEAD"], dest, env).stdout.strip()


def test_pre_commit_hook_in_a_content_repository(tmp_path, monkeypatch):
    env = _env(tmp_path / "pre-commit-home")
    rev = _hook_repo(tmp_path / "hook", env)
    content = tmp_path / "content"
    (content / "scripts").mkdir(parents=True)
    (content / "drafts").mkdir()
    _run(["git", "init", "-q"], content, env)
    (content / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {tmp_path / 'hook'}\n    rev: {rev}\n    hooks:\n      - id: cguard\n", encoding="utf-8")
    (content / ".cguard.yaml").write_text("exclude: [drafts]\n", encoding="utf-8")
    legacy = "# 老脚本\n\n这款面膜是全网最好的\n"
    (content / "scripts" / "legacy.md").write_text(legacy, encoding="utf-8")
    monkeypatch.chdir(content)
    written = CliRunner().invoke(main, ["check", "--write-baseline", ".cguard-baseline.json", "scripts"])
    assert written.exit_code == 0, written.output
    assert '"path": "scripts/legacy.md"' in (content / ".cguard-baseline.json").read_text(encoding="utf-8")
    _run(["git", "add", "-A"], content, env)
    _run(["git", "commit", "-q", "-m", "content with a baseline"], content, env)

    _run([sys.executable, "-m", "pre_commit", "install"], content, env)
    _run([sys.executable, "-m", "pre_commit", "install-hooks"], content, env)

    def commit(path: str, text: str, message: str) -> subprocess.CompletedProcess:
        (content / path).write_text(text, encoding="utf-8")
        _run(["git", "add", path], content, env)
        return _run(["git", "commit", "-m", message], content, env, check=False)

    def commits() -> int:
        return int(_run(["git", "rev-list", "--count", "HEAD"], content, env).stdout)

    blocked = commit("scripts/new.md", "# 双十一\n\n全网最低价，只有今天！\n", "price claim")
    assert blocked.returncode != 0
    out = blocked.stdout + blocked.stderr
    assert "cguard" in out and "Failed" in out
    assert "scripts/new.md:3:1: error ABS007" in out  # the finding, with file:line:col
    assert commits() == 1
    _run(["git", "rm", "-q", "--cached", "scripts/new.md"], content, env)
    (content / "scripts" / "new.md").unlink()

    passed = commit("scripts/new.md", "# 上新\n\n最近上新，欢迎来看看。\n", "new arrivals")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "cguard (marketing copy compliance)....." in passed.stderr and "Passed" in passed.stderr
    assert commits() == 2

    suppressed = commit("scripts/promo.md",
                        "# 比价\n\n<!-- cguard-disable-next-line absolute-claim, pricing -- 已附第三方比价截图 -->\n"
                        "全网最低价（2024年11月11日比价）\n", "suppressed")
    assert suppressed.returncode == 0, suppressed.stdout + suppressed.stderr
    assert commits() == 3

    moved = commit("scripts/legacy.md", "# 老脚本\n\n新加的一段介绍。\n\n" + legacy.split("\n\n", 1)[1], "legacy moved")
    assert moved.returncode == 0, moved.stdout + moved.stderr  # baselined finding, now on line 5
    assert commits() == 4

    draft = commit("drafts/idea.md", "全网最低价\n", "draft")
    assert draft.returncode == 0, draft.stdout + draft.stderr  # excluded by the config
    assert commits() == 5
