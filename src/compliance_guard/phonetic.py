"""Disguised spellings of known terms: pinyin for some characters, or a homophone.

Sellers write 降xue压, zui好, 加wei信 or a whole word in pinyin (zuihao), or swap a character
for one that sounds the same (收款马, 薇信, 蕞佳). Each term gets a phonetic key (its toneless
syllables, one code per syllable) and the text the same transform: a Han character becomes its
syllable, a Latin run that spells whole syllables becomes those syllables. One automaton over the
keys finds the spans that SOUND like a term. Such a span is taken for a disguise only when

- it is not the term itself (plain matching finds that);
- every Latin run it touches lies wholly inside it, and no run sits in a URL, address or code;
- a swapped character (a homophone) leaves at least one of the term's own characters in place,
  the span is not an ordinary word of jieba's dictionary (机制 is not a disguised 极致), and it
  starts and ends on jieba token edges (积极治理 holds 极治 across two words).

The syllable table is derived from pypinyin's character readings and shipped with the package
(``pinyin.tsv``), so that checking never imports pypinyin; tests hold it to pypinyin's data.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import ahocorasick_rs
import regex

TABLE = Path(__file__).with_name("pinyin.tsv")
CODE_BASE = 0xE100  # private use, after the document mask (U+E000)
MAX_SYLLABLE = 6  # chuang, shuang, zhuang
RARE_SWAP = 2000  # a two-character term's swapped character must be this rare as a word (蕞 25, 薇 894)
COMMON_SWAP = 30000  # longer terms: not a function character (是 796991, 去 123402; 马 19918 passes)
_NONE: frozenset = frozenset()
MIN_HAN = 2  # terms of one character have too many homophones to tell a disguise
_HAN = regex.compile(r"\p{Han}")
_LATIN = regex.compile(r"[a-zü]+")
_NOT_BESIDE_PINYIN = frozenset("abcdefghijklmnopqrstuvwxyzü./@:_-#?=&%~\\")  # URLs, addresses, code


@dataclass(frozen=True)
class _Syllables:
    codes: dict[str, str]  # toneless syllable -> its one-character code
    first: dict[int, str]  # code point -> the code of its first reading (a str.translate table)
    readings: dict[str, tuple[str, ...]]  # character -> codes of its readings, first one first
    tones: dict[str, frozenset[str]]  # character -> its readings with tones (zui4)


@functools.lru_cache(maxsize=1)
def syllables() -> _Syllables:
    with open(TABLE, encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
    codes: dict[str, str] = {}
    for toned, _, _ in rows:
        codes.setdefault(toned[:-1], chr(CODE_BASE + len(codes)))
    first: dict[int, str] = {}
    readings: dict[str, list[str]] = {}
    tones: dict[str, set[str]] = {}
    for column in (1, 2):  # first readings before the others
        for row in rows:
            code = codes[row[0][:-1]]
            for ch in row[column]:
                if column == 1:
                    first[ord(ch)] = code
                if code not in readings.setdefault(ch, []):
                    readings[ch].append(code)
                tones.setdefault(ch, set()).add(row[0])
    return _Syllables(codes, first, {ch: tuple(c) for ch, c in readings.items()},
                      {ch: frozenset(t) for ch, t in tones.items()})


def split_pinyin(run: str) -> list[str] | None:
    """``run`` as whole syllables, longest first (xian, not xi an), or None."""
    known = syllables().codes

    @functools.lru_cache(maxsize=None)
    def rest(i: int) -> tuple[str, ...] | None:
        if i == len(run):
            return ()
        for size in range(min(MAX_SYLLABLE, len(run) - i), 0, -1):
            head = run[i:i + size].replace("ü", "v")
            if head in known:
                tail = rest(i + size)
                if tail is not None:
                    return (run[i:i + size],) + tail
        return None

    found = rest(0)
    return list(found) if found is not None else None


@dataclass(frozen=True)
class Disguise:
    """A span of the searched text that spells ``term`` in disguise."""

    start: int
    end: int
    term: str


class _Transformed:
    """A text with Han characters and pinyin runs as syllable codes, and the way back."""

    def __init__(self, text: str):
        s = syllables()
        self.runs: list[tuple[int, int, list[tuple[int, int]]]] = []  # code start, code end, syllable spans
        self._shift: list[int] = []  # text offset minus code offset after each run
        pieces, last, shift = [], 0, 0
        translated = text.translate(s.first)
        for m in _LATIN.finditer(text):
            a, b = m.span()
            if (a and text[a - 1] in _NOT_BESIDE_PINYIN) or (b < len(text) and text[b] in _NOT_BESIDE_PINYIN):
                continue
            parts = split_pinyin(m.group())
            if not parts:
                continue
            pieces.append(translated[last:a])
            spans, pos = [], a
            for part in parts:
                pieces.append(s.codes[part.replace("ü", "v")])
                spans.append((pos, pos + len(part)))
                pos += len(part)
            self.runs.append((a - shift, a - shift + len(parts), spans))
            shift += (b - a) - len(parts)
            self._shift.append(shift)
            last = b
        pieces.append(translated[last:])
        self.codes = "".join(pieces)
        self._starts = [r[0] for r in self.runs]

    def locate(self, i: int) -> tuple[int, int, bool]:
        """Text span of the character or pinyin syllable at code position ``i``, and whether it
        is pinyin."""
        k = bisect.bisect_right(self._starts, i) - 1
        if k < 0:
            return i, i + 1, False
        cs, ce, spans = self.runs[k]
        if i < ce:
            s, e = spans[i - cs]
            return s, e, True
        return i + self._shift[k], i + self._shift[k] + 1, False

    def cuts_run(self, ps: int, pe: int) -> bool:
        """Whether [ps, pe) takes part of a Latin run but not all of it."""
        k = bisect.bisect_right(self._starts, pe - 1) - 1
        while k >= 0 and self.runs[k][1] > ps:
            cs, ce, _ = self.runs[k]
            if cs < ps or ce > pe:
                return True
            k -= 1
        return False


class PhoneticIndex:
    """Phonetic keys of a set of terms, searched in one pass; ``find`` applies the guards.

    ``is_word(s)`` and ``token_edges(text, spans)`` (jieba's) judge homophone candidates; they
    are called only when one turns up, so most texts never load the dictionary.
    """

    def __init__(self, terms: Iterable[str], is_word, token_edges, frequency):
        s = syllables()
        table: dict[str, list[str]] = {}
        for term in dict.fromkeys(terms):
            if len(_HAN.findall(term)) < MIN_HAN or _LATIN.search(term):
                continue
            for key in _keys(term, s.readings):
                table.setdefault(key, []).append(term)
        self._keys = list(table)
        self._terms = [tuple(dict.fromkeys(table[k])) for k in self._keys]
        self._automaton = ahocorasick_rs.AhoCorasick(self._keys) if self._keys else None
        self._is_word = is_word
        self._token_edges = token_edges
        self._frequency = frequency

    def find(self, text: str) -> list[Disguise]:
        """Disguises in ``text`` (non-overlapping, longest first)."""
        if self._automaton is None:
            return []
        t = _Transformed(text)
        found: dict[tuple[int, int], str] = {}
        homophones: list[tuple[int, int, str]] = []
        runs = bool(t.runs)
        for key, ps, pe in self._automaton.find_matches_as_indexes(t.codes, overlapping=True):
            if runs:
                if t.cuts_run(ps, pe):
                    continue  # a Latin run cut in two is a word, not pinyin
                start, end = t.locate(ps)[0], t.locate(pe - 1)[1]
            else:
                start, end = ps, pe
            terms = self._terms[key]
            if text[start:end] in terms:
                continue  # the term itself, as most matches are: plain matching has it
            judged = [(v, term) for term in terms if (v := _judge(text, t, ps, term)) is not None]
            if not judged:
                continue
            (verdict, _), term = max(judged, key=lambda vt: vt[0][1])  # the term it keeps most of
            if verdict == "pinyin":
                found.setdefault((start, end), term)
            else:
                homophones.append((start, end, term))
        if homophones:
            edges = self._token_edges(text, [(s, e) for s, e, _ in homophones])
            for s, e, term in homophones:
                if self._plausible(text, s, e, term, edges):
                    found.setdefault((s, e), term)
        chosen: list[Disguise] = []
        for (s, e), term in sorted(found.items(), key=lambda kv: (kv[0][0] - kv[0][1], kv[0][0])):
            if all(e <= d.start or s >= d.end for d in chosen):
                chosen.append(Disguise(s, e, term))
        return sorted(chosen, key=lambda d: d.start)

    def _plausible(self, text: str, s: int, e: int, term: str, edges: set[int]) -> bool:
        """A homophone swap that reads as a disguise, not as ordinary words or a typo: the span
        is not a word itself, starts and ends on token edges, and each swapped character stands
        alone as a token and is not a common word on its own (是, 在, 去 are typos' stuff)."""
        if s not in edges or e not in edges or self._is_word(text[s:e]):
            return False
        limit = RARE_SWAP if len(term) == 2 else COMMON_SWAP
        for i, ch in enumerate(text[s:e]):
            if ch == term[i]:
                continue
            if s + i not in edges or s + i + 1 not in edges or self._frequency(ch) >= limit:
                return False
        return True


def _judge(text: str, t: _Transformed, ps: int, term: str) -> tuple[str, int] | None:
    """``(pinyin, kept)`` when some of the term's characters are written in pinyin,
    ``(homophone, kept)`` when a character is swapped for another that sounds the same and
    ``kept`` of the term's own remain (at least one); None for the term itself and anything
    looser."""
    pinyin = same = swapped = 0
    tones = syllables().tones
    for j, ch in enumerate(term):
        s, e, is_pinyin = t.locate(ps + j)
        if is_pinyin:
            pinyin += 1
        elif text[s] == ch:
            same += 1
        elif tones.get(text[s], _NONE) & tones.get(ch, _NONE):
            swapped += 1  # same syllable and tone: 薇 for 微, not 买 for 卖
        else:
            return None
    if swapped:
        return ("homophone", same) if same and not pinyin else None
    return ("pinyin", same) if pinyin else None


def _keys(term: str, readings: dict[str, tuple[str, ...]]) -> list[str]:
    """The term's syllable keys: every character read as first read, then each character with
    one of its other readings (降 in 降血压 is jiang, in 投降 xiang)."""
    base = [readings.get(c, (c,))[0] for c in term]
    keys = ["".join(base)]
    for i, c in enumerate(term):
        for alt in readings.get(c, ())[1:]:
            keys.append("".join(base[:i] + [alt] + base[i + 1:]))
    return keys


class Repaired:
    """A normalised text with its disguises replaced by the terms they stand for, mapped back
    to the original: the rest of the pipeline reads it as it reads any normalised text, and a
    finding over a replaced span points at the disguised characters as written."""

    def __init__(self, norm, disguises: list[Disguise]):
        self.norm = norm
        self.original = norm.original
        self.disguises = disguises
        pieces, last, delta = [], 0, 0
        self._starts: list[int] = []  # repaired start of each replacement
        self._ends: list[int] = []
        self._deltas: list[int] = []  # repaired minus normalised offset after each replacement
        for d in disguises:
            pieces.append(norm.text[last:d.start])
            start = d.start + delta
            pieces.append(d.term)
            delta += len(d.term) - (d.end - d.start)
            self._starts.append(start)
            self._ends.append(start + len(d.term))
            self._deltas.append(delta)
            last = d.end
        pieces.append(norm.text[last:])
        self.text = "".join(pieces)

    def _to_norm(self, i: int, end: bool = False) -> int:
        k = bisect.bisect_right(self._starts, i) - 1
        if k < 0:
            return i
        if i < self._ends[k] or (end and i == self._ends[k]):
            d = self.disguises[k]
            return d.end if end else d.start
        return i - self._deltas[k]

    def to_original(self, i: int) -> int:
        return self.norm.to_original(self._to_norm(i))

    def span(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            return self.norm.span(self._to_norm(start), self._to_norm(start))
        return self.norm.span(self._to_norm(start), self._to_norm(end - 1, end=False) + 1
                              if not self._inside(end - 1) else self._to_norm(end, end=True))

    def _inside(self, i: int) -> bool:
        k = bisect.bisect_right(self._starts, i) - 1
        return k >= 0 and i < self._ends[k]

    def disguise_over(self, ostart: int, oend: int):
        """The disguise a finding at original [ostart, oend) covers, if any."""
        for d in self.disguises:
            s, e = self.norm.span(d.start, d.end)
            if s < oend and ostart < e:
                return d, self.original[s:e]
        return None
