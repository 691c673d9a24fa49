"""The engine skips work on texts that cannot match: a regex rule runs only where one of its
``triggers`` occurs, a structured check only where its gate (``checks.GATES``) matches. Both
are promises about the patterns and the check code; these tests hold them to it on every text
the project has: rule examples, the regression sets, the sample catalogue, the scoring corpus
and, where present, the shared third-party corpora."""
from __future__ import annotations

from compliance_guard.checks import GATES, REGISTRY, gate_for
from compliance_guard.engine import default_engine
from compliance_guard.text.normalize import normalize


def test_every_regex_match_holds_a_trigger(all_texts):
    engine = default_engine()
    rules = [r for r in engine.rules if r.pattern is not None and r.triggers]
    assert len(rules) >= 15, "the built-in regex rules declare triggers"
    checked = 0
    for text in all_texts:
        norm = normalize(text, engine.collapse).text
        for rule in rules:
            forms = {f for t in rule.triggers for f in rule.term_forms(t)}
            for m in rule.pattern.finditer(norm):
                checked += 1
                assert any(f in m.group() for f in forms), f"{rule.id}: match {m.group()!r} holds none of {rule.triggers}"
    assert checked > 100


def test_a_check_finds_nothing_where_its_gate_fails(all_texts):
    engine = default_engine()
    gated = [r for r in engine.rules if r.check in GATES]
    assert {r.check for r in gated} >= {"sc-code", "category-requirement", "price-arithmetic", "time-limit",
                                        "listing-text-price"}
    found = 0
    for text in all_texts:
        norm = normalize(text, engine.collapse).text
        for rule in gated:
            findings = list(REGISTRY[rule.check](text, rule))
            found += len(findings)
            if findings:
                assert gate_for(rule).search(norm), f"{rule.id} found {findings[0].text!r} in a text its gate rules out"
    assert found > 20
