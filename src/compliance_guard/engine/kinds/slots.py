"""``slots: "template"``: a construction written with word classes, numbers and bounded gaps,
where a phrase list would have to enumerate its forms.

A template is a sequence of elements separated by spaces::

    {invite_verbs} {N} (个|位|名)? {people} ~6 (进群|助力|砍)

- ``{name}``  any entry of the lexicon ``name`` (a named list: the longest entry that fits);
- ``{N}``     a number: ASCII digits (with a decimal part) or Chinese numerals (三, 两, 十几);
- ``~6``      up to 6 characters, none of them clause punctuation (the gap stays in its clause);
- ``~~6``     up to 6 characters within the sentence (commas allowed, not 。！？；);
- ``(a|b c)`` alternatives, each itself a sequence; ``?`` after an element makes it optional
  (a run of literal text is one element: ``孩子的?`` makes 孩子的 optional, ``孩子 的?`` only 的);
- anything else is literal text (``\\`` escapes ``{ } ( ) | ? ~``).

A template compiles to one regular expression plus the words that any match must contain (its
triggers: the entries of its rarest required element) and the longest text a match can span,
so it runs as a pattern rule does, only in a bounded window around each trigger. A window
that lacks a word of some other required element cannot hold a match: one automaton call per
window (``requires``) skips it before the regex, which costs far more, tries every position.
"""
from __future__ import annotations

from dataclasses import dataclass

import ahocorasick_rs
import regex

from compliance_guard.engine.kinds import pattern
from compliance_guard.engine.source import REGEX_FLAGS, RuleSource
from compliance_guard.model.rule import Rule
from compliance_guard.text import segment
from compliance_guard.text.lazyre import LazyPattern
from compliance_guard.text.normalize import normalize_term

KEYS = ("slots",)
CLAUSE_PUNCTUATION = ",。!?;\n"  # as normalisation leaves them (，！？； folded)
SENTENCE_PUNCTUATION = "。!?;\n"
NUMBER = r"(?:[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万几数]+)"
NUMBER_MAX = 12
_SPECIAL = set("{}()|?~\\")


class TemplateError(ValueError):
    """A template that cannot be compiled; the message says where."""


MAX_BRANCHES = 16  # ways a template may be satisfied that the window check tells apart


@dataclass
class _Node:
    pattern: str
    max_len: int
    triggers: list[str] | None  # words every match of this node contains, or None
    optional: bool = False
    needs: list[list[tuple[str, ...]]] | None = None  # ways to match: each the word sets it holds one of each

    def __post_init__(self):
        if self.needs is None and self.triggers and not self.optional:
            self.needs = [[tuple(self.triggers)]]


@dataclass(frozen=True)
class Compiled:
    pattern: str
    lists: dict[str, list[str]]  # named lists the pattern uses (\L<name>)
    triggers: tuple[str, ...]
    max_len: int
    requires: tuple[tuple[tuple[str, ...], ...], ...] = ()  # ways to match: the word sets a match holds one of each

    def compile(self) -> regex.Pattern:
        return regex.compile(self.pattern, **self.lists)


def compile_template(template: str, lexicons: dict[str, list[str]], fold=lambda s: s) -> Compiled:
    """Compile ``template``; ``lexicons`` maps names to entries; ``fold`` normalises literals and
    entries the way the text is normalised."""
    parser = _Parser(template, lexicons, fold)
    nodes = parser.sequence(top=True)
    if parser.i != len(template):
        raise TemplateError(f"unexpected {template[parser.i]!r} at column {parser.i + 1}")
    node = _join(nodes)
    if not node.triggers:
        raise TemplateError("a template needs a required word, word class or literal to anchor it")
    lists = {k: v for k, v in parser.used.items() if f"\\L<{k}>" in node.pattern}
    requires = tuple(tuple(tuple(dict.fromkeys(words)) for words in way) for way in node.needs or ())
    return Compiled(node.pattern, lists, tuple(dict.fromkeys(node.triggers)), node.max_len, requires)


class _Parser:
    def __init__(self, text: str, lexicons: dict[str, list[str]], fold):
        self.text, self.i = text, 0
        self.lexicons, self.fold = lexicons, fold
        self.used: dict[str, list[str]] = {}

    def sequence(self, top: bool = False) -> list[_Node]:
        nodes: list[_Node] = []
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch.isspace():
                self.i += 1
                continue
            if ch in "|)":
                if top:
                    raise TemplateError(f"unbalanced {ch!r} at column {self.i + 1}")
                break
            node = self.element()
            if self.i < len(self.text) and self.text[self.i] == "?":
                self.i += 1
                node = _Node(f"(?:{node.pattern})?", node.max_len, None, optional=True)
            nodes.append(node)
        if not nodes:
            raise TemplateError(f"empty sequence at column {self.i + 1}")
        return nodes

    def element(self) -> _Node:
        ch = self.text[self.i]
        if ch == "{":
            end = self.text.find("}", self.i)
            if end < 0:
                raise TemplateError(f"unclosed '{{' at column {self.i + 1}")
            name = self.text[self.i + 1:end].strip()
            self.i = end + 1
            if name == "N":
                return _Node(NUMBER, NUMBER_MAX, None)
            if name not in self.lexicons:
                known = ", ".join(sorted(self.lexicons)) or "none"
                raise TemplateError(f"unknown word class {{{name}}} (known: {known})")
            entries = sorted({self.fold(e) for e in self.lexicons[name] if self.fold(e)}, key=len, reverse=True)
            key = f"L_{len(self.used)}"
            self.used[key] = entries
            return _Node(rf"\L<{key}>", max(map(len, entries)), entries)
        if ch == "~":
            m = regex.match(r"(~~?)(\d+)", self.text[self.i:])
            if not m:
                raise TemplateError(f"'~' needs a number of characters at column {self.i + 1}")
            self.i += m.end()
            n = int(m.group(2))
            stop = CLAUSE_PUNCTUATION if m.group(1) == "~" else SENTENCE_PUNCTUATION
            return _Node(f"[^{regex.escape(stop)}]{{0,{n}}}?", n, None, optional=True)
        if ch == "(":
            self.i += 1
            branches = [self.sequence()]
            while self.i < len(self.text) and self.text[self.i] == "|":
                self.i += 1
                branches.append(self.sequence())
            if self.i >= len(self.text) or self.text[self.i] != ")":
                raise TemplateError("unclosed '(' in template")
            self.i += 1
            words = self._words(branches)
            if words is not None:  # one named list: regex tries its entries longest first
                key = f"L_{len(self.used)}"
                self.used[key] = words
                return _Node(rf"\L<{key}>", max(map(len, words)), words)
            joined = [_join(b) for b in branches]
            triggers = None if any(j.triggers is None for j in joined) else [t for j in joined for t in j.triggers]
            needs = None
            if triggers is not None:
                needs = [way for j in joined for way in j.needs]
                if len(needs) > MAX_BRANCHES:
                    needs = [[tuple(triggers)]]
            return _Node("(?:" + "|".join(j.pattern for j in joined) + ")", max(j.max_len for j in joined), triggers,
                         needs=needs)
        literal = []
        while self.i < len(self.text) and not self.text[self.i].isspace() and self.text[self.i] not in _SPECIAL:
            literal.append(self.text[self.i])
            self.i += 1
        if self.i < len(self.text) and self.text[self.i] == "\\":
            if self.i + 1 >= len(self.text):
                raise TemplateError("a template cannot end with '\\'")
            literal.append(self.text[self.i + 1])
            self.i += 2
        if not literal:
            raise TemplateError(f"unexpected {ch!r} at column {self.i + 1}")
        word = self.fold("".join(literal))
        return _Node(regex.escape(word), len(word), [word])


    def _words(self, branches: list[list[_Node]]) -> list[str] | None:
        """The words of alternatives that are each one word or one word class, else None."""
        words: list[str] = []
        for branch in branches:
            if len(branch) != 1 or branch[0].optional or not branch[0].triggers:
                return None
            words += branch[0].triggers
        return sorted(set(words), key=len, reverse=True)


def _expected_hits(words: list[str]) -> float:
    """How often an element's words may turn up in text, to pick the rarest as triggers: a single
    character by its frequency in jieba's dictionary (就, 不, 对 are everywhere), a longer word as
    its rarest character, twenty times rarer (a guess; only speed depends on it)."""
    freq = segment.frequency
    return sum(freq(w) if len(w) == 1 else min(freq(c) for c in w) / 20 for w in words)


def _join(nodes: list[_Node]) -> _Node:
    """A sequence node; its triggers are those of its required element expected least often,
    its ways to match every combination of its required elements' ways."""
    required = [n for n in nodes if not n.optional and n.triggers]
    triggers = min((n.triggers for n in required), key=_expected_hits) if required else None
    if len(nodes) == 1:
        return nodes[0]
    needs: list[list[tuple[str, ...]]] = [[]]
    for n in required:
        needs = [way + more for way in needs for more in n.needs]
        if len(needs) > MAX_BRANCHES:  # too many to tell apart: one word of each element
            needs = [[tuple(n.triggers) for n in required]]
            break
    return _Node("".join(n.pattern for n in nodes), sum(n.max_len for n in nodes), triggers,
                 needs=needs if required else None)


def parse(src: RuleSource, rule: Rule) -> None:
    template = src.raw["slots"]
    if not isinstance(template, str) or not template.strip():
        raise src.error("slots", "slots must be a template string")
    classes = {name: list(wc.entries) for name, wc in src.classes.items()}
    try:
        compiled = compile_template(template, classes, fold=normalize_term)
    except TemplateError as exc:
        raise src.error("slots", f"slots: {exc}") from None
    rule.template = template
    rule.pattern = LazyPattern(compiled.pattern, REGEX_FLAGS, compiled.lists)
    if not src.lazy:
        rule.pattern.compiled()
    rule.triggers = list(compiled.triggers)
    rule.width = compiled.max_len
    # word sets with a cased letter are left out: the case-insensitive regex may match them otherwise
    rule.requires = [[list(words) for words in way if not any(_cased(w) for w in words)] for way in compiled.requires]


def _cased(word: str) -> bool:
    return any(c.lower() != c.upper() for c in word)


def describe(rule: Rule) -> str:
    return "slots"


class _Prepared:
    """The slots rules, and for each an automaton over the words of its required elements, with
    the elements each word belongs to and the ways to match (sets of elements)."""

    def __init__(self, rules: list[Rule]):
        self._prepare(rules)

    def __getstate__(self):  # for the engine cache: an ahocorasick_rs automaton does not pickle
        return self.rules

    def __setstate__(self, rules: list[Rule]):
        self._prepare(rules)

    def _prepare(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.requires: dict[str, tuple[ahocorasick_rs.AhoCorasick, list[frozenset[int]], list[frozenset[int]]]] = {}
        for rule in rules:
            if not rule.requires or any(not way for way in rule.requires):
                continue  # some way to match needs no word the check can see
            elements: dict[tuple[str, ...], int] = {}
            ways = [frozenset(elements.setdefault(tuple(words), len(elements)) for words in way)
                    for way in rule.requires]
            owners: dict[str, set[int]] = {}
            for words, i in elements.items():
                for w in words:
                    owners.setdefault(w, set()).add(i)
            self.requires[rule.id] = (ahocorasick_rs.AhoCorasick(list(owners)), [frozenset(o) for o in owners.values()],
                                      ways)


def build(rules: list[Rule]) -> _Prepared:
    return _Prepared(rules)


def candidates(state: _Prepared, view, hits: list, errors) -> list:
    """The pattern rules' candidates, from the trigger hits whose window holds a word of every
    other required element (a match holding the trigger lies in its window)."""
    text = view.norm.text
    kept = []
    for h in hits:
        need = state.requires.get(h.rule.id)
        if need is not None:
            automaton, owners, ways = need
            width = h.rule.width
            window = text[max(0, h.start - width):h.end + width]
            found: set[int] = set()
            for k, _, _ in automaton.find_matches_as_indexes(window, overlapping=True):
                found |= owners[k]
            if not any(way <= found for way in ways):
                continue
        kept.append(h)
    return pattern.candidates(state.rules, view, kept, errors)


words = pattern.words
keys = pattern.keys
findings = pattern.findings
