"""Rules and packs as loaded: data only (engine.packs parses them, engine.kinds says what each
kind of rule reads and finds)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compliance_guard.model.finding import Severity


@dataclass
class Allow:
    tokens: list[str] = field(default_factory=list)  # normalised strings covering a match drop it
    patterns: list[Any] = field(default_factory=list)  # regexes over the clause around a match


@dataclass
class Evidence:
    patterns: list[Any]  # a match in the clause downgrades the finding to a warning ...
    message: str  # ... with this message


@dataclass(eq=False)
class Rule:
    id: str
    pack: str
    category: str
    severity: Severity
    message: str
    source: str
    title: str = ""
    kind: str = "terms"  # terms | pattern | slots | all_of | check (engine.kinds.KINDS)
    terms: list[str] = field(default_factory=list)
    pattern: Any = None  # a regex (lazily compiled for the built-in packs)
    triggers: list[str] = field(default_factory=list)  # a pattern runs only on texts holding one
    template: str = ""  # a slots rule's template, as written (its pattern is compiled from it)
    width: int = 0  # the longest match of a slots rule, known from its template
    requires: list[list[str]] = field(default_factory=list)  # a slots rule's other required words, per element
    all_of: list[list[str]] = field(default_factory=list)
    within: int | str = 20
    check: str | None = None
    options: dict = field(default_factory=dict)  # as written in the pack (engine.kinds.check validates)
    boundary: str = "none"
    allow: Allow = field(default_factory=Allow)
    needs_evidence: Evidence | None = None
    suggest: dict[str, list[str]] = field(default_factory=dict)
    fix: dict[str, str] = field(default_factory=dict)  # term -> the suggestion ``cguard fix`` applies
    examples: dict[str, list[str]] = field(default_factory=dict)
    variants: dict[str, list[str]] = field(default_factory=dict)
    file: str = ""
    line: int = 0
    overridden: bool = False  # its severity was set by the user's config or flags

    def suggestions_for(self, term: str) -> list[str]:
        return list(self.suggest.get(term) or self.suggest.get("*") or [])

    def fix_for(self, term: str) -> str | None:
        """The suggestion marked as the fix for ``term``: its own, else the '*' fix when the
        term takes the '*' suggestions."""
        if term in self.fix:
            return self.fix[term]
        return None if self.suggest.get(term) else self.fix.get("*")


@dataclass
class Pack:
    name: str
    title: str
    category: str
    source: str
    file: str
    rules: list[Rule]
    repeatable: str = ""


@dataclass
class PackSet:
    packs: list[Pack]

    @property
    def rules(self) -> list[Rule]:
        return [r for p in self.packs for r in p.rules]

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id, in any case (``abs001`` is ABS001)."""
        wanted = rule_id.casefold()
        for r in self.rules:
            if r.id.casefold() == wanted:
                return r
        raise KeyError(rule_id)

    def names(self) -> set[str]:
        """Every rule id, pack name and category, casefolded: what a selector may name."""
        return {n.casefold() for r in self.rules for n in (r.id, r.pack, r.category)}
