"""The one YAML loader: safe-load semantics, remembering where each value sits, for one-line
``file:line`` errors; a key written twice is an error (YAML would keep the last one silently).

Profiles, lexicons, configs and campaign files are small, so the pure-Python SafeLoader is used:
its marks count code points, which lets a campaign finding point at ``text[start:end]`` of the
file exactly as a copy finding points into a script. Rule packs are read at every start and
need only lines: ``fast=True`` reads them with libyaml (where installed), mappings with their
lines, sequences as plain lists.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from compliance_guard.load.positions import PosDict, PosList


class YamlError(Exception):
    """A user-file problem, already formatted as ``file:line: message``."""


class _Loader(yaml.SafeLoader):
    pass


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


_MERGE = "tag:yaml.org,2002:merge"


def _mapping(loader, node):
    seen: dict = {}
    for key_node, _ in node.value:  # a key written twice: YAML would keep the last one silently
        if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
            continue
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise YamlError(f"{loader.name}:{line}: duplicate key {key!r} (also on line {seen[key]})")
        seen[key] = line
    loader.flatten_mapping(node)
    d = PosDict()
    d.line = node.start_mark.line + 1
    d.key_lines, d.spans = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise YamlError(f"{loader.name}:{key_node.start_mark.line + 1}: mapping keys must be plain scalars")
        d[key] = loader.construct_object(value_node, deep=True)
        d.key_lines[key] = key_node.start_mark.line + 1
        d.spans[key] = (value_node.start_mark.index, value_node.end_mark.index)
    return d


def _sequence(loader, node):
    items = PosList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    items.spans = [(child.start_mark.index, child.end_mark.index) for child in node.value]
    return items


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def loads(text: str, name: str, fast: bool = False):
    """Parse ``text``; malformed YAML raises YamlError naming ``name`` and the line."""
    loader = (_FastLoader if fast else _Loader)(text)
    loader.name = name
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"{name}:{line}: malformed YAML: {problem}") from None
    finally:
        loader.dispose()


def read_text(path: str | Path) -> str:
    """The decoded text of a user file, or YamlError naming it."""
    from compliance_guard.load.documents import DocumentError, decode

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise YamlError(f"{p}: {exc.strerror or exc}") from None
    try:
        return decode(data, str(p)).replace("\r\n", "\n").replace("\r", "\n")
    except DocumentError as exc:
        raise YamlError(str(exc)) from None


def load(path: str | Path):
    """Read and parse one YAML file; returns (data, text)."""
    text = read_text(path)
    return loads(text, str(path)), text


def line_of(container, key) -> int:
    """Line of ``key`` (mapping) or index (sequence) in ``container``, else its own line."""
    if isinstance(container, PosDict):
        return container.key_lines.get(key, container.line)
    if isinstance(container, PosList) and isinstance(key, int) and 0 <= key < len(container.item_lines):
        return container.item_lines[key]
    return getattr(container, "line", 0)


def plain(v):
    """Position-tracking containers -> plain dict/list (values compare and print normally)."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v
