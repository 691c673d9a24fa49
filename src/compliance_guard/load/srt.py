"""SubRip (.srt) subtitles: only cue text is checked; indices and timing lines are masked, and
each cue keeps its times (the script scorer reads them)."""
from __future__ import annotations

import re

from compliance_guard.model.document import Cue, Document
from compliance_guard.text.lines import lf_text

_SRT_TIME = re.compile(
    r"^\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})"
)


def mask_srt(doc: Document) -> None:
    """Only cue text is checked; indices and timing lines are masked."""
    masked: list[tuple[int, int]] = []
    pos = 0
    lines = lf_text(doc.text).split("\n")
    i = 0
    starts = []
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.strip().isdigit() and i + 1 < len(lines) and _SRT_TIME.match(lines[i + 1]):
            masked.append((starts[i], starts[i] + len(line)))
            i += 1
            line = lines[i]
        m = _SRT_TIME.match(line)
        if m:
            masked.append((starts[i], starts[i] + len(line)))
            start_ms, end_ms = _ms(m.groups()[:4]), _ms(m.groups()[4:])
            i += 1
            first = i
            while i < len(lines) and lines[i].strip():
                i += 1
            if i > first:
                end = starts[i - 1] + len(lines[i - 1])
                end -= doc.text[end - 1:end] == "\r"  # the CR of a CRLF is the line ending
                doc.cues.append(Cue(start_ms, end_ms, starts[first], end))
            continue
        i += 1
    doc.masked = masked


def _ms(parts) -> int:
    h, m, s, frac = parts
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))
