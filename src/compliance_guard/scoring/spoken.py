"""What a script says, shows and when: the reading of a script that the script scorer needs.

A script mixes speech with markup: stage directions (【画面：特写】), on-screen captions
(【字幕：9.9包邮】), speaker labels (主播：), headings and, in live scripts, clock times
(19:00-19:10 开场). Directions and markup are masked one-for-one (offsets stay those of the
file); captions are shown but not spoken, so they count for the hook and for density but not
for the spoken length. Timing comes from SRT cues when there are any, else from clock
markers, else it is estimated from the character count.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

from compliance_guard.load.lexicons import Lexicon
from compliance_guard.model.document import MASK, Document
from compliance_guard.text.lines import lf_text

_COUNTED = re.compile(r"[\w]", re.UNICODE)  # Han, letters, digits (each spoken as ~1 syllable)
_SENTENCE_END = re.compile(r"[。！？!?；;…\n]+")
_CLOCK = r"([01]?\d|2[0-4])[:：]([0-5]\d)"
_DASH = r"\s*(?:-|~|～|—+|–|至|到)\s*"
_MARKER = re.compile(rf"^[ \t]*[【\[(（]?[ \t]*{_CLOCK}(?:{_DASH}{_CLOCK})?[ \t]*[】\])）]?[ \t]*[:：]?")
_SESSION = re.compile(rf"(?:直播|开播)?时间[ \t]*[:：][ \t]*{_CLOCK}(?:{_DASH}{_CLOCK})?")
_BRACKET = re.compile(r"[【\[（(]([^】\]）)\n]{1,80})[】\]）)]")
_LABEL = re.compile("^[ \t\ue000]*([^\\s:：【\\[（(\ue000]{1,8})[ \t]*[:：]")
HEADING_CHARS = 12  # the rest of a clock-marker line up to this long, unpunctuated, is a title
_TAG = re.compile(r"</?[a-zA-Z][^>\n]{0,40}>")


@dataclass
class Segment:
    """A stretch of a live script with a wall-clock time (minutes after midnight)."""

    clock_start: int
    clock_end: int | None
    start: int  # offsets in the script text
    end: int


@dataclass
class Script:
    doc: Document
    text: str  # the original text
    scored: str  # same length; everything that is neither spoken nor shown is MASK
    spoken: list[bool]  # per character: counted as speech (captions are not)
    cues_ms: list[tuple[int, int, int, int]] = field(default_factory=list)  # (start_ms, end_ms, start, end)
    segments: list[Segment] = field(default_factory=list)
    session: tuple[int, int | None] | None = None
    headings: list[tuple[int, int]] = field(default_factory=list)  # titles: not said, but name a part
    timing_problem: str | None = None  # why the SRT timing was not used (``line: why``)

    def __post_init__(self):
        self._heading = bytearray(len(self.text))
        for s, e in self.headings:
            self._heading[s:e] = b"\x01" * (e - s)

    def in_heading(self, offset: int) -> bool:
        return 0 <= offset < len(self._heading) and self._heading[offset] == 1

    @functools.cached_property
    def counted_positions(self) -> list[int]:
        """Offsets of the characters said or shown (not headings), in reading order."""
        return [i for i, c in enumerate(self.scored) if c != MASK and not self._heading[i] and _COUNTED.match(c)]

    @functools.cached_property
    def spoken_chars(self) -> int:
        return sum(1 for i in self.counted_positions if self.spoken[i])

    @property
    def is_srt(self) -> bool:
        return bool(self.cues_ms)

    @property
    def duration_ms(self) -> int | None:
        """Length of an SRT script: the end of its last cue."""
        return max(e for _, e, _, _ in self.cues_ms) if self.cues_ms else None

    def sentences(self) -> list[tuple[int, int]]:
        """Spans of sentences with at least two counted characters (cues break sentences too)."""
        bounds = {0, len(self.scored)}
        for m in _SENTENCE_END.finditer(self.scored):
            bounds.update((m.start(), m.end()))
        for _, _, s, e in self.cues_ms:
            bounds.update((s, e))
        for s, e in self.headings:
            bounds.update((s, e))
        cuts = sorted(bounds)
        out = []
        for s, e in zip(cuts, cuts[1:]):
            chunk = self.scored[s:e]
            if not self.in_heading(s) and sum(1 for c in chunk if c != MASK and _COUNTED.match(c)) >= 2:
                out.append((s, e))
        return out

    def window_spans(self, seconds: float, chars: int) -> list[tuple[int, int]]:
        """The opening: the exact first ``seconds`` of an SRT (a straddling cue contributes the
        share of its characters spoken before the limit), else the first ``chars`` counted
        characters."""
        if self.cues_ms:
            limit = seconds * 1000
            spans = []
            for start_ms, end_ms, s, e in sorted(self.cues_ms):
                if start_ms >= limit:
                    break
                pos = [i for i in range(s, e) if self.scored[i] != MASK and _COUNTED.match(self.scored[i])]
                if not pos:
                    continue
                share = 1.0 if end_ms <= limit else (limit - start_ms) / max(1, end_ms - start_ms)
                n = max(1, math.ceil(len(pos) * share))
                spans.append((pos[0], pos[n - 1] + 1))
            return spans
        pos = self.counted_positions[:chars]
        return [(pos[0], pos[-1] + 1)] if pos else []

    def minute_at(self, offset: int) -> float | None:
        """Minutes after the start of the session at which ``offset`` is said, if known."""
        if self.cues_ms:
            for start_ms, end_ms, s, e in self.cues_ms:
                if s <= offset < e or (offset < s):
                    share = 0 if offset < s else (offset - s) / max(1, e - s)
                    return (start_ms + share * (end_ms - start_ms)) / 60000
            return self.duration_ms / 60000 if self.duration_ms else None
        if self.segments:
            first = self.segments[0].clock_start
            for seg in self.segments:
                if seg.start <= offset < seg.end:
                    end = seg.clock_end if seg.clock_end is not None else seg.clock_start
                    share = (offset - seg.start) / max(1, seg.end - seg.start)
                    return seg.clock_start - first + share * (end - seg.clock_start)
        return None


def read_script(doc: Document, lexicon: Lexicon, start_clock: int | None = None) -> Script:
    """Mask markup, classify captions, collect SRT timings and clock markers."""
    text = doc.text
    chars = list(doc.check_text)
    spoken = [True] * len(chars)
    stage = lexicon["stage"].entries
    direction = tuple(stage["direction"].terms)
    caption = tuple(stage["caption"].terms)
    speaker = tuple(stage["speaker"].terms)

    def mask(s: int, e: int) -> None:
        for i in range(s, e):
            if chars[i] not in "\r\n":
                chars[i] = MASK

    def not_spoken(s: int, e: int) -> None:
        for i in range(s, e):
            spoken[i] = False

    markers: list[tuple[int, int, int | None]] = []  # (line start, clock start, clock end)
    headings: list[tuple[int, int]] = []
    session = None
    pos = 0
    for line in lf_text(text).split("\n"):  # \r\n and \r end lines too; same offsets
        ls, le = pos, pos + len(line)
        pos = le + 1
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            hashes = len(line) - len(line.lstrip().lstrip("#"))
            mask(ls, ls + hashes)
            headings.append((ls, le))
            continue
        if doc.kind != "srt":
            m = _SESSION.search(line)
            if m and session is None:
                session = _clock_pair(m.groups())
                mask(ls, le)
                continue
            m = _MARKER.match(line)
            if m:
                cs, ce = _clock_pair(m.groups())
                markers.append((ls, cs, ce))
                mask(ls, ls + m.end())
                rest = line[m.end():]
                if len(_COUNTED.findall(rest)) <= HEADING_CHARS and not _SENTENCE_END.search(rest) \
                        and not re.search(r"[，,。]", rest):
                    headings.append((ls + m.end(), le))
        for m in _TAG.finditer(line):
            mask(ls + m.start(), ls + m.end())
        for m in _BRACKET.finditer(line):
            inner = m.group(1).strip().lower()
            if inner.startswith(direction):
                mask(ls + m.start(), ls + m.end())
            elif inner.startswith(caption):
                label = re.match(r"\s*(?:{})\s*[:：]?".format("|".join(map(re.escape, caption))), m.group(1), re.I)
                mask(ls + m.start(), ls + m.start(1) + label.end())
                mask(ls + m.end() - 1, ls + m.end())
                not_spoken(ls + m.start(), ls + m.end())
            elif inner.startswith(speaker) and len(inner) <= 8:
                mask(ls + m.start(), ls + m.end())
        m = _LABEL.match("".join(chars[ls:le]))
        if m:
            label = m.group(1).strip().lower()
            if label.startswith(direction):
                mask(ls, le)
            elif label.startswith(caption):
                mask(ls, ls + m.end())
                not_spoken(ls, le)
            elif label.startswith(speaker):
                mask(ls, ls + m.end())
    for s, e in headings:
        not_spoken(s, e)
    script = Script(doc=doc, text=text, scored="".join(chars), spoken=spoken, session=session, headings=headings)
    script.timing_problem = _timing_problem(doc)
    if script.timing_problem is None:
        script.cues_ms = [(c.start_ms, c.end_ms, c.start, c.end) for c in doc.cues]
    script.segments = _segments(markers, len(text), session, start_clock, script)
    return script


def _timing_problem(doc: Document) -> str | None:
    """``line: why`` when the SRT timing cannot be taken at face value: a cue that ends before
    it starts, or one that starts before the cue above it. Durations, speaking rate and the
    hook window would all come out wrong (a reversed cue made the speech last 0 s), so the
    script is then timed from its characters, as a script without timings is."""
    previous = None
    for cue in doc.cues:
        line = doc.text.count("\n", 0, cue.start)  # the timing line, just above the cue's text
        if cue.end_ms < cue.start_ms:
            return (f"{line}: the cue ends ({_srt_time(cue.end_ms)}) before it starts ({_srt_time(cue.start_ms)}); "
                    "the SRT timing is not used, the length is estimated from the characters")
        if previous is not None and cue.start_ms < previous.start_ms:
            return (f"{line}: the cue starts ({_srt_time(cue.start_ms)}) before the cue above it "
                    f"({_srt_time(previous.start_ms)}); the SRT timing is not used, the length is estimated "
                    "from the characters")
        previous = cue
    return None


def _srt_time(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _clock_pair(groups) -> tuple[int, int | None]:
    h1, m1, h2, m2 = groups
    start = int(h1) * 60 + int(m1)
    end = int(h2) * 60 + int(m2) if h2 is not None else None
    if end is not None and end <= start:
        end += 24 * 60  # past midnight
    return start, end


def _segments(markers, length: int, session, start_clock: int | None, script: Script) -> list[Segment]:
    """Timed stretches: clock markers; else the SRT in 15-minute chunks or the whole text from a
    session time or ``--start``."""
    segments: list[Segment] = []
    if markers:
        offset = 0
        prev = None
        for i, (ls, cs, ce) in enumerate(markers):
            cs += offset
            if prev is not None and cs < prev:
                offset += 24 * 60
                cs += 24 * 60
            prev = cs
            end = markers[i + 1][0] if i + 1 < len(markers) else length
            segments.append(Segment(cs, None if ce is None else ce + offset, ls, end))
        for a, b in zip(segments, segments[1:]):
            if a.clock_end is None:
                a.clock_end = b.clock_start
        last = segments[-1]
        if last.clock_end is None and session and session[1] is not None:
            last.clock_end = session[1]
        return segments
    clock = start_clock if start_clock is not None else (session[0] if session else None)
    if clock is None:
        return []
    if script.cues_ms:
        chunk_ms = 15 * 60000
        groups: dict[int, list] = {}
        for cue in script.cues_ms:
            groups.setdefault(cue[0] // chunk_ms, []).append(cue)
        for _, cues in sorted(groups.items()):
            segments.append(Segment(clock + cues[0][0] // 60000, clock + max(c[1] for c in cues) // 60000,
                                    cues[0][2], cues[-1][3]))
        return segments
    end = session[1] if session and session[1] is not None and start_clock is None else None
    return [Segment(clock, end, 0, length)]
