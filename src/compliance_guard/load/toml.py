"""``[tool.cguard]`` in pyproject.toml: TOML parsers keep no positions, so the lines of its
keys and tables are found by scanning the text, and config errors name lines as they do for
YAML."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from compliance_guard.load.positions import PosDict, PosList


class TomlError(Exception):
    """A pyproject.toml that cannot be read as a config, as one ``file:line`` line."""


def load_toml(path: Path) -> dict:
    """The ``[tool.cguard]`` table of a pyproject.toml, its tables and keys with their lines."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except OSError as exc:
        raise TomlError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TomlError(f"{path}: not UTF-8 (TOML must be UTF-8)") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = m.group(1) if m else text.count("\n") + 1
        raise TomlError(f"{path}:{line}: malformed TOML: {str(exc).split(' (at')[0]}") from None
    data = doc.get("tool", {}).get("cguard")
    if not isinstance(data, dict):
        raise TomlError(f"{path}: tool.cguard must be a table")
    return _with_lines(data, _toml_key_lines(text), ())


def _with_lines(value, lines: dict, scope: tuple):
    """TOML parsers keep no positions: attach the lines found by scanning the text to the
    tables, so errors name lines as they do for YAML."""

    if isinstance(value, dict):
        d = PosDict({k: _with_lines(v, lines, scope + (k,)) for k, v in value.items()})
        d.line = lines.get(scope, 0)
        d.key_lines = {k: lines.get(scope + (str(k).replace("_", "-"),), d.line) for k in value}
        d.spans = {}
        return d
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        items = PosList(_with_lines(v, lines, scope + (i,)) for i, v in enumerate(value))
        items.line = lines.get(scope, 0)
        items.item_lines = [lines.get(scope + (i,), items.line) for i in range(len(value))]
        items.spans = []
        return items
    return value


_TOML_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


def _toml_key_lines(text: str) -> dict:
    """(key path) -> line for the keys and tables under tool.cguard; array-of-table entries
    are numbered in order (``("per-file", 0, "files")``)."""
    lines: dict = {}
    scope: tuple | None = None
    arrays: dict[tuple, int] = {}
    for n, raw in enumerate(text.split("\n"), 1):
        m = _TOML_TABLE.match(raw)
        if m:
            parts = [x.strip().strip('"').strip("'").replace("_", "-")
                     for x in re.split(r"\s*\.\s*", m.group(2))]
            if parts[:2] != ["tool", "cguard"]:
                scope = None
                continue
            scope = tuple(parts[2:])
            if m.group(1) == "[[" and scope:
                arrays[scope] = arrays.get(scope, -1) + 1
                lines.setdefault(scope, n)
                scope = scope + (arrays[scope],)
            lines.setdefault(scope, n)
            continue
        k = _TOML_KEY.match(raw)
        if scope is not None and k:
            key = (k.group(1) or k.group(2) or k.group(3)).replace("_", "-")
            lines.setdefault(scope + (key,), n)
            # keys of an inline table on this line ({CFG001 = "info"}) sit on the same line
            for inner in re.findall(r"[{,]\s*\"?([A-Za-z0-9_-]+)\"?\s*=", raw[k.end():]):
                lines.setdefault(scope + (key, inner.replace("_", "-")), n)
    return lines
