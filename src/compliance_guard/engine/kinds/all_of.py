"""``all_of: [[转发, 分享], [领, 红包]]`` with ``within: 20|sentence``: a finding where one term
of every group occurs close together (the span from the first to the last)."""
from __future__ import annotations

import bisect

import regex

from compliance_guard.engine.automaton import Hit
from compliance_guard.engine.source import RuleSource
from compliance_guard.engine.verify import finding, word_edges_ok
from compliance_guard.model.rule import Rule
from compliance_guard.text.normalize import Normalized

KEYS = ("all_of", "within")
_SENTENCE_END = regex.compile(r"[。！？!?；;\r\n]+")


def parse(src: RuleSource, rule: Rule) -> None:
    groups = src.raw["all_of"]
    if not isinstance(groups, list) or len(groups) < 2:
        raise src.error("all_of", "all_of needs at least two term groups")
    rule.all_of = [src.strings("all_of", g, f"rule {rule.id}: all_of group") for g in groups]
    if any(not [t for t in g if t.strip()] for g in rule.all_of):
        raise src.error("all_of", "empty terms in an all_of group")
    within = src.raw.get("within", 20)
    if not (within == "sentence" or (isinstance(within, int) and within > 0)):
        raise src.error("within", "within must be a positive number of characters or 'sentence'")
    rule.within = within


def describe(rule: Rule) -> str:
    return f"{sum(len(g) for g in rule.all_of)} terms in {len(rule.all_of)} groups"


def words(rule: Rule) -> list[str]:
    return [t for group in rule.all_of for t in group]


def keys(rule: Rule) -> list[tuple[int, list[str]]]:
    return list(enumerate(rule.all_of))


def build(rules: list[Rule]):
    return None


def candidates(state, view, hits: list[Hit], errors) -> list[Hit]:
    text = view.norm.text
    return [h for h in complete_groups(hits) if word_edges_ok(text, h.start, h.end)]


def findings(state, view, kept: list[Hit], errors) -> list:
    norm = view.norm
    by_rule: dict[str, list[Hit]] = {}
    for h in kept:
        by_rule.setdefault(h.rule.id, []).append(h)
    out = []
    for group_hits in by_rule.values():
        rule = group_hits[0].rule
        for s, e in cooccurrences(norm, group_hits):
            out.append(finding(norm, Hit(rule, s, e, "*"), s, e, errors))
    return out


def complete_groups(hits: list[Hit]) -> list[Hit]:
    """Drop the hits of co-occurrence rules that lack a hit in some group, before any costly
    verification: common group words (款, 设计, 送) alone are most of the candidates."""
    groups: dict[str, set[int]] = {}
    for h in hits:
        if h.group >= 0:
            groups.setdefault(h.rule.id, set()).add(h.group)
    if not groups:
        return hits
    return [h for h in hits if h.group < 0 or len(groups[h.rule.id]) == len(h.rule.all_of)]


def cooccurrences(norm: Normalized, hits: list[Hit]) -> list[tuple[int, int]]:
    """Spans where one hit of every group of an all_of rule lies close together.

    For each hit of the first group (the anchor), each other group contributes its nearest hit
    (the first listed of equally near ones) that does not share characters with the anchor
    and lies within reach. The hits of a group are searched outwards from the anchor in start
    order, so dense text costs the hits near each anchor, not every pair of hits.
    """
    rule = hits[0].rule
    by_group: dict[int, list[Hit]] = {}
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

    def __init__(self, hits: list[Hit]):
        self.items = sorted(enumerate(hits), key=lambda t: t[1].start)
        self.starts = [h.start for _, h in self.items]

    def nearest(self, anchor: Hit, within, sentence_of) -> Hit | None:
        """The hit nearest ``anchor`` by start that shares no character with it and lies in
        its sentence (``sentence_of``) or in a span of at most ``within`` characters with it;
        ties go to the hit listed first."""
        a = anchor.start
        home = sentence_of(a) if sentence_of is not None else None
        best: tuple[int, int, Hit] | None = None
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
