"""Where the data shipped with cguard lives: rule packs, scoring profiles, lexicons."""
from __future__ import annotations

from pathlib import Path


def builtin_rules_dir() -> Path:
    """``rules/`` inside the installed wheel, or the repository's during development."""
    package = Path(__file__).resolve().parents[1]
    shipped = package / "rules"  # force-included into the wheel (pyproject.toml)
    return shipped if shipped.is_dir() else package.parents[1] / "rules"
