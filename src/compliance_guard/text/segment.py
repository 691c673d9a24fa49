"""Token edges and dictionary look-ups with jieba's segmentation, loaded only when a candidate
needs them.

The packs are written against jieba (its dictionary, its DAG and HMM). rjieba (jieba-rs: the
same dictionary in Rust) loads in ~0.1 s where jieba takes ~1.3 s, and cuts ~15x faster, so it
does the work when installed, with the one place where jieba-rs departs from jieba put back:
jieba splits a run of Latin letters and digits that is not a word with its HMM's pattern
(``3.5cm`` -> ``3.5`` ``cm``; jieba-rs keeps it whole). A window holding a Han character outside
jieba's range (U+4E00–U+9FD5, which jieba-rs widens) is cut by jieba itself.
tests/test_segment.py holds the two to the same tokens on the corpora. Without rjieba, jieba
does all of it. Frequencies come from a table of single characters derived from jieba's
dictionary (``char_freq.tsv``) and from jieba's dictionary file, so the homophone guards never
need jieba loaded.

Only a window around the candidates is segmented: with a radius of 5+ characters the tokens
over a hit are those of whole-text segmentation.
"""
from __future__ import annotations

import functools
import importlib.util
import logging
import re
from pathlib import Path

WINDOW = 8
CHAR_FREQ = Path(__file__).with_name("char_freq.tsv")
_LATIN_RUN = re.compile(r"[a-zA-Z0-9+#&._%\-]+")  # jieba's block characters that are not Han
_HMM_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")  # jieba.finalseg.re_skip
_WIDER_HAN = re.compile(r"[\u3400-\u4DBF\u9FD6-\u9FFF\uF900-\uFAFF\U00020000-\U0002FA1F]")


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt


@functools.lru_cache(maxsize=1)
def _rjieba():
    """The rjieba module (its default instance), or None when it is not installed."""
    try:
        import rjieba
    except ImportError:
        return None
    return rjieba


def backend() -> str:
    """The segmenter in use: ``rjieba`` or ``jieba``."""
    return "jieba" if _rjieba() is None else "rjieba"


def is_loaded() -> bool:
    """True once a segmenter's dictionary has been loaded in this process."""
    return _jieba.cache_info().currsize > 0 or (_rjieba.cache_info().currsize > 0 and _rjieba() is not None)


def cut(text: str) -> list[str]:
    """jieba's tokens of ``text`` (``jieba.cut(text)``, HMM on)."""
    fast = _rjieba()
    if fast is None or _WIDER_HAN.search(text):
        return list(_jieba().cut(text))
    out: list[str] = []
    for token in fast.cut(text):
        if len(token) > 1 and _LATIN_RUN.fullmatch(token) and not fast.has_word(token):
            out += [piece for piece in _HMM_SKIP.split(token) if piece]
        else:
            out.append(token)
    return out


def token_edges(text: str, spans: list[tuple[int, int]], window: int = WINDOW) -> set[int]:
    """Token edge offsets of ``text`` around each span, segmenting merged windows once."""
    edges: set[int] = set()
    if not spans:
        return edges
    windows: list[list[int]] = []
    for s, e in sorted(spans):
        ws, we = max(0, s - window), min(len(text), e + window)
        if windows and ws <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], we)
        else:
            windows.append([ws, we])
    for ws, we in windows:
        pos = ws
        edges.add(pos)
        for word in cut(text[ws:we]):
            pos += len(word)
            edges.add(pos)
    return edges


def is_word(text: str) -> bool:
    """Whether ``text`` is a word of jieba's dictionary (with a frequency)."""
    fast = _rjieba()
    if fast is not None:
        return fast.has_word(text)
    return (_jieba().FREQ.get(text) or 0) > 0


@functools.lru_cache(maxsize=1)
def _char_freq() -> dict[str, int]:
    with open(CHAR_FREQ, encoding="utf-8") as fh:
        return {line[0]: int(line[2:]) for line in fh if not line.startswith("#")}


@functools.lru_cache(maxsize=1)
def _dictionary() -> bytes:
    """jieba's dictionary file (``word frequency tag`` per line), read without importing jieba."""
    spec = importlib.util.find_spec("jieba")
    return b"\n" + (Path(spec.submodule_search_locations[0]) / "dict.txt").read_bytes()


@functools.cache
def frequency(text: str) -> int:
    """jieba's dictionary frequency of ``text`` as a word (0: not a word): a character from the
    derived table, a longer word (ties between terms) looked up in jieba's dictionary file."""
    if len(text) == 1:
        return _char_freq().get(text, 0)
    data, needle = _dictionary(), text.encode() + b" "
    i = data.find(needle)
    while i != -1 and data[i - 1] != 0x0A:
        i = data.find(needle, i + 1)
    if i == -1:
        return 0
    i += len(needle)
    return int(data[i:data.index(b" ", i)])
