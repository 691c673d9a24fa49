"""Every rule carries examples: its bad ones must be flagged by it, its good ones must not.
``cguard rules test``, user packs on load and the test suite run them here."""
from __future__ import annotations

from typing import Iterable

from compliance_guard.engine import Engine
from compliance_guard.model.rule import PackSet, Rule


def verify_examples(packset: PackSet, rules: Iterable[Rule] | None = None) -> list[str]:
    """One ``file:line: ...`` message per example that disagrees with its rule.

    A rule is judged by an engine over its own pack: a team pack that repeats a built-in term
    (最好 with its own message) is not shadowed by the built-in rule winning the overlap.
    """
    rules = list(rules if rules is not None else packset.rules)
    wanted = {r.pack for r in rules}
    engines = {p.name: Engine(PackSet([p])) for p in packset.packs if p.name in wanted}
    failures = []
    for rule in rules:
        for kind, text, problem in example_problems(engines[rule.pack], rule):
            failures.append(f"{rule.file}:{rule.line}: rule {rule.id}: {problem}: {text!r}")
    return failures


def example_problems(engine: Engine, rule: Rule) -> list[tuple[str, str, str]]:
    """``(bad|good, example, what is wrong)`` for each example ``rule`` gets wrong in ``engine``."""
    out = []
    for text in rule.examples.get("bad", []):
        if not any(f.rule == rule.id for f in engine.check(text)):
            out.append(("bad", text, "bad example not flagged"))
    for text in rule.examples.get("good", []):
        hits = [f.text for f in engine.check(text) if f.rule == rule.id]
        if hits:
            out.append(("good", text, f"good example flagged ({'、'.join(hits)})"))
    return out
