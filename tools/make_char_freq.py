"""Derive ``src/compliance_guard/text/char_freq.tsv`` from jieba's dictionary: the frequency
of every single character that is a word of it, which the homophone guards read without
loading jieba.

Run after upgrading jieba, from the repository root:

    python tools/make_char_freq.py

tests/test_segment.py holds the shipped table to what this derives, so a stale table fails.
"""
import logging
from pathlib import Path

import jieba


def derive() -> str:
    """A header line, then ``character TAB frequency`` per line, in code-point order."""
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    singles = sorted((w, f) for w, f in jieba.dt.FREQ.items() if len(w) == 1 and f > 0 and w not in "#\n\t")
    lines = [f"# frequency of the {len(singles)} single-character words of jieba {jieba.__version__}'s dictionary"]
    lines += [f"{w}\t{f}" for w, f in singles]
    return "\n".join(lines) + "\n"


TABLE = Path(__file__).resolve().parents[1] / "src" / "compliance_guard" / "text" / "char_freq.tsv"

if __name__ == "__main__":
    TABLE.write_text(derive(), encoding="utf-8")
    print(f"wrote {TABLE}")
