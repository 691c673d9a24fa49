"""README.md says what the CLI does: every command line it shows names real subcommands and
options, its example config loads, its pre-commit snippet names a real hook, and the `cguard`
steps of its GitHub Actions workflow do what it says in a throwaway git repository."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from compliance_guard.app.cli import main

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", README, re.S | re.M)


def block_with(lang: str, needle: str) -> str:
    [found] = [b for b in blocks(lang) if needle in b]
    return found


def command_lines() -> list[list[str]]:
    """Each `cguard …` command of the README's shell blocks (also after `|` or `&&`, and as
    `.venv/bin/cguard`), as words, comments cut."""
    out = []
    for block in blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            for part in re.split(r"\|\||&&|\|", re.split(r"\s#\s", line)[0]):
                words = shlex.split(part)
                if words and Path(words[0]).name == "cguard":
                    out.append(["cguard", *words[1:]])
    return out


@pytest.mark.parametrize("words", command_lines(), ids=lambda w: " ".join(w[:3]))
def test_readme_command_lines_use_real_commands_and_options(words):
    command, args = main, words[1:]
    while isinstance(command, click.Group):
        sub = command.get_command(click.Context(command), args[0]) if args else None
        assert sub is not None, f"no command {args[:1]} in {' '.join(words)}"
        command, args = sub, args[1:]
    known = {opt for p in command.params for opt in p.opts + p.secondary_opts}
    for word in args:
        if word.startswith("--"):
            assert word.split("=")[0] in known, f"{' '.join(words)}: no option {word}"


def test_readme_example_config_loads(tmp_path, monkeypatch):
    config = block_with("yaml", "per-file:")
    (tmp_path / ".cguard.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "team-packs").mkdir()
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["config"])
    assert r.exit_code == 0, r.output
    shown = yaml.safe_load(r.stdout)
    assert shown["profile"] == "content-pyramid" and shown["severity"] == {"PRICE004": "info"}
    assert shown["scoring"] == {"script.video_length": [15, 45], "campaign.group_discount": [0.1, 0.2]}


def test_readme_pre_commit_snippet_names_the_shipped_hooks():
    snippet = yaml.safe_load(block_with("yaml", "hooks:\n      - id: cguard"))
    hooks = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert {h["id"] for h in snippet["repos"][0]["hooks"]} <= hooks
    assert "cguard-fix" in hooks


def _git(args, cwd: Path, env: dict) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_readme_github_actions_workflow(tmp_path):
    workflow = yaml.safe_load(block_with("yaml", "runs-on: ubuntu-latest"))
    steps = workflow["jobs"]["cguard"]["steps"]
    assert workflow["permissions"]["security-events"] == "write"
    assert next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))["with"]["fetch-depth"] == 0
    runs = {s["name"]: s for s in steps if s.get("run", "").startswith("cguard ")}
    assert len(runs) == 3

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               GITHUB_ACTIONS="true", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    origin, work = tmp_path / "origin.git", tmp_path / "content"
    _git(["init", "-q", "--bare", "-b", "main", str(origin)], tmp_path, env)
    _git(["clone", "-q", str(origin), str(work)], tmp_path, env)
    (work / "scripts").mkdir()
    (work / "scripts" / "old.md").write_text("# 旧脚本\n\n这款面膜是最好的\n", encoding="utf-8")
    _git(["add", "-A"], work, env)
    _git(["commit", "-qm", "old copy"], work, env)
    _git(["push", "-q", "origin", "HEAD:main"], work, env)
    _git(["checkout", "-qb", "feature"], work, env)
    (work / "scripts" / "new.md").write_text("# 双十一\n\n全网最低价，只有今天！\n", encoding="utf-8")
    _git(["add", "-A"], work, env)
    _git(["commit", "-qm", "new copy"], work, env)

    def run(step: dict) -> subprocess.CompletedProcess:
        command = step["run"].replace("${{ github.base_ref }}", "main")
        return subprocess.run(command, shell=True, cwd=work, env=env, capture_output=True, text=True, encoding="utf-8")

    pr = run(next(s for s in runs.values() if "pull_request'" in s["if"] and "==" in s["if"]))
    assert pr.returncode == 1, pr.stderr
    assert "::error file=scripts/new.md,line=3," in pr.stdout and "old.md" not in pr.stdout

    push = run(next(s for s in runs.values() if "!=" in s.get("if", "")))
    assert push.returncode == 1
    assert "::error file=scripts/new.md," in push.stdout and "::error file=scripts/old.md," in push.stdout

    sarif = run(next(s for s in runs.values() if "sarif" in s["run"]))
    assert sarif.returncode == 0, sarif.stderr
    report = json.loads((work / "cguard.sarif").read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in report["runs"][0]["results"]}
    assert uris == {"scripts/new.md", "scripts/old.md"}


def test_the_rule_pack_example_loads_and_passes_its_examples(tmp_path):
    from compliance_guard.engine.packs import load_packs

    pack = tmp_path / "team.yaml"
    pack.write_text(block_with("yaml", "pack: team-terms"), encoding="utf-8")
    [rule] = load_packs([pack], verify=True, builtin=False).rules
    assert rule.fix_for("最舒适") == "舒适"
