"""Word classes for slot rules (``{diseases}``, ``{efficacy_verbs}``): named lists of words,
one YAML file each, defined once and used by any rule of any pack.

A file holds ``lexicon`` (the name rules write in braces), ``title``, ``description`` (what
belongs in the class and what deliberately does not), ``source`` and ``entries``. The built-in
classes sit in ``rules/lexicons/``; a pack directory given with ``--pack`` may have its own
``lexicons/`` folder, and a class file may also be given with ``--pack`` directly.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from compliance_guard.load import yamlpos

KEYS = {"lexicon", "title", "description", "source", "entries"}
NAME = "lexicon"


class WordClassError(Exception):
    """A word-class file that cannot be used: one line naming the file and line."""


@dataclass(frozen=True)
class WordClass:
    name: str
    entries: tuple[str, ...]
    file: str
    line: int
    title: str = ""


def is_word_class(data) -> bool:
    """Whether a loaded YAML mapping is a word-class file rather than a rule pack."""
    return isinstance(data, yamlpos.PosDict) and NAME in data and "rules" not in data


def parse(data, file: str) -> WordClass:
    for key in data:
        if key not in KEYS:
            raise WordClassError(f"{file}:{data.key_lines.get(key, data.line)}: unknown key {key!r} in a word class "
                                 f"(allowed: {', '.join(sorted(KEYS))})")
    name = data.get(NAME)
    if not isinstance(name, str) or not (name.isascii() and name.isidentifier()):
        raise WordClassError(f"{file}:{data.line}: lexicon must be a name of ASCII letters, digits and _ (rules write {{name}})")
    entries = data.get("entries")
    line = data.key_lines.get("entries", data.line)
    if not isinstance(entries, list) or not entries:
        raise WordClassError(f"{file}:{line}: entries must be a non-empty list of words")
    words = []
    for item in entries:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
            raise WordClassError(f"{file}:{line}: entries: {item!r} is not a word (quote yes/no/on/off)")
        words.append(str(item).strip())
    return WordClass(name, tuple(dict.fromkeys(words)), file, data.line, str(data.get("title", "")))


def read(path: Path):
    """The YAML mapping of ``path`` (a pack or a word class), with its lines."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WordClassError(f"{path}:0: cannot read: {exc}") from None
    try:
        return yamlpos.loads(text, str(path), fast=True)
    except yamlpos.YamlError as exc:
        raise WordClassError(str(exc)) from None


def load(paths: Iterable[Path]) -> dict[str, WordClass]:
    """The word classes of ``paths``; a name defined twice is an error naming both files."""
    out: dict[str, WordClass] = {}
    for path in paths:
        wc = parse(read(path), str(path))
        if wc.name in out:
            raise WordClassError(f"{wc.file}:{wc.line}: word class {wc.name!r} is also defined in {out[wc.name].file}")
        out[wc.name] = wc
    return out
