"""Shared fixtures: the repository layout and the engine over the fixture pack."""
from __future__ import annotations

from pathlib import Path

import pytest

from compliance_guard.engine import Engine
from compliance_guard.packs import load_packs

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURE_PACK = REPO / "tests" / "fixtures" / "engine-pack.yaml"


@pytest.fixture(scope="session")
def fixture_engine() -> Engine:
    return Engine(load_packs([FIXTURE_PACK], builtin=False))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when a user's clone has none."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available (only in the development workspace)")
    return path
