"""The house rules of the code, run with the suite (and so in CI): ruff clean, the layers
contract of import-linter kept (pyproject.toml), no module over 500 lines, and nothing that a
user reads cites a file they do not have."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "compliance_guard"
MAX_LINES = 500


def tool(name: str) -> str:
    """The tool installed beside this interpreter (the test extra), else on PATH, else skip."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return found


def test_ruff_is_clean():
    proc = subprocess.run([tool("ruff"), "check", "--no-cache", "src", "tests", "benchmarks", "corpora", "tools"], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_layers_contract_holds():
    """app > report > scoring > run | scan > engine > checks > load > text > model, and no import
    cycles inside a package (pyproject.toml [tool.importlinter])."""
    proc = subprocess.run([tool("lint-imports"), "--no-cache"], cwd=REPO, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO / "src"), "PATH": str(Path(sys.executable).parent)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_what_users_read_cites_titles_not_files():
    """Messages, sources and profiles cite the law, the platform rule or the article by its title
    (docs/sources.md), never a seed file or a notes file a user does not have."""
    unwanted = re.compile(r"seed \d{3}|\d{3}_[0-9a-f]{16}\.txt|REGULATIONS\.md")
    files = [*REPO.joinpath("rules").rglob("*.yaml"), *PACKAGE.rglob("*.py"), REPO / "README.md"]
    cited = [f"{p.relative_to(REPO)}:{n}" for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if unwanted.search(line)]
    assert cited == []
    sources = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    for title in ("《中华人民共和国广告法》", "《明码标价和禁止价格欺诈规定》", "《微信外部链接内容管理规范》",
                  "《视频号小店怎么运营的", "《微店成功运营案例拆解及关键策略》"):
        assert title in sources
