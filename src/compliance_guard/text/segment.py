"""Token-edge confirmation with jieba, loaded only when a candidate needs it.

Importing jieba costs ~0.25 s and its dictionary ~1.2 s, so neither happens until the first
candidate of a ``boundary: token`` rule. Only a window around the candidates is segmented:
with a radius of 5+ characters the tokens over a hit are those of whole-text segmentation.
"""
from __future__ import annotations

import functools
import logging

WINDOW = 8


@functools.lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt


def is_loaded() -> bool:
    """True once the jieba dictionary has been loaded in this process."""
    return _tokenizer.cache_info().currsize > 0


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
    tok = _tokenizer()
    for ws, we in windows:
        pos = ws
        edges.add(pos)
        for word in tok.cut(text[ws:we]):
            pos += len(word)
            edges.add(pos)
    return edges


def is_word(text: str) -> bool:
    """Whether ``text`` is a word of jieba's dictionary (with a frequency)."""
    return (_tokenizer().FREQ.get(text) or 0) > 0


def frequency(text: str) -> int:
    """jieba's dictionary frequency of ``text`` as a word (0: not a word)."""
    return _tokenizer().FREQ.get(text) or 0
