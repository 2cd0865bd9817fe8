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
    os.environ["DELIVER_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))  # no kokoro voice unless a test installs one


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def kokoro_voice_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kokoro's voices installed the way users install them: from npm (kokoro-js@1.2.1), or from the
    tarball named by $KOKORO_JS_TGZ on a machine without npm."""
    import shutil

    pytest.importorskip("onnxruntime", reason="the kokoro extra is not installed: pip install -e .[kokoro]")
    from deliver.voices import kokoro_voices

    folder = tmp_path_factory.mktemp("kokoro-voices")
    tarball = os.environ.get("KOKORO_JS_TGZ")
    if not tarball and shutil.which("npm") is None:
        pytest.skip("npm is absent and $KOKORO_JS_TGZ is not set: Kokoro's voices cannot be installed")
    kokoro_voices.install(Path(tarball) if tarball else None, folder)
    return folder
