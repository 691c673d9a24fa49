"""Values read from a YAML or TOML file that remember where each item was written (the YAML
loader, load.yamlpos, makes them). Apart from the loader, so that holding one, as the options of
a cached engine's rules do, does not import a YAML parser."""
from __future__ import annotations


class PosDict(dict):
    """A mapping with the line of each key and the character span of each value."""

    line = 0
    key_lines: dict
    spans: dict


class PosList(list):
    """A sequence with the line and character span of each item."""

    line = 0
    item_lines: list
    spans: list
