"""Derive ``src/compliance_guard/text/pinyin.tsv`` from pypinyin's character and phrase data.

Run after upgrading pypinyin (``pip install pypinyin``), from the repository root:

    python tools/make_pinyin_table.py

tests/test_phonetic.py holds the shipped table to what this derives, so a stale table fails.
"""
import collections
from pathlib import Path

import pypinyin
from pypinyin.contrib.tone_convert import to_tone3
from pypinyin.phrases_dict import phrases_dict
from pypinyin.pinyin_dict import pinyin_dict

SKIP = {"ê", "m", "n", "ng", "hm", "hng", "r"}


def _plain(reading: str) -> str:
    """``zui4``: toneless letters (ü as v) and the tone's digit (5: neutral)."""
    t = to_tone3(reading, neutral_tone_with_five=True).replace("ü", "v")
    return t if t[-1:].isdigit() else t + "5"


def derive() -> str:
    """syllable+tone TAB characters read so first TAB characters that also read so in some word"""
    attested = collections.defaultdict(set)  # char -> readings seen in pypinyin's phrase data
    for phrase, readings in phrases_dict.items():
        if len(phrase) == len(readings):
            for ch, options in zip(phrase, readings):
                attested[ch].update(_plain(r) for r in options)
    primary = collections.defaultdict(list)
    other = collections.defaultdict(list)
    for cp in sorted(pinyin_dict):
        if cp > 0xFFFF:
            continue
        ch = chr(cp)
        readings = []
        for r in pinyin_dict[cp].split(","):
            t = _plain(r)
            if t not in readings and t.isascii() and t[:-1].isalpha() and t[:-1] not in SKIP:
                readings.append(t)
        if not readings:
            continue
        primary[readings[0]].append(ch)
        for r in readings[1:]:
            if r in attested.get(ch, ()):
                other[r].append(ch)
    lines = [f"# pinyin (ü as v, tone as a digit) of {sum(map(len, primary.values()))} characters, derived from "
             f"pypinyin {pypinyin.__version__}: syllable with tone, characters whose first reading it is, "
             "characters that read so in a word"]
    for s in sorted(set(primary) | set(other)):
        lines.append(f"{s}\t{''.join(primary.get(s, []))}\t{''.join(other.get(s, []))}")
    return "\n".join(lines) + "\n"


TABLE = Path(__file__).resolve().parents[1] / "src" / "compliance_guard" / "text" / "pinyin.tsv"

if __name__ == "__main__":
    TABLE.write_text(derive(), encoding="utf-8")
