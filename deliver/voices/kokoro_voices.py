"""Kokoro's voices: which we offer, where they live, and installing them from npm, a .tgz or a folder.

The style vectors are not on PyPI; the npm package kokoro-js@1.2.1 (Apache-2.0) ships them as
`voices/<name>.bin` (510 × 256 float32). Each file we offer is checked against its sha256, so a
corrupt or foreign file is refused at install and again when it is loaded.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from deliver.errors import EngineUnavailable, OptionError
from deliver.files import write_bytes
from deliver.model import Language

NPM_PACKAGE: Final = "kokoro-js@1.2.1"
VOICE_BYTES: Final = 510 * 256 * 4
INSTALL_HINT: Final = "run: deliver voices install kokoro (needs npm), or --from kokoro-js-1.2.1.tgz"


@dataclass(frozen=True)
class KokoroVoice:
    name: str
    language: Language
    label: str
    sha256: str


CATALOGUE: Final = (
    KokoroVoice("zf_xiaoxiao", "zh", "Mandarin, female (default)", "03adb5d5e3ddd88b047954e974e651cb0a4b524c985057e5d872e962c7be1169"),
    KokoroVoice("zm_yunjian", "zh", "Mandarin, male", "de48a00bdbf3649f07162269a2b6e0513604389bfac8a2e6c75cb34b323ad6fa"),
    KokoroVoice("zm_yunxia", "zh", "Mandarin, male, younger", "6b2b8fc15b3df19a368daebe5c581c7fabf433ee5b8a17ffd6b3d723cff8936d"),
    KokoroVoice("zm_yunxi", "zh", "Mandarin, male", "7243892fb4e560d47014090ddf010f8b8b790f3c6b029ff82b2ac06aa4e27c8b"),
    KokoroVoice("zm_yunyang", "zh", "Mandarin, male, news-reader", "261e2c89470534dbbcb8fd98b8fdc495ec94063d9bb6c8277f7be43cccba3f42"),
    KokoroVoice("zf_xiaoyi", "zh", "Mandarin, female", "bc1555c5c486099196ac254bae5e0bb543c121952a3092f50b7d8724f1bc36b3"),
    KokoroVoice("af_heart", "en", "American English, female (default)", "d583ccff3cdca2f7fae535cb998ac07e9fcb90f09737b9a41fa2734ec44a8f0b"),
    KokoroVoice("am_michael", "en", "American English, male", "1d1f21dd8da39c30705cd4c75d039d265e9bc4a2a93ed09bc9e1b1225eb95ba1"),
    KokoroVoice("af_bella", "en", "American English, female", "f69d836209b78eb8c66e75e3cda491e26ea838a3674257e9d4e5703cbaf55c8b"),
    KokoroVoice("am_fenrir", "en", "American English, male", "c27989f741f7ee34d273a39d8a595cc0837d35f5ced9a29b7cc162614616df43"),
    KokoroVoice("bf_emma", "en", "British English, female", "669fe0647f9dd04fcab92f1439a40eeb4c8b4ab1f82e4996fe3d918ce4a63b73"),
    KokoroVoice("bm_george", "en", "British English, male", "c4b235a4c1f2cd3b939fed08b899ce9385638b763f7b73a59616c4fc9bd6c9bc"),
)  # fmt: skip
"""The voices we offer, defaults first. zf_xiaoni is left out on purpose: Whisper-base misread 36 % of it."""
BY_NAME: Final = {v.name: v for v in CATALOGUE}


def folder_in(voices: Path) -> Path:
    """Where Kokoro's voices live inside the folder of installed voices (`Folders.voices`)."""
    return voices / "kokoro"


def installed(folder: Path) -> list[KokoroVoice]:
    """Catalogue voices present in `folder` with the right size."""
    return [
        v
        for v in CATALOGUE
        if (folder / f"{v.name}.bin").is_file() and (folder / f"{v.name}.bin").stat().st_size == VOICE_BYTES
    ]


def read_voice(name: str, folder: Path) -> bytes:
    """A voice file's bytes, checked. Raises EngineUnavailable when missing or corrupt (with how to fix it)."""
    voice = BY_NAME[name]
    path = folder / f"{name}.bin"
    try:
        data = path.read_bytes()
    except OSError:
        raise EngineUnavailable(f"kokoro voice {name} is not installed; {INSTALL_HINT}") from None
    if hashlib.sha256(data).hexdigest() != voice.sha256:
        raise EngineUnavailable(
            f"kokoro voice file {path} is corrupt (sha256 differs); reinstall: deliver voices install kokoro"
        )
    return data


def install(source: Path | None, target: Path) -> list[str]:
    """Install every catalogue voice into `target` from `source` (a kokoro-js .tgz or a folder holding the .bin
    files), or from npm when None. Returns the names installed. Raises OptionError / EngineUnavailable with the fix."""
    with tempfile.TemporaryDirectory(prefix="deliver-kokoro-") as scratch:
        if source is None:
            source = _npm_pack(Path(scratch))
        files = _from_tgz(source) if source.is_file() else _from_folder(source)
        target.mkdir(parents=True, exist_ok=True)
        done = []
        for voice in CATALOGUE:
            data = files.get(voice.name)
            if data is None:
                continue
            if hashlib.sha256(data).hexdigest() != voice.sha256:
                raise OptionError(
                    f"{source}: {voice.name}.bin is not the kokoro-js 1.2.1 voice (sha256 differs); nothing more installed"
                )
            write_bytes(target / f"{voice.name}.bin", data)
            done.append(voice.name)
    if not done:
        raise OptionError(
            f"{source}: holds none of Kokoro's voices (expected voices/zf_xiaoxiao.bin …, as in kokoro-js-1.2.1.tgz)"
        )
    return done


def _npm_pack(scratch: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise EngineUnavailable("npm is not installed here: install Node.js, or on a machine with npm run "
                                f"`npm pack {NPM_PACKAGE}` and here: deliver voices install kokoro --from kokoro-js-1.2.1.tgz")  # fmt: skip
    try:
        done = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--silent"], cwd=scratch, capture_output=True, text=True, timeout=600
        )
    except subprocess.TimeoutExpired:
        raise EngineUnavailable(f"npm pack {NPM_PACKAGE} timed out: is the npm registry reachable?") from None
    tarballs = sorted(scratch.glob("kokoro-js-*.tgz"))
    if done.returncode != 0 or not tarballs:
        reason = (done.stderr.strip().splitlines() or ["no tarball"])[-1][:200]
        raise EngineUnavailable(f"npm pack {NPM_PACKAGE} failed ({reason}); on a machine that reaches the npm registry "
                                "run it and here: deliver voices install kokoro --from kokoro-js-1.2.1.tgz")  # fmt: skip
    return tarballs[-1]


def _from_tgz(path: Path) -> dict[str, bytes]:
    try:
        with tarfile.open(path, "r:*") as archive:
            found = {}
            for member in archive.getmembers():
                name = Path(member.name).name
                if (
                    member.isfile()
                    and name.endswith(".bin")
                    and name[:-4] in BY_NAME
                    and "voices" in Path(member.name).parts
                ):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        found[name[:-4]] = handle.read()
            return found
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise OptionError(f"{path}: not a readable .tgz ({exc})") from None


def _from_folder(path: Path) -> dict[str, bytes]:
    if not path.is_dir():
        raise OptionError(f"{path}: no such file or folder")
    found = {}
    for voice in CATALOGUE:
        for candidate in (
            path / f"{voice.name}.bin",
            path / "voices" / f"{voice.name}.bin",
            path / "package" / "voices" / f"{voice.name}.bin",
        ):
            if candidate.is_file():
                found[voice.name] = candidate.read_bytes()
                break
    return found
