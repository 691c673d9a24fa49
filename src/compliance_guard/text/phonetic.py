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

A homophone must also carry the same tone (薇 for 微, not 买 for 卖); pinyin written without
tones matches any. The engine replaces each disguise by its term before matching (``Repaired``),
so every kind of rule sees 降血压 where the seller wrote 降xue压, and each finding over a
disguise says so. The readings are those of the shipped syllable table (``text.pinyin``).
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick_rs
import regex

from compliance_guard.text import segment
from compliance_guard.text.pinyin import NUMERALS, syllables

MAX_SYLLABLE = 6  # chuang, shuang, zhuang
RARE_SWAP = 2000  # a two-character term's swapped character must be this rare as a word (蕞 25, 薇 894)
COMMON_SWAP = 30000  # longer terms: not a function character (是 796991, 去 123402; 马 19918 passes)
_NONE: frozenset = frozenset()
MIN_HAN = 2  # terms of one character have too many homophones to tell a disguise
_HAN = regex.compile(r"\p{Han}")
_LATIN = regex.compile(r"[a-zü]+")
_NOT_BESIDE_PINYIN = frozenset("abcdefghijklmnopqrstuvwxyzü./@_-#?=&%~\\")  # URLs, addresses, code


def split_pinyin(run: str, strict: bool = True) -> list[str] | None:
    """``run`` as whole syllables, longest first (xian, not xi an), or None. ``strict``: no
    syllable after the first starts with a, o or e, as pinyin writes them (xi'an), so that
    jiangsangao is jiang san gao; sellers skip the apostrophe (zuiai), hence the loose reading
    when the strict one fails, and as the second reading of a run (fangai: fan gai, fang ai)."""
    found = _split(run, strict)
    if found is None and strict:
        found = _split(run, False)
    return list(found) if found is not None else None


@functools.lru_cache(maxsize=4096)
def _split(run: str, strict: bool) -> tuple[str, ...] | None:
    """split_pinyin's one reading, remembered: the same Latin words recur from text to text."""
    known = syllables().codes
    best: list[tuple[str, ...] | None] = [None] * len(run) + [()]
    for i in range(len(run) - 1, -1, -1):  # the longest head whose tail splits, from the end
        for size in range(min(MAX_SYLLABLE, len(run) - i), 0, -1):
            head = run[i:i + size].replace("ü", "v")
            if head in known and not (strict and i and head[0] in "aoe") and best[i + size] is not None:
                best[i] = (run[i:i + size],) + best[i + size]
                break
    return best[0]


@dataclass(frozen=True)
class Disguise:
    """A span of the searched text that spells ``term`` in disguise."""

    start: int
    end: int
    term: str
    others: tuple[str, ...] = ()  # other terms it may as well stand for (yangwei: 养胃, 阳痿)
    homophone: bool = False  # a character swapped for another, rather than spelled out


class _Transformed:
    """A text with Han characters and pinyin runs as syllable codes, and the way back."""

    def __init__(self, text: str):
        s = syllables()
        self.text = text
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

    def shift_of(self, ps: int, pe: int) -> int | None:
        """Text offset minus code offset over [ps, pe) when no pinyin run lies in it (None)."""
        if not self.runs:
            return 0
        k = bisect.bisect_right(self._starts, pe - 1) - 1
        if k < 0:
            return 0
        return self._shift[k] if self.runs[k][1] <= ps else None

    def within_run(self, ps: int, pe: int) -> bool:
        """Whether [ps, pe) lies inside one Latin run."""
        k = bisect.bisect_right(self._starts, ps) - 1
        return k >= 0 and pe <= self.runs[k][1]

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
    jieba (word list, token edges) is asked only when a homophone candidate turns up, so most
    texts never load its dictionary."""

    def __init__(self, terms: Iterable[str], known: frozenset[str] = frozenset(), singles: Iterable[str] = ()):
        s = syllables()
        by_sound: dict[str, set[str]] = {}
        for ch in singles:
            for code in s.readings.get(ch, ())[:1]:
                by_sound.setdefault(code, set()).add(ch)
        # a lone pinyin syllable beside Han characters (中国zui大, bu生病) stands for the one
        # character the rules use alone with that sound; a sound several share is left alone
        self._singles = {code: chars.pop() for code, chars in by_sound.items() if len(chars) == 1}
        # a rare character read exactly as one of them (蕞 for 最) may stand for it too
        toned = {t: ch for ch in self._singles.values() for t in s.tones.get(ch, ())}
        alone = set(toned.values())
        self._rare_singles = {ch: toned[t] for ch, ts in s.tones.items() if ch not in alone and _rare(ch)
                              for t in ts if t in toned}
        table: dict[str, list[str]] = {}
        for term in dict.fromkeys(terms):
            if len(_HAN.findall(term)) < MIN_HAN:
                continue
            for key in _keys(term, s.readings):
                table.setdefault(key, []).append(term)
        self._keys = list(table)
        self._terms = [tuple(dict.fromkeys(table[k])) for k in self._keys]
        self._known = frozenset(k for k in known if not _LATIN.search(k))  # 蕞好: plain matching has it
        self._known_with: dict[str, list[str]] = {}  # a rare character -> the listed spellings holding it
        for form in self._known:
            for ch in set(form) & self._rare_singles.keys():
                self._known_with.setdefault(ch, []).append(form)
        self._automaton = ahocorasick_rs.AhoCorasick(self._keys) if self._keys else None

    def repair(self, norm):
        """``norm`` with its disguises replaced by their terms (itself when it has none)."""
        disguises = [d for d in self.find(norm.text) if not (d.homophone and _across_lines(norm, d))]
        return Repaired(norm, disguises) if disguises else norm

    def find(self, text: str) -> list[Disguise]:
        """Disguises in ``text`` (non-overlapping, longest first)."""
        if self._automaton is None:
            return []
        t = _Transformed(text)
        found: dict[tuple[int, int], str] = {}
        others: dict[tuple[int, int], tuple[str, ...]] = {}
        homophones: list[tuple[int, int, str]] = []
        swapped: set[tuple[int, int]] = set()
        inside_runs: list[tuple[int, int, str]] = []  # pinyin words within a longer run (zui|wennuan)
        for key, ps, pe in self._automaton.find_matches_as_indexes(t.codes, overlapping=True):
            shift = t.shift_of(ps, pe)
            if shift is None:
                if t.cuts_run(ps, pe):
                    if t.within_run(ps, pe):
                        inside_runs.append((ps, pe, self._terms[key][0]))
                    continue  # otherwise a Latin run cut in two is a word, not pinyin
                start, end = t.locate(ps)[0], t.locate(pe - 1)[1]
            else:
                start, end = ps + shift, pe + shift
            terms = self._terms[key]
            written = text[start:end]
            if written in terms or written in self._known:
                continue  # the term itself, or a spelling the packs list: plain matching has it
            judged = [(v, term) for term in terms if (v := _judge(text, t, ps, term, shift)) is not None]
            if not judged:
                continue
            (verdict, _), term, alike = _best(judged)
            if verdict == "pinyin":
                found.setdefault((start, end), term)
                if alike:
                    others.setdefault((start, end), alike)
            else:
                homophones.append((start, end, term))
        for piece in self._pinyin_runs(t, inside_runs, found):
            found.setdefault(*piece)
        found.update(_look_alikes(text))
        homophones += [(m.start(), m.end(), self._rare_singles[m.group()]) for m in self._rare_re.finditer(text)
                       if not self._listed_at(text, m.start())]
        if homophones:
            edges = sorted(segment.token_edges(text, [(s, e) for s, e, _ in homophones]))
            for s, e, term in homophones:
                if self._plausible(text, s, e, term, edges):
                    found.setdefault((s, e), term)
                    swapped.add((s, e))
        chosen: list[Disguise] = []
        for (s, e), term in sorted(found.items(), key=lambda kv: (kv[0][0] - kv[0][1], kv[0][0])):
            if all(e <= d.start or s >= d.end for d in chosen):
                chosen.append(Disguise(s, e, term, others.get((s, e), ()), (s, e) in swapped))
        return sorted(chosen, key=lambda d: d.start)

    @functools.cached_property
    def _rare_re(self) -> re.Pattern:
        """The rare characters that may stand for a single-character term, as one class (the
        standard library compiles a large class to a bitmap)."""
        chars = "".join(sorted(self._rare_singles)) or "\uffff"  # (an empty class matches nothing)
        return re.compile("[" + re.escape(chars) + "]")

    def _listed_at(self, text: str, i: int) -> bool:
        """Whether character ``i`` is part of a spelling the packs list (蕞 in 蕞好)."""
        for form in self._known_with.get(text[i], ()):
            k = form.find(text[i])
            while k != -1:
                if text.startswith(form, i - k):
                    return True
                k = form.find(text[i], k + 1)
        return False

    def _pinyin_runs(self, t: _Transformed, inside: list[tuple[int, int, str]], found: dict) -> list:
        """Pinyin runs no whole term matched, read as a sequence of words and lone syllables
        (zuiwennuan: 最 + 温暖; bu生病: 不), when every syllable of the run is accounted for."""
        out = []
        for cs, ce, spans in t.runs:
            if (spans[0][0], spans[-1][1]) in found or not _beside_han_or_alone(t, spans):
                continue
            pieces = {(ps, pe): term for ps, pe, term in inside if cs <= ps and pe <= ce}
            pieces.update({(i, i + 1): ch for i in range(cs, ce) if (ch := self._singles.get(t.codes[i]))})
            cover = _cover(cs, ce, pieces)
            if cover is not None:
                out += [((spans[ps - cs][0], spans[pe - 1 - cs][1]), pieces[(ps, pe)]) for ps, pe in cover]
            else:
                out += self._other_reading(t.text[spans[0][0]:spans[-1][1]], spans[0][0])
        return out

    def _other_reading(self, run: str, offset: int) -> list:
        """The run read with its loose syllable split (fang ai rather than fan gai), when that
        differs and it accounts for every syllable."""
        parts = split_pinyin(run, strict=False)
        if not parts or parts == split_pinyin(run):
            return []
        codes = syllables().codes
        string = "".join(codes[p.replace("ü", "v")] for p in parts)
        pieces = {(ps, pe): self._terms[key][0] for key, ps, pe in
                  self._automaton.find_matches_as_indexes(string, overlapping=True)}
        pieces.update({(i, i + 1): ch for i, c in enumerate(string) if (ch := self._singles.get(c))})
        cover = _cover(0, len(parts), pieces)
        if cover is None:
            return []
        starts = [offset + sum(map(len, parts[:i])) for i in range(len(parts) + 1)]
        return [((starts[ps], starts[pe]), pieces[(ps, pe)]) for ps, pe in cover]

    def _plausible(self, text: str, s: int, e: int, term: str, edges: list[int]) -> bool:
        """A homophone swap that reads as a disguise, not as ordinary words or a typo: the span
        is not a word itself; no swapped character is a common word on its own (是, 在, 去: the
        stuff of typos) or part of a dictionary word (搞笑 in 最搞笑 is not a disguised 最高效);
        and no dictionary word runs across either end of the span (极治 in 积极治理)."""
        if e - s > 1 and segment.is_word(text[s:e]):
            return False
        limit = RARE_SWAP if len(term) <= 2 else COMMON_SWAP
        for i, ch in enumerate(text[s:e]):
            if ch != term[i] and (segment.frequency(ch) >= limit or _word_at(text, edges, s + i)):
                return False
        return not (_word_across(text, edges, s) or _word_across(text, edges, e))

    def __getstate__(self):  # for the engine cache: an ahocorasick_rs automaton does not pickle
        return {k: v for k, v in self.__dict__.items() if k != "_automaton"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._automaton = ahocorasick_rs.AhoCorasick(self._keys) if self._keys else None


def _across_lines(norm, d: Disguise) -> bool:
    """Whether a disguise's characters sit on two lines (交流⏎⏎微信 is no 留微信)."""
    s, e = norm.span(d.start, d.end)
    return "\n" in norm.original[s:e] or "\r" in norm.original[s:e]


def _token(edges: list[int], i: int) -> tuple[int, int] | None:
    """The token (between two edges) that holds character ``i``."""
    k = bisect.bisect_right(edges, i)
    return (edges[k - 1], edges[k]) if 0 < k < len(edges) else None


def _word_at(text: str, edges: list[int], i: int) -> bool:
    """Whether character ``i`` is part of a dictionary word of two characters or more."""
    tok = _token(edges, i)
    return tok is not None and tok[1] - tok[0] > 1 and segment.is_word(text[tok[0]:tok[1]])


def _word_across(text: str, edges: list[int], cut: int) -> bool:
    """Whether a dictionary word runs across offset ``cut`` (a token on both sides of it)."""
    tok = _token(edges, cut) if 0 < cut < len(text) else None
    return tok is not None and tok[0] < cut < tok[1] and segment.is_word(text[tok[0]:tok[1]])


def _best(judged):
    """(verdict, term, others): the term a disguise keeps most of; among equals (yangwei: 养胃
    or 阳痿?) the commoner word first, the others kept for the engine to try."""
    most = max(v[1] for v, _ in judged)
    tied = [(v, term) for v, term in judged if v[1] == most]
    if len(tied) > 1:
        tied.sort(key=lambda vt: -segment.frequency(vt[1]))
    return tied[0][0], tied[0][1], tuple(term for _, term in tied[1:])


def _rare(ch: str) -> bool:
    """Outside GB2312's first level (its 3,755 everyday characters): what a seller picks to
    slip past a word list (蕞), and what ordinary typing seldom produces."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return len(code) == 2 and code[0] >= 0xD8


def _cover(start: int, end: int, pieces: dict[tuple[int, int], str]) -> list[tuple[int, int]] | None:
    """The fewest pieces that tile [start, end) exactly, or None."""
    best: dict[int, list[tuple[int, int]]] = {start: []}
    for i in range(start, end):
        if i not in best:
            continue
        for (ps, pe) in pieces:
            if ps == i and pe <= end and (pe not in best or len(best[pe]) > len(best[i]) + 1):
                best[pe] = best[i] + [(ps, pe)]
    return best.get(end)


_LOOK_ALIKE = regex.compile(r"(?<![a-z0-9.])(?=[a-z0-9.]{2,6}(?![a-z0-9.]))[a-z0-9.]*[a-z]0(?=[a-z.])[a-z0-9.]*")


def _look_alikes(text: str) -> dict[tuple[int, int], str]:
    """Short Latin words with 0 for o between letters (t0p1, n0.1): read as written with o
    (a long code such as a product or coupon id is left as it is)."""
    out = {}
    for m in _LOOK_ALIKE.finditer(text):
        word = m.group()
        fixed = regex.sub(r"(?<=[a-z])0(?=[a-z.])", "o", word)
        out[m.span()] = fixed
    return out


def _beside_han_or_alone(t: _Transformed, spans) -> bool:
    """A pinyin run that touches Han characters (bu生病) or makes a word by itself (zuihao),
    not one syllable of English between spaces."""
    text = t.text
    start, end = spans[0][0], spans[-1][1]
    beside = (start > 0 and _HAN.match(text[start - 1]) is not None) or (
        end < len(text) and _HAN.match(text[end]) is not None)
    return beside or len(spans) > 1


def _judge(text: str, t: _Transformed, ps: int, term: str, shift: int | None) -> tuple[str, int] | None:
    """``(pinyin, kept)`` when some of the term's characters are written in pinyin,
    ``(homophone, kept)`` when a character is swapped for another that sounds the same and
    ``kept`` of the term's own remain (at least one); None for the term itself and anything
    looser. ``shift``: the text offset of code ``ps`` minus ``ps`` when no pinyin lies under the
    term (None: locate each character)."""
    pinyin = digits = same = swapped = 0
    tones = syllables().tones
    for j, ch in enumerate(term):
        if shift is None:
            s, _, is_pinyin = t.locate(ps + j)
        else:
            s, is_pinyin = ps + j + shift, False
        if is_pinyin:
            pinyin += 1  # zui for 最
        elif text[s].isdigit() and NUMERALS.find(ch) == int(text[s]):
            digits += 1  # 1 for 一
        elif text[s] == ch:
            same += 1
        elif tones.get(text[s], _NONE) & tones.get(ch, _NONE):
            swapped += 1  # same syllable and tone: 薇 for 微, not 买 for 卖
        else:
            return None
    if swapped:
        return ("homophone", same + digits) if same + digits and not pinyin else None
    return ("pinyin", same) if pinyin or digits else None


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

    def _locate(self, i: int) -> tuple[int, Disguise | None]:
        """The normalised offset of repaired offset ``i``, or the disguise whose term holds it."""
        k = bisect.bisect_right(self._starts, i) - 1
        if k < 0:
            return i, None
        if i < self._ends[k]:
            return -1, self.disguises[k]
        return i - self._deltas[k], None

    def to_original(self, i: int) -> int:
        n, d = self._locate(i)
        return self.norm.to_original(d.start if d else n)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of repaired ``[start, end)``; a term put in for a disguise
        stands for all of the disguise."""
        n, d = self._locate(start)
        first = d.start if d else n
        if end <= start:
            return self.norm.span(first, first)
        n, d = self._locate(end - 1)
        return self.norm.span(first, d.end if d else n + 1)

    def alternative(self, over: list[Disguise]) -> Repaired:
        """The same text with the next reading of each disguise in ``over`` put in instead."""
        swap = {id(d): Disguise(d.start, d.end, d.others[0], d.others[1:]) for d in over}
        return Repaired(self.norm, [swap.get(id(d), d) for d in self.disguises])

    def annotate(self, findings) -> None:
        """Say in each finding over disguises what they are taken for: 「降xue压」疑似「降血压」的变体写法."""
        spans = [(self.norm.span(d.start, d.end), d.term) for d in self.disguises]
        for f in findings:
            over = [(se, term) for se, term in spans if se[0] < f.end and f.start < se[1]]
            if over:
                s, e = over[0][0][0], over[-1][0][1]
                written = self.original[s:e]
                meant = "".join(term for _, term in over) if len(over) > 1 else over[0][1]
                f.message = f"「{written}」疑似「{meant}」的变体写法；{f.message}"
