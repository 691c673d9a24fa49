"""Keyword lexicons for the scorers (hooks, emotion, calls to action, live phases, content
classes …), loaded from YAML and matched on normalised text.

A lexicon file has fixed sections; each section maps a class name to ``label``, ``credit``
(what finding this class is worth to its sub-score, 0–100), ``terms`` (literal, written in
simplified Chinese, lower-case Latin) and ``patterns`` (regex over the normalised text, the
same convention as rule packs). Class order in a section is meaningful where a scorer says so
(live phases are expected in file order).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick_rs
import regex

from compliance_guard.load import yamlpos
from compliance_guard.load.profiles import Profile, ProfileError
from compliance_guard.load.yamlpos import PosDict, YamlError
from compliance_guard.text.normalize import fold_term, normalize

SECTIONS = {
    "hook": "opening hook types (benefit points first)",
    "emotion": "emotional pull",
    "cta": "calls to action / interaction guidance",
    "density": "specific information: numbers with units, specs, materials, scenes",
    "phases": "livestream phases, in their expected order",
    "retention": "livestream retention hooks (抽免单, 福袋 …)",
    "timing": "what a live segment is about: promotion vs knowledge",
    "stage": "script markup: stage directions, on-screen captions, speaker labels",
    "content": "content classes for the content calendar",
    "format": "content formats (live)",
}
REQUIRED_CLASSES = {"timing": ("promotion", "knowledge"), "stage": ("direction", "caption", "speaker"),
                    "format": ("live",)}
ENTRY_KEYS = {"label", "credit", "terms", "patterns", "note"}
TOP_KEYS = {"lexicon", "title", "source", *SECTIONS}
PATTERN_TIMEOUT = 1.0


@dataclass
class Match:
    cls: str
    label: str
    credit: float
    start: int  # offsets in the ORIGINAL text
    end: int
    text: str


@dataclass
class Entry:
    label: str
    credit: float
    terms: list[str] = field(default_factory=list)
    patterns: list[regex.Pattern] = field(default_factory=list)


class Section:
    """One lexicon section compiled into an automaton (terms) plus regexes (patterns)."""

    def __init__(self, name: str, entries: dict[str, Entry]):
        self.name = name
        self.entries = entries
        self._automaton = None
        table: dict[str, list[str]] = {}
        for cls, entry in entries.items():
            for term in entry.terms:
                key = normalize(term).text
                if key:
                    table.setdefault(key, []).append(cls)
        self._classes = [tuple(dict.fromkeys(classes)) for classes in table.values()]
        if table:
            self._automaton = ahocorasick_rs.AhoCorasick(list(table))

    @property
    def classes(self) -> list[str]:
        return list(self.entries)

    def find(self, text: str, norm=None) -> list[Match]:
        """Non-overlapping matches in ``text`` (longest first at each place), original offsets."""
        norm = norm or normalize(text)
        raw: list[tuple[int, int, str]] = []
        if self._automaton is not None:
            for key, start, end in self._automaton.find_matches_as_indexes(norm.text, overlapping=True):
                for cls in self._classes[key]:
                    raw.append((start, end, cls))
        for cls, entry in self.entries.items():
            for pattern in entry.patterns:
                try:
                    for m in pattern.finditer(norm.text, timeout=PATTERN_TIMEOUT):
                        if m.end() > m.start():
                            raw.append((m.start(), m.end(), cls))
                except TimeoutError:
                    continue
        taken = bytearray(len(norm.text))
        out: list[Match] = []
        for s, e, cls in sorted(raw, key=lambda r: (-(r[1] - r[0]), r[0])):
            if any(taken[s:e]):
                continue
            taken[s:e] = b"\x01" * (e - s)
            os_, oe = norm.span(s, e)
            entry = self.entries[cls]
            out.append(Match(cls, entry.label, entry.credit, os_, oe, norm.original[os_:oe]))
        return sorted(out, key=lambda m: (m.start, m.end))


@dataclass
class Lexicon:
    name: str
    path: str
    sections: dict[str, Section]

    def __getitem__(self, section: str) -> Section:
        return self.sections[section]


def lexicons_dir() -> Path:
    from compliance_guard.load.profiles import profiles_dir

    return profiles_dir() / "lexicons"


def lexicon_for(profile: Profile) -> Lexicon:
    ref = profile.lexicon
    if ref.endswith((".yaml", ".yml")) or "/" in ref:
        p = Path(ref)
        if not p.is_absolute() and profile.lexicon_base and not p.exists():
            p = Path(profile.lexicon_base) / p
    else:
        p = lexicons_dir() / f"{ref}.yaml"
    return load_lexicon(str(p))


@functools.lru_cache(maxsize=8)
def load_lexicon(path: str) -> Lexicon:
    """Parse and validate a lexicon file; errors are ``file:line: ...`` ProfileErrors."""
    p = Path(path)
    if not p.is_file():
        raise ProfileError(f"{path}: lexicon not found")
    try:
        data, _ = yamlpos.load(p)
    except YamlError as exc:
        raise ProfileError(str(exc)) from None
    if not isinstance(data, PosDict):
        raise ProfileError(f"{path}:1: a lexicon must be a mapping with sections {', '.join(SECTIONS)}")
    for k in data:
        if k not in TOP_KEYS:
            raise ProfileError(f"{path}:{data.key_lines[k]}: unknown key {k!r} (sections: {', '.join(SECTIONS)})")
    sections: dict[str, Section] = {}
    for name in SECTIONS:
        raw = data.get(name)
        if not isinstance(raw, PosDict) or not raw:
            raise ProfileError(f"{path}:{data.key_lines.get(name, 1)}: section {name!r} missing or empty ({SECTIONS[name]})")
        entries = {str(cls): _entry(entry, f"{name}.{cls}", path, raw.key_lines[cls]) for cls, entry in raw.items()}
        for cls in REQUIRED_CLASSES.get(name, ()):
            if cls not in entries:
                raise ProfileError(f"{path}:{data.key_lines[name]}: section {name!r} needs a class {cls!r}")
        sections[name] = Section(name, entries)
    return Lexicon(name=str(data.get("lexicon", p.stem)), path=path, sections=sections)


def _entry(raw, where: str, path: str, line: int) -> Entry:
    if not isinstance(raw, PosDict):
        raise ProfileError(f"{path}:{line}: {where}: expected a mapping with terms and/or patterns")
    for k in raw:
        if k not in ENTRY_KEYS:
            raise ProfileError(f"{path}:{raw.key_lines[k]}: unknown key {where}.{k} (allowed: {', '.join(sorted(ENTRY_KEYS))})")
    credit = raw.get("credit", 100)
    if not isinstance(credit, (int, float)) or isinstance(credit, bool) or not 0 <= credit <= 100:
        raise ProfileError(f"{path}:{raw.key_lines.get('credit', line)}: {where}.credit: expected a number 0-100")
    terms = raw.get("terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, (str, int, float)) for t in terms):
        raise ProfileError(f"{path}:{raw.key_lines.get('terms', line)}: {where}.terms: expected a list of strings")
    patterns = []
    raw_patterns = raw.get("patterns", [])
    if not isinstance(raw_patterns, list):
        raise ProfileError(f"{path}:{raw.key_lines.get('patterns', line)}: {where}.patterns: expected a list of regexes")
    for i, pat in enumerate(raw_patterns):
        pline = raw_patterns.item_lines[i] if hasattr(raw_patterns, "item_lines") else line
        if not isinstance(pat, str) or not pat:
            raise ProfileError(f"{path}:{pline}: {where}.patterns: expected a non-empty regex string")
        try:
            patterns.append(regex.compile(pat, regex.V0 | regex.IGNORECASE))
        except regex.error as exc:
            raise ProfileError(f"{path}:{pline}: {where}.patterns: invalid regex {pat!r}: {exc}") from None
    if not terms and not patterns:
        raise ProfileError(f"{path}:{line}: {where}: needs terms or patterns")
    return Entry(label=str(raw.get("label", where)), credit=float(credit),
                 terms=[fold_term(str(t)) for t in terms if str(t).strip()], patterns=patterns)
