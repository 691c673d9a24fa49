"""Text normalisation with an offset map back to the original.

Matching runs on a canonical form of the text so that evasions (``最 好``, ``最\\u200b好``,
``ＮＯ．１``, ``國家級``) hit the same terms, while every finding still points at the
original characters. Two passes:

1. ``str.translate`` with a lazily filled per-code-point table: NFKC (which also folds
   full-width forms), traditional -> simplified from OpenCC's character table, Latin
   lower-casing, invisible characters dropped. Almost every code point maps to exactly one
   character, so offsets only need a map when something was dropped or expanded.
2. A regex deletes filler between two Han characters (spaces, line breaks, ``*.·~-_``, emoji,
   symbols) and collapses runs of characters that packs declare repeatable (``最最最好``).

No global digit or numeral folding: 一 stays 一.
"""
from __future__ import annotations

import bisect
import functools
import unicodedata
from pathlib import Path

import regex

_INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cc}--\n\t\r]", regex.V1)

FILLER_CLASS = r"[\s*.·・~〜_\-‐–—|/\\\p{So}\p{Extended_Pictographic}\p{Sk}\p{Me}]"


@functools.lru_cache(maxsize=1)
def _t2s() -> dict[str, str]:
    """Single-character traditional -> simplified pairs from OpenCC's TSCharacters table."""
    import opencc

    path = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
                table[parts[0]] = parts[1]
    return table


def _fold(ch: str) -> str:
    if "A" <= ch <= "Z" or (ch.isalpha() and ord(ch) < 0x250):
        low = ch.lower()
        return low if len(low) == 1 else ch
    if "\u3400" <= ch <= "\U0002ffff":
        return _t2s().get(ch, ch)
    return ch


class _Table(dict):
    """``str.translate`` table computed on first sight of each code point."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if _INVISIBLE.match(ch):
            value = ""
        else:
            value = "".join(_fold(c) for c in unicodedata.normalize("NFKC", ch))
        self[cp] = value
        return value


_TABLE = _Table()


def fold_char_string(s: str) -> str:
    """Pass 1 only, for terms and short strings where offsets do not matter."""
    return s.translate(_TABLE)


@functools.lru_cache(maxsize=64)
def _second_pass(collapse: str) -> regex.Pattern:
    parts = [rf"(?<=\p{{Han}}){FILLER_CLASS}+(?=\p{{Han}})"]
    if collapse:
        chars = "".join(regex.escape(c) for c in sorted(set(collapse)))
        parts.append(rf"(?<=([{chars}]))\1+")
    return regex.compile("|".join(parts), regex.V0)


class Normalized:
    """Normalised text plus the map from its offsets to the original's."""

    __slots__ = ("original", "text", "_first", "_cuts", "_shift")

    def __init__(self, original: str, text: str, first: list[int] | None,
                 cuts: list[int], shift: list[int]):
        self.original = original
        self.text = text
        self._first = first  # pass-1 output index -> original index (None: identity)
        self._cuts = cuts  # pass-2 output positions where characters were removed before
        self._shift = shift  # cumulative removed count at each cut

    def to_original(self, i: int) -> int:
        """Original index of the character at normalised index ``i``."""
        k = bisect.bisect_right(self._cuts, i) - 1
        j = i + (self._shift[k] if k >= 0 else 0)
        return self._first[j] if self._first is not None else j

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering normalised ``[start, end)`` (end exclusive)."""
        if end <= start:
            o = self.to_original(start) if start < len(self.text) else len(self.original)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1


def normalize(text: str, collapse: str = "") -> Normalized:
    first_text = text.translate(_TABLE)
    first: list[int] | None = None
    if len(first_text) != len(text) or _INVISIBLE.search(text):
        first = []
        for i, ch in enumerate(text):
            first.extend([i] * len(_TABLE[ord(ch)]))
    cuts: list[int] = []
    shift: list[int] = []
    pieces: list[str] = []
    removed = 0
    last = 0
    for m in _second_pass(collapse).finditer(first_text):
        s, e = m.span()
        pieces.append(first_text[last:s])
        removed += e - s
        cuts.append(s - (removed - (e - s)))
        shift.append(removed)
        last = e
    if not cuts:
        return Normalized(text, first_text, first, cuts, shift)
    pieces.append(first_text[last:])
    return Normalized(text, "".join(pieces), first, cuts, shift)
