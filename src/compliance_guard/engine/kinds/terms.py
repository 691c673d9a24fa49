"""``terms: [最好, 最佳]``: a finding wherever one of the terms (or a variant spelling) occurs."""
from __future__ import annotations

from compliance_guard.engine.automaton import TERMS, Hit
from compliance_guard.engine.source import RuleSource
from compliance_guard.engine.verify import finding, word_edges_ok
from compliance_guard.model.rule import Rule

KEYS = ("terms",)


def parse(src: RuleSource, rule: Rule) -> None:
    rule.terms = [t for t in src.strings("terms") if t.strip()]
    if not rule.terms:
        raise src.error("terms", "empty terms")


def describe(rule: Rule) -> str:
    """What ``cguard rules list`` says of the rule."""
    return f"{len(rule.terms)} terms"


def keys(rule: Rule) -> list[tuple[int, list[str]]]:
    return [(TERMS, rule.terms)]


def words(rule: Rule) -> list[str]:
    """The words whose disguised spellings (zui好, 蕞佳) the engine repairs for this rule."""
    return rule.terms


def build(rules: list[Rule]):
    return None


def candidates(state, view, hits: list[Hit], errors) -> list[Hit]:
    text = view.norm.text
    return [h for h in hits if word_edges_ok(text, h.start, h.end)]


def findings(state, view, kept: list[Hit], errors) -> list:
    return [finding(view.norm, h, h.start, h.end, errors) for h in kept]
