"""Shared fixtures: the repository's paths, tiktoken's vocabularies from the cache `make python-deps`
writes (python/.venv/tiktoken-cache; tiktoken's own download is used when it is absent), and a real
sidecar process (see sidecar.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .sidecar import Sidecar, start_sidecar

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "test" / "vectors"
WIRE = REPO / "test" / "fixtures" / "wire"
_CACHE = REPO / "python" / ".venv" / "tiktoken-cache"
if "TIKTOKEN_CACHE_DIR" not in os.environ and _CACHE.is_dir():
    os.environ["TIKTOKEN_CACHE_DIR"] = str(_CACHE)


def vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sidecar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sidecar]:
    """One sidecar for the session, on the mock provider (no API keys)."""
    with start_sidecar(REPO, tmp_path_factory.mktemp("sidecar")) as running:
        yield running
