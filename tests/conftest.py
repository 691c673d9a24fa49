"""Shared fixtures: the repository layout and the engine over the fixture pack."""
from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest

from compliance_guard.engine import Engine
from compliance_guard.engine.packs import load_packs

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURE_PACK = REPO / "tests" / "fixtures" / "engine-pack.yaml"


@pytest.fixture(scope="session", autouse=True)
def engine_cache_home(tmp_path_factory):
    """The engine cache of every run in the suite (CLI calls and the subprocesses they start)
    in a temporary directory: the suite never writes to the user's home."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(folder))
        mp.delenv("CGUARD_NO_CACHE", raising=False)
        yield folder


@functools.lru_cache(maxsize=1)
def builtin_engine() -> Engine:
    """The engine over every built-in pack, built once for the whole test run."""
    return Engine(load_packs())


@pytest.fixture(scope="session")
def fixture_engine() -> Engine:
    return Engine(load_packs([FIXTURE_PACK], builtin=False))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when a user's clone has none."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available (only in the development workspace)")
    return path


@pytest.fixture(scope="session")
def all_texts() -> list[str]:
    """Every text the project has (rule examples, regression sets, the sample catalogue's cells,
    the example and scoring corpora) plus, where present, 400k characters of the shared
    third-party corpora: for tests that hold an optimisation to the plain computation."""
    texts = [t for r in builtin_engine().rules for key in ("bad", "good") for t in r.examples.get(key, [])]
    for path in sorted((REPO / "corpora" / "regression").glob("*.tsv")):
        texts += [line.partition("\t")[2] for line in path.read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#")]
    with open(REPO / "corpora" / "listings" / "catalogue.csv", encoding="utf-8-sig", newline="") as fh:
        texts += [cell for row in csv.reader(fh) for cell in row if cell]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpora").rglob("*"))
              if p.suffix in (".txt", ".md", ".srt")]
    total = 0
    for name in ("ad_kobe_desc.txt", "ad_advertisegen_dev.txt", "ad_kobe_titles.txt", "rev_online_shopping_10_cats.txt"):
        path = SHARED / "corpora" / name
        for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
            texts.append(line)
            total += len(line)
            if total > 400_000:
                return texts
    return texts


def run_check(rule, subject) -> list:
    """The findings of one ``check:`` rule on a TextView or a listing's FieldViews, its options
    prepared as an engine prepares them (for tests that vary a rule's options)."""
    from compliance_guard.checks import CHECKS
    from compliance_guard.text.view import TextView

    check = CHECKS[rule.check]
    runner = check.text if isinstance(subject, TextView) else check.listing
    return list(runner(subject, rule, check.prepare(check.settings(rule.options))))


def listing_findings(fields, rules, category=None) -> list:
    """The findings of the listing checks of ``rules`` on one listing's fields."""
    from compliance_guard.checks import CHECKS
    from compliance_guard.text.view import FieldViews

    views = FieldViews(fields, category)
    return [f for r in rules if r.kind == "check" and CHECKS[r.check].listing is not None
            for f in run_check(r, views)]
