from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"
SPEECHES = Path(__file__).resolve().parent / "speeches"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never write into the user's real cache folder nor read the user's own settings."""
    os.environ["DELIVER_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["DELIVER_CONFIG_DIR"] = str(tmp_path_factory.mktemp("config"))


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE
