"""Verifying candidates, shared by every rule kind: Latin/digit word edges, jieba token edges
where a rule asks for them, allow contexts, evidence downgrades; then the finding at ORIGINAL
offsets, the user's allow-list and overlap resolution."""
from __future__ import annotations

import bisect
import functools
import itertools

import regex

from compliance_guard.engine.automaton import Hit
from compliance_guard.model.document import MASK
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.model.rule import Rule
from compliance_guard.text import segment
from compliance_guard.text.normalize import Normalized

REGEX_TIMEOUT = 1.0  # seconds per regex call
CONTEXT = 24  # characters either side searched by allow / evidence patterns
_WORDCHAR = regex.compile(r"[a-z0-9]")
_CLAUSE_BREAK = regex.compile(rf"[\n{MASK}]")
_LAST_CLAUSE_BREAK = regex.compile(rf"[\n{MASK}]", regex.REVERSE)
# Not words: spaces, Markdown emphasis (* _ ~~), emoji and other symbols; where they touch a
# boundary (the clause's ends, punctuation) they are dropped from the context of a hit.
_SOFT = r"(?:[^\S\n]|[*_]|~~|\p{So}|\p{Sk}|\p{Me}|\p{Extended_Pictographic})++"
_BOUNDARY = r"[\p{P}\p{Sm}--[*_]]"
_SOFT_AT_EDGE = regex.compile(rf"^{_SOFT}|{_SOFT}$|(?<={_BOUNDARY}){_SOFT}|{_SOFT}(?={_BOUNDARY})", regex.V1)


def verified(norm: Normalized, hits: list[Hit], errors: list[str] | None) -> list[Hit]:
    """The hits whose rule's token boundary holds (jieba segments only windows around the hits
    of ``boundary: token`` rules) and that no allow context covers."""
    text = norm.text
    need_tokens = [(h.start, h.end) for h in hits if h.rule.boundary == "token"]
    edges = segment.token_edges(text, need_tokens) if need_tokens else set()
    kept: list[Hit] = []
    for h in hits:
        if h.rule.boundary == "token" and not (h.start in edges and h.end in edges):
            continue
        if _allowed(text, h, errors):
            continue
        kept.append(h)
    return kept


def finding(norm: Normalized, hit: Hit, s: int, e: int, errors) -> Finding:
    """The finding of a verified hit at ``[s, e)``, at ORIGINAL offsets; an evidence context
    downgrades it to a warning with the evidence message and no fix."""
    rule = hit.rule
    ostart, oend = norm.span(s, e)
    original = norm.original[ostart:oend]
    severity, message, fix = rule.severity, rule.message, rule.fix_for(hit.term)
    if rule.needs_evidence and _context_match(norm.text, s, e, rule.needs_evidence.patterns, rule, errors):
        severity = min(severity, Severity.WARNING, key=lambda x: x.rank)
        message = rule.needs_evidence.message
        fix = None  # a claim that may stand with proof (历史最低价) is not reworded unasked
    return Finding(
        rule=rule.id, pack=rule.pack, category=rule.category, severity=severity,
        message=message.replace("{text}", original), text=original, start=ostart, end=oend,
        suggestions=rule.suggestions_for(hit.term), source=rule.source, fix=fix,
    )


class AllowListed:
    """Whether a finding lies inside an occurrence of an allow-listed term (a brand name such
    as 最好牌 or 第一坊 covers the 最好 or 第一 in it). A term that merely overlaps the finding,
    or sits inside it (``--allow 最`` and 全网最低价), does not drop it."""

    def __init__(self, norm: Normalized, terms: list[str]):
        spans = []
        for term in terms:
            pos = norm.text.find(term)
            while pos != -1:
                spans.append(norm.span(pos, pos + len(term)))
                pos = norm.text.find(term, pos + 1)
        spans.sort()
        self._starts = [s for s, _ in spans]
        self._reach = list(itertools.accumulate((e for _, e in spans), max))  # furthest end so far

    def __call__(self, f: Finding) -> bool:
        i = bisect.bisect_right(self._starts, f.start) - 1
        return i >= 0 and self._reach[i] >= f.end


def word_edges_ok(text: str, s: int, e: int) -> bool:
    """Latin/digit terms must not start or end inside a Latin/digit word (top1 in stop10)."""
    if _WORDCHAR.match(text[s]) and s > 0 and _WORDCHAR.match(text[s - 1]):
        return False
    if _WORDCHAR.match(text[e - 1]) and e < len(text) and _WORDCHAR.match(text[e]):
        return False
    return True


def _allowed(text: str, h: Hit, errors) -> bool:
    allow = h.rule.allow
    for token in allow.tokens:
        lo = max(0, h.end - len(token))
        pos = text.find(token, lo, h.start + len(token))
        while pos != -1:
            if pos <= h.start and pos + len(token) >= h.end:
                return True
            pos = text.find(token, pos + 1, h.start + len(token))
    return bool(allow.patterns) and _context_match(text, h.start, h.end, allow.patterns, h.rule, errors)


def _context_match(text: str, s: int, e: int, patterns, rule: Rule, errors) -> bool:
    """A pattern match in the clause around [s, e) (``_clause``) that overlaps [s, e)."""
    lo = max(0, s - CONTEXT)
    matched, timed_out = _match_in_clause(text[lo:e + CONTEXT], s - lo, e - lo, tuple(patterns))
    if errors is not None:
        errors += [f"not fully checked for rule {rule.id} ({rule.file}:{rule.line}): its exemption pattern "
                   f"{pattern!r} timed out after {REGEX_TIMEOUT:g}s" for pattern in timed_out]
    return matched


@functools.lru_cache(maxsize=4096)
def _match_in_clause(around: str, s: int, e: int, patterns: tuple) -> tuple[bool, tuple[str, ...]]:
    """_context_match on the text ``around`` the hit (all that its clause can hold), remembered:
    dense or repeated copy (a claim pasted a thousand times, a catalogue's boilerplate) asks the
    same question again and again."""
    window, hs, he = _clause(around, s, e)
    timed_out = []
    for pattern in patterns:
        try:
            for m in pattern.finditer(window, timeout=REGEX_TIMEOUT, overlapped=True):
                if m.start() < he and m.end() > hs:
                    return True, tuple(timed_out)
        except TimeoutError:
            timed_out.append(pattern.pattern)
    return False, tuple(timed_out)


def _clause(text: str, s: int, e: int) -> tuple[str, int, int]:
    """The window that allow and evidence patterns see around normalised ``[s, e)``, and the
    hit's span in it: up to CONTEXT characters either side, cut at a line break or a masked
    (unchecked) region, and without the spaces, emphasis marks and emoji that sit between a
    word and a boundary. An exemption such as 最好 + verb must see the next real word: in
    ``效果最好␠``, ``**最好**``, ``最好__`` or ``最好😀`` nothing follows 最好, as in ``效果最好``.
    (Between two Han characters the normaliser has dropped such filler already.)"""
    lo, hi = max(0, s - CONTEXT), min(len(text), e + CONTEXT)
    cut = _CLAUSE_BREAK.search(text, e, hi)
    if cut is not None:
        hi = cut.start()
    cut = _LAST_CLAUSE_BREAK.search(text, lo, s)
    if cut is not None:
        lo = cut.end()
    window, hs, he = text[lo:hi], s - lo, e - lo
    pieces, last, removed = [], 0, 0
    for m in _SOFT_AT_EDGE.finditer(window):
        if m.start() < he and m.end() > hs:
            continue  # never inside the hit
        pieces.append(window[last:m.start()])
        last = m.end()
        if m.end() <= hs:
            removed += m.end() - m.start()
    if not pieces:
        return window, hs, he
    pieces.append(window[last:])
    return "".join(pieces), hs - removed, he - removed


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Within a category, keep the longest of overlapping findings (全网最低价 over 最低价).

    Longest first, a finding is dropped when it overlaps one already kept. The kept spans of
    each category are painted on a bytearray over its distinct offsets (offset k at cell 2k,
    the characters up to the next offset at 2k+1), so each test is one search of the finding's
    own cells: dense text (55,000 findings in 1 MB) no longer compares every pair.
    """
    cells: dict[tuple, tuple[dict[int, int], bytearray]] = {}
    offsets: dict[tuple, set[int]] = {}
    for f in findings:
        offsets.setdefault((f.category, f.field), set()).update((f.start, f.end))
    for key, points in offsets.items():
        cells[key] = ({p: 2 * i for i, p in enumerate(sorted(points))}, bytearray(2 * len(points)))
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-(f.end - f.start), f.start, f.rule)):
        cell, taken = cells[(f.category, f.field)]
        s, e = cell[f.start], cell[f.end]
        if s == e:  # empty (sorted last): dropped only strictly inside a kept span
            if not taken[s]:
                kept.append(f)
        elif taken.find(1, s + 1, e) == -1:
            taken[s + 1:e] = b"\x01" * (e - s - 1)
            kept.append(f)
    return kept


