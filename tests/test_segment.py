"""rjieba stands in for jieba only where it cuts exactly as jieba does: held to jieba's tokens
on the windows the engine segments (the project's corpora, and the shared corpora when present),
and to its dictionary; without rjieba, jieba does the work."""
import logging
import random
import sys
from pathlib import Path

import jieba
import pytest

from compliance_guard.text import segment

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpora"
sys.path.insert(0, str(ROOT / "tools"))

pytest.importorskip("rjieba")


@pytest.fixture(scope="module")
def reference():
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt


def _lines(paths, limit):
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip():
                out.append(line)
    random.Random(14).shuffle(out)
    return out[:limit]


def _windows(lines, rng):
    """Whole lines and windows of the widths token_edges cuts (a hit plus 8 either side)."""
    for line in lines:
        yield line
        for _ in range(3):
            width = rng.randint(10, 40)
            start = rng.randint(0, max(0, len(line) - width))
            yield line[start:start + width]


def _disagreements(lines, reference):
    rng = random.Random(7)
    return [(w, segment.cut(w), list(reference.cut(w))) for w in _windows(lines, rng)
            if segment.cut(w) != list(reference.cut(w))]


def test_same_tokens_as_jieba_on_the_project_corpora(reference):
    paths = sorted(p for p in (ROOT / "corpora").rglob("*") if p.suffix in {".txt", ".md", ".srt", ".csv", ".jsonl"})
    lines = _lines(paths, 6000)
    assert len(lines) > 1000
    assert _disagreements(lines, reference) == []


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/corpora not present")
def test_same_tokens_as_jieba_on_the_shared_corpora(reference):
    lines = _lines(sorted(SHARED.glob("*.txt")), 6000)
    assert _disagreements(lines, reference) == []


def test_latin_runs_split_as_jieba_splits_them(reference):
    for text in ["尺寸3.5cm宽", "iphone14promax手机壳", "含量99.9%以上", "加vx:abc_123领券", "型号A-100B"]:
        assert segment.cut(text) == list(reference.cut(text))


def test_rare_han_characters_are_cut_by_jieba(reference):
    text = "蕞好的㐀产品𠀀"
    assert segment.cut(text) == list(reference.cut(text))


def test_words_and_frequencies_are_jiebas(reference):
    words = [w for w, f in reference.FREQ.items() if f > 0]
    sample = random.Random(3).sample(words, 20000) + ["极致", "机制", "最好", "降血压"]
    assert [w for w in sample if not segment.is_word(w)] == []
    prefixes = [w for w, f in reference.FREQ.items() if f == 0][:20000]  # prefixes jieba keeps, not words
    assert [w for w in prefixes if segment.is_word(w)] == []
    for ch in "最是的在蕞㐀a":
        assert segment.frequency(ch) == (reference.FREQ.get(ch) or 0)
    for w in random.Random(4).sample(list(reference.FREQ), 2000) + ["养胃", "地道", "得到", "最低价", "zzz"]:
        assert segment.frequency(w) == (reference.FREQ.get(w) or 0), w


def test_shipped_character_frequencies_are_current():
    from make_char_freq import derive

    assert segment.CHAR_FREQ.read_text(encoding="utf-8") == derive(), "regenerate: python tools/make_char_freq.py"


def test_without_rjieba_jieba_does_the_work(monkeypatch, reference):
    text = "这款面膜是全网最好的，3.5cm宽，加vx领券"
    spans = [(5, 9), (10, 13)]
    fast = segment.token_edges(text, spans)
    monkeypatch.setattr(segment, "_rjieba", lambda: None)
    assert segment.backend() == "jieba"
    assert segment.token_edges(text, spans) == fast
    assert segment.is_word("最好") and not segment.is_word("好的，")
