"""The shipped syllable table (``pinyin.tsv``): each character's readings, as one code per
toneless syllable, for ``text.phonetic``.

The table is derived from pypinyin's character readings (readings other than a character's first
only where pypinyin's phrase data uses them), so checking never imports pypinyin; tests hold it
to pypinyin's data. Every text is translated with the syllable codes and first readings, which
are read at once; all readings and tones (about 27,000 characters) are parsed on first use, as
only building a phonetic index or judging a homophone needs them.
"""
from __future__ import annotations

import functools
from pathlib import Path

TABLE = Path(__file__).with_name("pinyin.tsv")
CODE_BASE = 0xE100  # private use, after the document mask (U+E000)
NUMERALS = "零一二三四五六七八九"
NUMERAL_SYLLABLES = dict(zip(NUMERALS, ("ling", "yi", "er", "san", "si", "wu", "liu", "qi", "ba", "jiu")))


class Syllables:
    def __init__(self, rows: list[list[str]]):
        self.rows = rows  # syllable with tone, characters whose first reading it is, others
        self.codes: dict[str, str] = {}  # toneless syllable -> its one-character code
        for toned, _, _ in rows:
            self.codes.setdefault(toned[:-1], chr(CODE_BASE + len(self.codes)))
        # a str.translate table: code point -> the code of its first reading; 第1 reads as 第一
        self.first = str.maketrans("0123456789" + "".join(row[1] for row in rows),
                                   "".join(self.codes[NUMERAL_SYLLABLES[n]] for n in NUMERALS)
                                   + "".join(self.codes[row[0][:-1]] * len(row[1]) for row in rows))

    @functools.cached_property
    def readings(self) -> dict[str, tuple[str, ...]]:
        """Character -> codes of its readings, first one first."""
        readings: dict[str, list[str]] = {}
        for column in (1, 2):  # first readings before the others
            for row in self.rows:
                code = self.codes[row[0][:-1]]
                for ch in row[column]:
                    if code not in readings.setdefault(ch, []):
                        readings[ch].append(code)
        return {ch: tuple(c) for ch, c in readings.items()}

    @functools.cached_property
    def tones(self) -> dict[str, frozenset[str]]:
        """Character -> its readings with tones (zui4)."""
        tones: dict[str, set[str]] = {}
        for row in self.rows:
            for ch in row[1] + row[2]:
                tones.setdefault(ch, set()).add(row[0])
        return {ch: frozenset(t) for ch, t in tones.items()}


@functools.lru_cache(maxsize=1)
def syllables() -> Syllables:
    with open(TABLE, encoding="utf-8") as fh:
        return Syllables([line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")])
