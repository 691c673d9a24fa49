"""The engine skips work on texts that cannot match: a regex rule runs only where one of its
``triggers`` occurs, a structured check only where its gate (``checks.GATES``) matches. Both
are promises about the patterns and the check code; these tests hold them to it on every text
the project has: rule examples, the regression sets, the sample catalogue, the scoring corpus
and, where present, the shared third-party corpora."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from compliance_guard.checks import GATES, REGISTRY
from compliance_guard.engine import default_engine
from compliance_guard.normalize import normalize

from conftest import SHARED

REPO = Path(__file__).resolve().parents[1]


def project_texts() -> list[str]:
    texts = [t for r in default_engine().rules for key in ("bad", "good") for t in r.examples.get(key, [])]
    for path in sorted((REPO / "corpora" / "regression").glob("*.tsv")):
        texts += [line.partition("\t")[2] for line in path.read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#")]
    with open(REPO / "corpora" / "listings" / "catalogue.csv", encoding="utf-8-sig", newline="") as fh:
        texts += [cell for row in csv.reader(fh) for cell in row if cell]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpora").rglob("*")) if p.suffix in (".txt", ".md", ".srt")]
    return texts


def shared_texts(limit_chars: int = 400_000) -> list[str]:
    texts, total = [], 0
    for name in ("ad_kobe_desc.txt", "ad_advertisegen_dev.txt", "ad_kobe_titles.txt", "rev_online_shopping_10_cats.txt"):
        path = SHARED / "corpora" / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                texts.append(line)
                total += len(line)
                if total > limit_chars:
                    return texts
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return project_texts() + shared_texts()


def test_every_regex_match_holds_a_trigger(texts):
    engine = default_engine()
    rules = [r for r in engine.rules if r.pattern is not None and r.triggers]
    assert len(rules) >= 15, "the built-in regex rules declare triggers"
    checked = 0
    for text in texts:
        norm = normalize(text, engine.collapse).text
        for rule in rules:
            forms = {f for t in rule.triggers for f in rule.term_forms(t)}
            for m in rule.pattern.finditer(norm):
                checked += 1
                assert any(f in m.group() for f in forms), f"{rule.id}: match {m.group()!r} holds none of {rule.triggers}"
    assert checked > 100


def test_a_check_finds_nothing_where_its_gate_fails(texts):
    engine = default_engine()
    gated = [r for r in engine.rules if r.check in GATES]
    assert {r.check for r in gated} >= {"sc-code", "category-requirement", "price-arithmetic", "listing-text-price"}
    found = 0
    for text in texts:
        norm = normalize(text, engine.collapse).text
        for rule in gated:
            findings = list(REGISTRY[rule.check](text, rule))
            found += len(findings)
            if findings:
                assert GATES[rule.check].search(norm), f"{rule.id} found {findings[0].text!r} in a text its gate rules out"
    assert found > 20
