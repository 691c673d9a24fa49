"""Find rule violations: one automaton over every term, regex rules, structured checks.

Flow for one text: normalise (with an offset map) -> candidates from ONE Aho-Corasick
automaton over every enabled term (plain and co-occurrence terms alike, and the triggers of
regex rules) and from the regex rules whose triggers occur -> verification (Latin/digit word
edges, jieba token edges where a rule asks for them, allow contexts, evidence downgrades) ->
overlap resolution -> Findings at ORIGINAL offsets. Structured checks (``check:`` rules) get
the original text directly, unless their gate (checks.GATES) rules them out.
"""
from __future__ import annotations

import bisect
import functools
import itertools
from dataclasses import dataclass
from typing import Iterable

import ahocorasick_rs
import regex

from . import segment
from .checks import REGISTRY, gate_for, load_all
from .documents import MASK
from .findings import Finding, LineIndex, Severity, sort_key
from .normalize import Normalized, normalize, normalized_text
from .phonetic import PhoneticIndex, Repaired
from .packs import PackSet, Rule, load_packs

REGEX_TIMEOUT = 1.0  # seconds per regex call
WINDOW = 4096  # characters a pattern rule's regex is run over per call (engine._scan)
LOOKAROUND = 32  # characters past a window left for lookaheads
CONTEXT = 24  # characters either side searched by allow / evidence patterns
_SENTENCE_END = regex.compile(r"[。！？!?；;\r\n]+")
_WORDCHAR = regex.compile(r"[a-z0-9]")
_CLAUSE_BREAK = regex.compile(rf"[\n{MASK}]")
_LAST_CLAUSE_BREAK = regex.compile(rf"[\n{MASK}]", regex.REVERSE)
# Not words: spaces, Markdown emphasis (* _ ~~), emoji and other symbols; where they touch a
# boundary (the clause's ends, punctuation) they are dropped from the context of a hit.
_SOFT = r"(?:[^\S\n]|[*_]|~~|\p{So}|\p{Sk}|\p{Me}|\p{Extended_Pictographic})++"
_BOUNDARY = r"[\p{P}\p{Sm}--[*_]]"
_SOFT_AT_EDGE = regex.compile(rf"^{_SOFT}|{_SOFT}$|(?<={_BOUNDARY}){_SOFT}|{_SOFT}(?={_BOUNDARY})", regex.V1)
TRIGGER = -2
_CHAR_CLASS = regex.compile(r"\[(?:\\.|[^\]\\])*\]")
_HAN_RUN = regex.compile(r"\p{Han}{2,}")


class RegexTimeout(Exception):
    pass


@dataclass(slots=True)
class _Hit:
    rule: Rule
    start: int  # normalised offsets
    end: int
    term: str  # canonical (normalised) term, for suggestions
    group: int = -1  # all_of group index; TRIGGER for a pattern rule's trigger


class Engine:
    """Compiled matcher over a set of packs; build once, check many texts."""

    def __init__(self, packset: PackSet, select: Iterable[str] = (), ignore: Iterable[str] = (),
                 severity: dict[str, str] | None = None, allow_terms: Iterable[str] = ()):
        self.packset = packset
        # rule ids, pack names and categories in any case; one that names nothing is an error
        # (a typo would otherwise silently check everything, or nothing)
        select, ignore = {n.casefold() for n in select}, {n.casefold() for n in ignore}
        overrides = {k.casefold(): Severity.parse(v) for k, v in (severity or {}).items()}
        known = packset.names()
        for what, names, pool in (("rule, pack or category", select | ignore, known),
                                  ("rule", set(overrides), {r.id.casefold() for r in packset.rules})):
            unknown = sorted(names - pool)
            if unknown:
                raise ValueError(f"unknown {what} {unknown[0]!r} (see `cguard rules list`)")
        self.rules: list[Rule] = []
        for rule in packset.rules:
            keys = {rule.id.casefold(), rule.pack.casefold(), rule.category.casefold()}
            if select and not keys & select:
                continue
            if keys & ignore:
                continue
            if rule.id.casefold() in overrides:
                from dataclasses import replace

                rule = replace(rule, severity=overrides[rule.id.casefold()])
            self.rules.append(rule)
        self.allow_terms = [t for t in (normalized_text(a) for a in allow_terms) if t]
        self.collapse = "".join(sorted({c for p in packset.packs for c in p.repeatable}))
        self._pattern_rules = [r for r in self.rules if r.kind == "pattern"]
        check_rules = [r for r in self.rules if r.kind == "check"]
        if check_rules:
            load_all()
            for r in check_rules:
                if r.check not in REGISTRY:
                    from .packs import PackError

                    raise PackError(f"{r.file}:{r.line}: rule {r.id}: unknown check {r.check!r} (known: {', '.join(sorted(REGISTRY))})")
        self._checks: dict[object, list[tuple[Rule, object]]] = {}  # gate (None: ungated) -> checks
        for r in check_rules:
            self._checks.setdefault(gate_for(r), []).append((r, REGISTRY[r.check]))
        self._automaton, self._entries = self._build_automaton()
        self._phonetic = self._build_phonetic()

    def _build_automaton(self):
        """One automaton over every term form; ``entries[i]`` says whose term key ``i`` is.

        ahocorasick-rs rather than pyahocorasick: with the ~2,800 keys of all packs it finds
        the same overlapping matches 5x faster (pyahocorasick scans a node's children one by
        one, and the root has a child per distinct first character).
        """
        table: dict[str, list[tuple[Rule, str, int]]] = {}
        for rule in self.rules:
            if rule.kind == "terms":
                groups = [(-1, rule.terms)]
            elif rule.kind == "all_of":
                groups = list(enumerate(rule.all_of))
            elif rule.kind == "pattern" and rule.triggers:
                groups = [(TRIGGER, rule.triggers)]
            else:
                continue
            for gi, terms in groups:
                for term in terms:
                    forms = rule.term_forms(term)
                    canonical = forms[0]
                    for form in forms:
                        form = normalized_text(form, self.collapse)
                        if form:
                            table.setdefault(form, []).append((rule, canonical, gi))
        if not table:
            return None, []
        keys = list(table)
        return ahocorasick_rs.AhoCorasick(keys), [tuple(dict.fromkeys(table[k])) for k in keys]

    def _build_phonetic(self):
        """Phonetic keys of every word the rules match, for disguised spellings (降xue压)."""
        words = []
        for rule in self.rules:
            if rule.kind == "terms":
                words += rule.terms
            elif rule.kind == "all_of":
                words += [t for g in rule.all_of for t in g]
            elif rule.kind == "pattern":
                words += rule.triggers
                for entries in getattr(rule.pattern, "lists", {}).values():
                    words += entries
                # the literal words of a hand-written regex: Han runs outside character classes
                words += _HAN_RUN.findall(_CHAR_CLASS.sub(" ", rule.pattern.pattern))
        words = [normalized_text(w) for w in words]
        if not words:
            return None
        return PhoneticIndex(words, segment.is_word, segment.token_edges, segment.frequency)

    # -- public -------------------------------------------------------------------------

    def check(self, text: str, errors: list[str] | None = None) -> list[Finding]:
        """Findings for ``text``, located (line/column) and sorted."""
        findings = self.check_unlocated(text, errors)
        index = LineIndex(text)
        for f in findings:
            index.locate(f)
        return findings

    def check_unlocated(self, text: str, errors: list[str] | None = None) -> list[Finding]:
        if not text:
            return []
        norm = normalize(text, self.collapse)
        disguises = self._phonetic.find(norm.text) if self._phonetic is not None else []
        if disguises:
            norm = Repaired(norm, disguises)
        hits = self._candidates(norm)
        findings = self._verify(norm, hits, errors)
        for gate, checks in self._checks.items():
            if gate is not None and gate.search(norm.text) is None:
                continue
            for rule, check in checks:
                for f in check(text, rule):
                    findings.append(self._complete(f, rule))
        if self.allow_terms:
            covered = _AllowListed(norm, self.allow_terms)
            findings = [f for f in findings if not covered(f)]
        if disguises:
            for f in findings:
                over = norm.disguise_over(f.start, f.end)
                if over is not None:
                    f.message = f"「{over[1]}」疑似「{over[0].term}」的变体写法；{f.message}"
        return sorted(_resolve_overlaps(findings), key=sort_key)

    # -- candidates ------------------------------------------------------------------------

    def _candidates(self, norm: Normalized) -> list[_Hit]:
        hits: list[_Hit] = []
        if self._automaton is not None:
            entries = self._entries
            for key, start, end in self._automaton.find_matches_as_indexes(norm.text, overlapping=True):
                for rule, term, group in entries[key]:
                    hits.append(_Hit(rule, start, end, term, group))
        return hits

    def _pattern_hits(self, norm: Normalized, triggers: dict[str, list[tuple[int, int]]],
                      errors: list[str] | None) -> list[_Hit]:
        """Matches of the pattern rules, each regex run on bounded windows (``_scan``): around
        the occurrences of its triggers, or over the whole text in pieces for a rule without
        triggers, so that a large document never makes one call that runs into the timeout.
        A pattern whose longest match has no bound (a user's ``\\s*``) runs in one call."""
        hits = []
        text = norm.text
        small = len(text) <= WINDOW  # one call per pattern, as the windows would be the text
        whole = [(0, len(text))]
        for rule in self._pattern_rules:
            spans = triggers.get(rule.id)
            if rule.triggers and not spans:
                continue
            width = rule.max_width
            if small or width is None:
                matches = rule.pattern.finditer(text, timeout=REGEX_TIMEOUT)
            else:
                windows = _merged((max(0, s - width), min(len(text), e + width)) for s, e in spans) if spans else whole
                matches = _scan(rule.pattern, text, windows, width)
            try:
                for m in matches:
                    if m.end() > m.start():
                        hits.append(_Hit(rule, m.start(), m.end(), m.group(0)))
            except TimeoutError:
                if errors is not None:
                    errors.append(f"not fully checked for rule {rule.id} ({rule.file}:{rule.line}): its pattern "
                                  f"timed out after {REGEX_TIMEOUT:g}s")
        return hits

    # -- verification ------------------------------------------------------------------------

    def _verify(self, norm: Normalized, hits: list[_Hit], errors: list[str] | None) -> list[Finding]:
        text = norm.text
        triggers: dict[str, list[tuple[int, int]]] = {}
        for h in hits:
            if h.group == TRIGGER:
                triggers.setdefault(h.rule.id, []).append((h.start, h.end))
        hits = [h for h in _complete_groups(hits) if h.group != TRIGGER and _word_edges_ok(text, h.start, h.end)]
        hits += self._pattern_hits(norm, triggers, errors)
        need_tokens = [(h.start, h.end) for h in hits if h.rule.boundary == "token"]
        edges = segment.token_edges(text, need_tokens) if need_tokens else set()
        kept: list[_Hit] = []
        for h in hits:
            if h.rule.boundary == "token" and not (h.start in edges and h.end in edges):
                continue
            if _allowed(text, h, errors):
                continue
            kept.append(h)
        findings: list[Finding] = []
        co: dict[str, list[_Hit]] = {}
        for h in kept:
            if h.rule.kind == "all_of":
                co.setdefault(h.rule.id, []).append(h)
            else:
                findings.append(self._finding(norm, h, h.start, h.end, errors))
        for group_hits in co.values():
            for s, e in _cooccurrences(norm, group_hits):
                rule = group_hits[0].rule
                findings.append(self._finding(norm, _Hit(rule, s, e, "*"), s, e, errors))
        return findings

    def _finding(self, norm: Normalized, hit: _Hit, s: int, e: int, errors) -> Finding:
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

    def _complete(self, f: Finding, rule: Rule) -> Finding:
        f.rule = f.rule or rule.id
        f.pack = f.pack or rule.pack
        f.category = f.category or rule.category
        f.source = f.source or rule.source
        return f


class _AllowListed:
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


def _complete_groups(hits: list[_Hit]) -> list[_Hit]:
    """Drop the hits of co-occurrence rules that lack a hit in some group, before any costly
    verification: common group words (款, 设计, 送) alone are most of the candidates."""
    groups: dict[str, set[int]] = {}
    for h in hits:
        if h.group >= 0:
            groups.setdefault(h.rule.id, set()).add(h.group)
    if not groups:
        return hits
    return [h for h in hits if h.group < 0 or len(groups[h.rule.id]) == len(h.rule.all_of)]


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
            for m in pattern.finditer(text, start, endpos, timeout=REGEX_TIMEOUT):
                if m.end() > stop and endpos < len(text) and m.start() > start:
                    resume = m.start()  # perhaps cut short by endpos: the next piece decides
                    break
                cursor = max(cursor, m.end())
                yield m
            start = max(resume, cursor)


def _word_edges_ok(text: str, s: int, e: int) -> bool:
    """Latin/digit terms must not start or end inside a Latin/digit word (top1 in stop10)."""
    if _WORDCHAR.match(text[s]) and s > 0 and _WORDCHAR.match(text[s - 1]):
        return False
    if _WORDCHAR.match(text[e - 1]) and e < len(text) and _WORDCHAR.match(text[e]):
        return False
    return True


def _allowed(text: str, h: _Hit, errors) -> bool:
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
    window, hs, he = _clause(text, s, e)
    for pattern in patterns:
        try:
            for m in pattern.finditer(window, timeout=REGEX_TIMEOUT, overlapped=True):
                if m.start() < he and m.end() > hs:
                    return True
        except TimeoutError:
            if errors is not None:
                errors.append(f"not fully checked for rule {rule.id} ({rule.file}:{rule.line}): its exemption "
                              f"pattern {pattern.pattern!r} timed out after {REGEX_TIMEOUT:g}s")
    return False


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


def _cooccurrences(norm: Normalized, hits: list[_Hit]) -> list[tuple[int, int]]:
    """Spans where one hit of every group of an all_of rule lies close together.

    For each hit of the first group (the anchor), each other group contributes its nearest hit
    (the first listed of equally near ones) that does not share characters with the anchor
    and lies within reach. The hits of a group are searched outwards from the anchor in start
    order, so dense text costs the hits near each anchor, not every pair of hits.
    """
    rule = hits[0].rule
    by_group: dict[int, list[_Hit]] = {}
    for h in hits:
        by_group.setdefault(h.group, []).append(h)
    if len(by_group) < len(rule.all_of):
        return []
    sentence_of = _sentence_index(norm) if rule.within == "sentence" else None
    ordered = {gi: _ByStart(by_group[gi]) for gi in range(1, len(rule.all_of))}
    spans: list[tuple[int, int]] = []
    for anchor in by_group[0]:
        chosen = [anchor]
        for gi in range(1, len(rule.all_of)):
            best = ordered[gi].nearest(anchor, rule.within, sentence_of)
            if best is None:
                break
            chosen.append(best)
        else:
            s, e = min(h.start for h in chosen), max(h.end for h in chosen)
            if sentence_of is not None or e - s <= rule.within:
                spans.append((s, e))
    return spans


class _ByStart:
    """The hits of one all_of group in start order, for nearest-hit searches."""

    def __init__(self, hits: list[_Hit]):
        self.items = sorted(enumerate(hits), key=lambda t: t[1].start)
        self.starts = [h.start for _, h in self.items]

    def nearest(self, anchor: _Hit, within, sentence_of) -> _Hit | None:
        """The hit nearest ``anchor`` by start that shares no character with it and lies in
        its sentence (``sentence_of``) or in a span of at most ``within`` characters with it;
        ties go to the hit listed first."""
        a = anchor.start
        home = sentence_of(a) if sentence_of is not None else None
        best: tuple[int, int, _Hit] | None = None
        mid = bisect.bisect_left(self.starts, a)
        for ks in (range(mid, len(self.items)), range(mid - 1, -1, -1)):
            for k in ks:
                index, h = self.items[k]
                dist = abs(h.start - a)
                if best is not None and dist > best[0]:
                    break
                if sentence_of is not None:
                    if sentence_of(h.start) != home:
                        break
                elif dist > within:
                    break
                elif max(h.end, anchor.end) - min(h.start, a) > within:
                    continue
                if h.start < anchor.end and h.end > a:
                    continue  # the same characters cannot play two parts
                if best is None or (dist, index) < best[:2]:
                    best = (dist, index, h)
        return best[2] if best else None


def _sentence_index(norm: Normalized):
    """Sentence number of a normalised offset, from sentence ends in the ORIGINAL text."""
    ends = [m.start() for m in _SENTENCE_END.finditer(norm.original)]
    return lambda i: bisect.bisect_right(ends, norm.to_original(i))


def _resolve_overlaps(findings: list[Finding]) -> list[Finding]:
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


@functools.lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The engine over every built-in pack, built once per process."""
    return Engine(load_packs())
