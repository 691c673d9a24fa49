"""The engine skips work on texts that cannot match: a regex rule runs only where one of its
``triggers`` occurs, a structured check only where its gate (``Check.gate``) matches. Both
are promises about the patterns and the check code; these tests hold them to it on every text
the project has: rule examples, the regression sets, the sample catalogue, the scoring corpus
and, where present, the shared third-party corpora."""
from __future__ import annotations

from conftest import builtin_engine

from compliance_guard.checks import CHECKS
from compliance_guard.engine.automaton import term_forms
from compliance_guard.text.normalize import normalize
from compliance_guard.text.view import TextView


def test_every_regex_match_holds_a_trigger(all_texts):
    engine = builtin_engine()
    rules = [r for r in engine.rules if r.pattern is not None and r.triggers]
    assert len(rules) >= 15, "the built-in regex rules declare triggers"
    forms = {rule.id: {f for t in rule.triggers for f in term_forms(rule, t)} for rule in rules}
    checked = 0
    for text in all_texts:
        norm = normalize(text, engine.collapse).text
        for rule in rules:
            for m in rule.pattern.finditer(norm):
                checked += 1
                held = any(f in m.group() for f in forms[rule.id])
                assert held, f"{rule.id}: match {m.group()!r} holds none of {rule.triggers}"
    assert checked > 100


def test_a_check_finds_nothing_where_its_gate_fails(all_texts):
    engine = builtin_engine()
    gated = [r for r in engine.rules if r.check and CHECKS[r.check].gate is not None and CHECKS[r.check].text]
    assert {r.check for r in gated} >= {"sc-code", "category-requirement", "price-arithmetic", "time-limit",
                                        "listing-text-price"}
    prepared = {rule.id: CHECKS[rule.check].prepare(CHECKS[rule.check].settings(rule.options)) for rule in gated}
    found = 0
    for text in all_texts:
        norm = normalize(text, engine.collapse).text
        view = TextView(text, engine.collapse)
        for rule in gated:
            check = CHECKS[rule.check]
            findings = list(check.text(view, rule, prepared[rule.id]))
            found += len(findings)
            if findings:
                gate = check.gate_for(prepared[rule.id])
                assert gate.search(norm), f"{rule.id} found {findings[0].text!r} in a text its gate rules out"
    assert found > 20
