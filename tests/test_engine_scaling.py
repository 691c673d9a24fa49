"""Dense text costs linear work: overlap resolution and co-occurrence search, held to the plain
quadratic computations they replace (kept here, in the test, as the reference)."""
from __future__ import annotations

import sys

import pytest
from conftest import builtin_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import compliance_guard.engine
from compliance_guard.engine.automaton import Hit as _Hit
from compliance_guard.engine.kinds import all_of
from compliance_guard.engine.kinds.all_of import cooccurrences as _cooccurrences
from compliance_guard.engine.verify import resolve_overlaps as _resolve_overlaps
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.model.rule import Rule
from compliance_guard.text.normalize import normalize

# -- the reference: the computations as they were, comparing every pair ----------------------

def reference_resolve_overlaps(findings):
    kept = []
    taken = {}
    for f in sorted(findings, key=lambda f: (-(f.end - f.start), f.start, f.rule)):
        spans = taken.setdefault((f.category, f.field), [])
        if any(s < f.end and f.start < e for s, e in spans):
            continue
        spans.append((f.start, f.end))
        kept.append(f)
    return kept


def reference_cooccurrences(norm, hits):
    rule = hits[0].rule
    by_group = {}
    for h in hits:
        by_group.setdefault(h.group, []).append(h)
    if len(by_group) < len(rule.all_of):
        return []
    sentence_of = all_of._sentence_index(norm) if rule.within == "sentence" else None
    spans = []
    for anchor in by_group[0]:
        chosen = [anchor]
        for gi in range(1, len(rule.all_of)):
            best = None
            for h in by_group[gi]:
                if h.start < anchor.end and h.end > anchor.start:
                    continue
                if sentence_of is not None:
                    ok = sentence_of(h.start) == sentence_of(anchor.start)
                else:
                    ok = max(h.end, anchor.end) - min(h.start, anchor.start) <= rule.within
                dist = abs(h.start - anchor.start)
                if ok and (best is None or dist < best[0]):
                    best = (dist, h)
            if best is None:
                break
            chosen.append(best[1])
        else:
            s, e = min(h.start for h in chosen), max(h.end for h in chosen)
            if sentence_of is not None or e - s <= rule.within:
                spans.append((s, e))
    return spans


# -- random inputs ----------------------------------------------------------------------------

def finding(category, field, start, length, rule):
    return Finding(rule=rule, pack="p", category=category, severity=Severity.ERROR, message="m",
                   text="x" * length, start=start, end=start + length, field=field)


findings_strategy = st.lists(st.builds(
    finding, st.sampled_from(["absolute-claim", "pricing"]), st.sampled_from([None, "title"]),
    st.integers(0, 40), st.integers(0, 8), st.sampled_from(["R1", "R2", "R3"])), max_size=60)


@settings(max_examples=400, deadline=None)
@given(findings_strategy)
def test_resolve_overlaps_keeps_what_the_pairwise_comparison_keeps(findings):
    assert [id(f) for f in _resolve_overlaps(findings)] == [id(f) for f in reference_resolve_overlaps(findings)]


SENTENCE_TEXT = st.text(st.sampled_from("转发领红包最好，。！\n *😀㎏ab"), min_size=1, max_size=50)


@st.composite
def cooccurrence_case(draw):
    text = draw(SENTENCE_TEXT)
    norm = normalize(text, "最")
    size = len(norm.text)
    groups = draw(st.integers(2, 3))
    within = draw(st.one_of(st.integers(1, 12), st.just("sentence")))
    rule = Rule(id="CO1", pack="p", category="c", severity=Severity.ERROR, message="m", source="s",
                all_of=[["a"]] * groups, within=within)
    if size == 0:
        return norm, []
    hit = st.builds(lambda s, n, g: _Hit(rule, s, min(size, s + n), "*", g),
                    st.integers(0, size - 1), st.integers(1, 4), st.integers(0, groups - 1))
    return norm, draw(st.lists(hit, min_size=1, max_size=40))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cooccurrence_case())
def test_cooccurrences_find_what_the_pairwise_search_finds(case):
    norm, hits = case
    if hits:
        assert _cooccurrences(norm, hits) == reference_cooccurrences(norm, hits)


# -- real texts -------------------------------------------------------------------------------

DENSE = ["全网最低价", "点赞送红包", "点赞评论留言送红包抽奖品", "躺赚招代理", "躺赚，招代理。", "转发朋友圈领红包，",
         "最好最佳第一"]


def test_every_text_gives_what_the_pairwise_computations_give(all_texts, monkeypatch):
    """Each call made while checking the project's texts (and dense ones) answers as the
    reference does on the same input."""
    calls = {"overlaps": 0, "cooccurrences": 0}

    def overlaps(findings):
        got = _resolve_overlaps(findings)
        assert [id(f) for f in got] == [id(f) for f in reference_resolve_overlaps(findings)]
        calls["overlaps"] += 1
        return got

    def cooccurrences(norm, hits):
        got = _cooccurrences(norm, hits)
        assert got == reference_cooccurrences(norm, hits), norm.original
        calls["cooccurrences"] += 1
        return got

    monkeypatch.setattr(compliance_guard.engine, "resolve_overlaps", overlaps)
    monkeypatch.setattr(all_of, "cooccurrences", cooccurrences)
    engine = builtin_engine()
    for text in all_texts + [unit * 60 for unit in DENSE]:
        engine.check(text)
    assert calls["overlaps"] > 1000 and calls["cooccurrences"] > 100


# -- linear work, counted in calls (no clocks) ---------------------------------------------

def calls_while(fn) -> int:
    """Python and C function calls made by ``fn()``: a measure of work that clocks cannot skew."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("unit", ["全网最低价", "点赞送红包", "躺赚招代理"])
def test_dense_text_costs_linear_work(unit):
    """4x the text of one repeated claim is at most ~4x the work (the pairwise comparisons made
    it 16x: 1 MB of 全网最低价 took minutes)."""
    engine = builtin_engine()
    small, large = unit * 200, unit * 800
    engine.check(small), engine.check(large)  # lazy regexes compiled, caches warm
    ratio = calls_while(lambda: engine.check(large)) / calls_while(lambda: engine.check(small))
    assert ratio < 5.5
