"""Every example of every built-in rule is a test case of its own (``ABS001-bad-3``): a bad
example must be flagged by its rule, a good one must not, judged by an engine over the rule's
own pack as ``cguard rules test`` judges it (campaign examples with the default profile)."""
from __future__ import annotations

import functools

import pytest

from compliance_guard.engine import Engine
from compliance_guard.engine.examples import example_problem
from compliance_guard.engine.packs import load_packs
from compliance_guard.model.rule import PackSet

PACKSET = load_packs()


@functools.cache
def engine_of(pack_name: str) -> Engine:
    return Engine(PackSet([p for p in PACKSET.packs if p.name == pack_name]))


CASES = [pytest.param(rule, kind, text, id=f"{rule.id}-{kind}-{n}")
         for rule in PACKSET.rules for kind in ("bad", "good")
         for n, text in enumerate(rule.examples[kind], 1)]


def test_every_builtin_rule_has_its_examples_as_cases():
    assert len(CASES) == sum(len(r.examples["bad"]) + len(r.examples["good"]) for r in PACKSET.rules) > 700


@pytest.mark.parametrize("rule, kind, text", CASES)
def test_rule_example(rule, kind, text):
    problem = example_problem(engine_of(rule.pack), rule, kind, text)
    assert problem is None, f"{rule.file}:{rule.line}: rule {rule.id}: {problem}: {text!r}"
