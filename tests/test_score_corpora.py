"""Regression: the worked examples in corpora/scoring/ keep the scores corpora/scoring/README.md
explains. They run with the real rule packs; an example that needs a pack category which is not
installed is skipped, not faked."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import builtin_engine

from compliance_guard.load.profiles import load_profile
from compliance_guard.scoring.campaign import score_campaign
from compliance_guard.scoring.mix import score_calendar
from compliance_guard.scoring.script import score_paths

ROOT = Path(__file__).resolve().parents[1] / "corpora" / "scoring"
EXPECTED = json.loads((ROOT / "expected.json").read_text(encoding="utf-8"))


def subscores(report) -> dict:
    return {s.name: None if s.score is None else round(s.score) for s in report.subscores if s.name != "compliance"}


def findings(report) -> dict:
    out: dict = {}
    for f in report.findings:
        by = out.setdefault(f.category, {})
        by[f.severity.value] = by.get(f.severity.value, 0) + 1
    return out


def require(categories):
    have = {p.category for p in builtin_engine().packset.packs}
    missing = sorted(set(categories) - have)
    if missing:
        pytest.skip(f"needs the {', '.join(missing)} rule pack(s), not installed yet")


def test_the_corpus_has_what_the_issue_asks_for():
    scripts = EXPECTED["scripts"]
    assert len(scripts) >= 10 and sum(name.endswith(".srt") for name in scripts) >= 3
    assert len(EXPECTED["calendars"]) >= 3 and len(EXPECTED["campaigns"]) >= 5
    for group, folder in (("scripts", "scripts"), ("calendars", "calendars"), ("campaigns", "campaigns")):
        assert sorted(EXPECTED[group]) == sorted(p.name for p in (ROOT / folder).iterdir())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for group in ("scripts", "calendars", "campaigns"):
        for name in EXPECTED[group]:
            assert name in readme, f"{name} is not explained in corpora/scoring/README.md"


@pytest.mark.parametrize("name", sorted(EXPECTED["scripts"]))
def test_script(name):
    want = EXPECTED["scripts"][name]
    require(want.get("requires", []) or [c for c in want.get("findings", {})])
    report = score_paths([str(ROOT / "scripts" / name)], want["kind"], load_profile(), builtin_engine())[0]
    got = subscores(report)
    for key, value in want["subscores"].items():
        assert got[key] == value, (key, got)
    for key, value in want.get("subscores_max", {}).items():
        assert got[key] <= value, (key, got)
    if "score" in want:
        assert (report.score, report.quality, findings(report)) == (want["score"], want["quality"], want["findings"])
        assert set(got) == set(want["subscores"])
    if "score_max" in want:
        assert report.score <= want["score_max"]
    for category, by in want.get("findings_min", {}).items():
        for severity, n in by.items():
            assert findings(report).get(category, {}).get(severity, 0) >= n


@pytest.mark.parametrize("name", sorted(EXPECTED["calendars"]))
def test_calendar(name):
    for profile, want in EXPECTED["calendars"][name].items():
        report = score_calendar(str(ROOT / "calendars" / name), load_profile(profile))
        assert report.problems == [] and report.error is None
        assert (report.score, subscores(report)) == (want["score"], want["subscores"]), profile


@pytest.mark.parametrize("name", sorted(EXPECTED["campaigns"]))
def test_campaign(name):
    want = EXPECTED["campaigns"][name]
    report = score_campaign(str(ROOT / "campaigns" / name), load_profile(), builtin_engine())
    assert report.problems == []
    assert sorted(f.rule for f in report.findings) == want["rules"]
    assert (report.score, report.quality, subscores(report)) == (want["score"], want["quality"], want["subscores"])
