"""``pattern: "regex"`` (with ``triggers: [...]``): a finding per regex match on the normalised
text. A pattern runs only around the occurrences of its triggers (strings every match contains,
found by the automaton), on windows as wide as its longest possible match either side, and a
rule without triggers in pieces of a few thousand characters, so no call grows with the
document; a pattern whose match length has no bound runs over the whole text in one call."""
from __future__ import annotations

import functools
from collections.abc import Iterable

import regex

from compliance_guard.engine import verify
from compliance_guard.engine.automaton import TRIGGER, Hit
from compliance_guard.engine.source import RuleSource
from compliance_guard.engine.verify import finding
from compliance_guard.model.rule import Rule
from compliance_guard.text.normalize import fold_term

KEYS = ("pattern", "triggers")
WINDOW = 4096  # characters a pattern rule's regex is run over per call (_scan)
LOOKAROUND = 32  # characters past a window left for lookaheads


def parse(src: RuleSource, rule: Rule) -> None:
    rule.pattern = src.regex(src.raw["pattern"], "pattern", f"rule {rule.id}: pattern")
    rule.triggers = [t for t in src.strings("triggers") if fold_term(t).strip()]
    if "triggers" in src.raw and not rule.triggers:
        raise src.error("triggers", "empty triggers")


def describe(rule: Rule) -> str:
    return "pattern"


_CHAR_CLASS = regex.compile(r"\[(?:\\.|[^\]\\])*\]")
_HAN_RUN = regex.compile(r"\p{Han}+")


def words(rule: Rule) -> list[str]:
    """Its triggers, the entries of its word classes and the literal words of the regex (Han
    runs outside character classes, single characters too: 最 in 全网最…): what a disguise
    (降xue压, 中国zui大) may hide."""
    literal = _HAN_RUN.findall(_CHAR_CLASS.sub(" ", rule.pattern.pattern))
    return rule.triggers + literal + [w for entries in getattr(rule.pattern, "lists", {}).values() for w in entries]


def keys(rule: Rule) -> list[tuple[int, list[str]]]:
    return [(TRIGGER, rule.triggers)] if rule.triggers else []


def build(rules: list[Rule]) -> list[Rule]:
    return rules


def candidates(rules: list[Rule], view, hits: list[Hit], errors: list[str] | None) -> list[Hit]:
    """Matches of the pattern rules, each regex run on bounded windows (``_scan``): around
    the occurrences of its triggers (``hits``), or over the whole text in pieces for a rule
    without triggers, so that a large document never makes one call that runs into the
    timeout. A pattern whose longest match has no bound (a user's ``\\s*``) runs in one call."""
    triggers: dict[str, list[tuple[int, int]]] = {}
    for h in hits:
        triggers.setdefault(h.rule.id, []).append((h.start, h.end))
    out = []
    text = view.norm.text
    small = len(text) <= WINDOW  # one call per pattern, as the windows would be the text
    whole = [(0, len(text))]
    timeout = verify.REGEX_TIMEOUT
    for rule in rules:
        spans = triggers.get(rule.id)
        if rule.triggers and not spans:
            continue
        width = max_width(rule)
        if small or width is None:
            matches = rule.pattern.finditer(text, timeout=timeout)
        else:
            windows = _merged((max(0, s - width), min(len(text), e + width)) for s, e in spans) if spans else whole
            matches = _scan(rule.pattern, text, windows, width)
        try:
            for m in matches:
                if m.end() > m.start():
                    out.append(Hit(rule, m.start(), m.end(), m.group(0)))
        except TimeoutError:
            if errors is not None:
                errors.append(f"not fully checked for rule {rule.id} ({rule.file}:{rule.line}): its pattern "
                              f"timed out after {timeout:g}s")
    return out


def findings(state, view, kept: list[Hit], errors) -> list:
    return [finding(view.norm, h, h.start, h.end, errors) for h in kept]


def max_width(rule: Rule) -> int | None:
    """The most characters a match of the rule's pattern can span (None: no bound); a slots
    rule knows it from its template."""
    return rule.width or pattern_width(rule.pattern.pattern, rule.pattern.flags)


def _merged(windows: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching windows joined, in order."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(windows):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _scan(pattern, text: str, windows: list[tuple[int, int]], width: int):
    """The matches ``pattern.finditer(text)`` finds inside ``windows``, found in calls over at
    most WINDOW characters (plus room for the longest match, ``width``, and lookaheads).

    The windows hold every match: around a trigger, a match that contains it reaches at most
    ``width`` characters either side; merged windows are never split where a match could
    straddle the cut unnoticed, because a piece's matches that run past its end are not taken
    but looked for again from their start in the next piece. Lookbehinds see the text before a
    piece (``pos``), lookaheads up to ``width + LOOKAROUND`` characters past it.
    """
    margin = width + LOOKAROUND
    cursor = 0  # end of the last match: finditer's matches never overlap
    for ws, we in windows:
        start = max(ws, cursor)
        while start < we:
            stop = min(we, start + WINDOW)
            endpos = min(len(text), stop + margin)
            resume = stop
            for m in pattern.finditer(text, start, endpos, timeout=verify.REGEX_TIMEOUT):
                if m.end() > stop and endpos < len(text) and m.start() > start:
                    resume = m.start()  # perhaps cut short by endpos: the next piece decides
                    break
                cursor = max(cursor, m.end())
                yield m
            start = max(resume, cursor)


MAX_WIDTH = 1000  # a longer possible match is treated as unbounded


@functools.cache
def pattern_width(pattern: str, flags: int = 0) -> int | None:
    """The longest match of a regex, from the standard library's parser (``\\p{…}`` read as
    one character); None when it has no bound or uses syntax only the ``regex`` module knows."""
    try:
        from re import _parser
    except ImportError:  # Python 3.10
        import sre_parse as _parser
    import re

    plain = regex.sub(r"\\[pP]\{[^}]*\}", ".", pattern)
    try:
        _, most = _parser.parse(plain, re.IGNORECASE if flags & regex.IGNORECASE else 0).getwidth()
    except Exception:  # noqa: BLE001 - any syntax re cannot parse: no bound known
        return None
    return most if most <= MAX_WIDTH else None
