from __future__ import annotations

import sys
from pathlib import Path

import pytest

import decision


@pytest.fixture(scope="session")
def fine_tuning() -> decision.Checklist:
    return decision.load_checklist("fine-tuning")


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))  # the hooks' plain functions, importable without MkDocs


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The decision wheel, built exactly as the site build builds it."""
    from site_runtime import build_wheel

    return build_wheel(ROOT, tmp_path_factory.mktemp("cache")).path
