"""Structured checks: rules whose logic needs more than a term list.

A pack rule ``check: NAME`` calls the function registered here under NAME with the
ORIGINAL text and the Rule (whose ``options`` come from the YAML). Modules register on
import; ``load_all`` imports every check module once.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, Iterable

from ..findings import Finding

CheckFn = Callable[[str, "object"], Iterable[Finding]]
REGISTRY: dict[str, CheckFn] = {}


def register(name: str):
    def deco(fn: CheckFn) -> CheckFn:
        REGISTRY[name] = fn
        return fn

    return deco


def load_all() -> dict[str, CheckFn]:
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return REGISTRY
