"""The whole-speech mp3 from the section mp3s, frame by frame, without encoding the speech twice; and a
section's mp3 split into clips the same way.

Each section file is LAME-encoded on its own, so it starts with a fresh bit reservoir and its audio
frames can follow another file's. Concatenated, a file's samples are all heard: its encoder delay
(silence before the first real sample) and end padding included; the file's LAME tag says how many
frames it has and how long its delay is, so where every section begins in the joined track is known
to the sample. A second full encode of the speech (15 hours for a 220,000-字 speech) is saved.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Final

from deliver.errors import MissingTool
from deliver.files import publish_mode

_BITRATES_LSF: Final = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
"""kbit/s by index, MPEG-2/2.5 Layer III (what 24 kHz mono is)."""
_RATES: Final = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
"""Sample rates by MPEG version bits and index."""
DECODER_DELAY: Final = 529
"""Samples an mp3 decoder outputs before the encoder's own delay ends (LAME's convention: 528 + 1)."""
_INFO_KBPS: Final = 64
"""Bit rate index of the Info frame: at 24 kHz a 48 kbit/s frame (144 bytes) cannot hold the tag (168)."""
_SIDE_INFO: Final = 9
"""Bytes of Layer III side information in an MPEG-2 mono frame (the Info tag follows them)."""


@dataclass(frozen=True)
class Frames:
    """The audio frames of one mp3 file, as they would be heard in a stream."""

    audio: memoryview
    """Frame bytes after the tag and the LAME/Info frame (a view of the file read whole: never copied)."""
    count: int
    samples_per_frame: int
    sample_rate: int
    delay: int
    """Encoder delay from the LAME tag; the source's first sample is heard `delay + DECODER_DELAY` samples in."""
    size: int = 0
    """Bytes of an audio frame when all have the same size (a CBR bit rate that divides evenly), else 0."""

    @property
    def seconds(self) -> float:
        """How long the frames play, delay and padding included."""
        return self.count * self.samples_per_frame / self.sample_rate


def frames(path: Path) -> Frames:
    """Read an mp3 written by our encoder (ID3v2, a LAME Info frame, CBR Layer III). Raises MissingTool."""
    data = path.read_bytes()
    start = 0
    if data[:3] == b"ID3":
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        start = 10 + size + (10 if data[5] & 0x10 else 0)
    header = int.from_bytes(data[start : start + 4], "big")
    if header >> 21 != 0x7FF or (header >> 17) & 3 != 1:
        raise MissingTool(f"{path.name}: not the Layer III mp3 our encoder writes")
    version, rate_index = (header >> 19) & 3, (header >> 10) & 3
    rate = _RATES[version][rate_index]
    lsf = version != 3
    bitrate = _BITRATES_LSF[(header >> 12) & 15] * 1000 if lsf else 0
    length = (72 if lsf else 144) * bitrate // rate + ((header >> 9) & 1)
    per_frame = 576 if lsf else 1152
    info = max(data.find(b"Info", start, start + 40), data.find(b"Xing", start, start + 40))
    if info < 0 or not lsf:
        raise MissingTool(f"{path.name}: has no LAME Info frame (our encoder writes one)")
    flags = int.from_bytes(data[info + 4 : info + 8], "big")
    count = int.from_bytes(data[info + 8 : info + 12], "big") if flags & 1 else 0
    lame = info + 8 + 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4) + 4 * bool(flags & 8)
    delay = int.from_bytes(data[lame + 21 : lame + 24], "big") >> 12
    end = len(data) - 128 if data[-128:-125] == b"TAG" else len(data)  # an ID3v1 tag at the end is not audio
    audio = memoryview(data)[start + length : end]
    size = _even_size(audio, rate, lsf)
    return Frames(audio, count, per_frame, rate, delay, size)


def info_frame(first: bytes, count: int, audio_bytes: int, delay: int, padding: int) -> bytes:
    """The LAME Info frame (Xing header and LAME tag) that opens a CBR MPEG-2 mono file whose first audio frame
    header is `first` and whose `count` audio frames take `audio_bytes`: players take the length from it, and
    ffmpeg (hence Chromium) and gapless players drop `delay` samples at the start and `padding` at the end.
    The music CRC is left 0 (decoders do not require it; CRC-16 over hours of audio in Python would cost more
    than the encoding); the tag's own CRC is set as ffmpeg's muxer sets it."""
    header = int.from_bytes(first[:4], "big")
    if header >> 21 != 0x7FF or (header >> 19) & 3 != 2 or (header >> 6) & 3 != 3:
        raise ValueError("an Info frame is made only for MPEG-2 mono Layer III")
    rate, bitrate = _RATES[2][(header >> 10) & 3], _BITRATES_LSF[(header >> 12) & 15]
    header = (header & ~(0xF << 12) & ~(1 << 9)) | (_BITRATES_LSF.index(_INFO_KBPS) << 12)
    frame = bytearray(72 * _INFO_KBPS * 1000 // rate)
    frame[:4] = header.to_bytes(4, "big")
    total = len(frame) + audio_bytes
    toc = bytes(i * 256 // 100 for i in range(100))  # CBR: byte offset grows linearly with time
    tag = b"Info" + (15).to_bytes(4, "big") + count.to_bytes(4, "big") + total.to_bytes(4, "big") + toc
    tag += bytes(4)  # quality
    lame = b"LAME3.100" + bytes([0x01, 0]) + bytes(8) + bytes([0, min(bitrate, 255)])
    lame += ((delay << 12) | padding).to_bytes(3, "big") + bytes(4) + total.to_bytes(4, "big") + bytes(2)
    at = 4 + _SIDE_INFO
    frame[at : at + len(tag) + len(lame)] = tag + lame
    end = at + len(tag) + len(lame)
    frame[end : end + 2] = _crc16(bytes(frame[:190])).to_bytes(2, "big")
    return bytes(frame)


def _crc16(data: bytes) -> int:
    """CRC-16/ARC, as the LAME tag's own checksum is computed (over the frame's first 190 bytes)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _even_size(audio: memoryview, rate: int, lsf: bool) -> int:
    """The size every audio frame has when the bit rate gives whole frames (no padding bit), else 0."""
    if len(audio) < 4 or not lsf:
        return 0
    header = int.from_bytes(audio[:4], "big")
    bitrate = _BITRATES_LSF[(header >> 12) & 15] * 1000
    size, remainder = divmod(72 * bitrate, rate)
    return size if size and not remainder and not (header >> 9) & 1 and len(audio) % size == 0 else 0


def split(source: Path, cuts: list[float], folder: Path, prefix: str) -> list[Path] | None:
    """`source` (written by our encoder) split at `cuts` (seconds of its audio as heard, increasing) into
    len(cuts) + 1 files `folder/<prefix>-NNNN.mp3` of its frames that tile it, each cut at the frame
    boundary nearest to it (±half a frame: 12 ms at 24 kHz). No decoding and no ffmpeg: a long section is
    split in the time it takes to copy it. None when its frames differ in size or two cuts fall on one
    frame boundary (then cut it another way)."""
    source_frames = frames(source)
    size, audio = source_frames.size, source_frames.audio
    lead = source_frames.delay + DECODER_DELAY
    per_frame, rate = source_frames.samples_per_frame, source_frames.sample_rate
    bounds = [0, *(round((t * rate + lead) / per_frame) * size for t in cuts), len(audio)]
    if not size or any(b <= a for a, b in pairwise(bounds)) or bounds[-2] >= len(audio):
        return None
    if any(audio[b : b + 4] != audio[:4] for b in bounds[1:-1]):
        return None  # not the frame headers an even CBR stream has at those offsets
    paths = [folder / f"{prefix}-{i:04d}.mp3" for i in range(len(cuts) + 1)]
    for path, (a, b) in zip(paths, pairwise(bounds), strict=True):
        path.write_bytes(audio[a:b])
    return paths


def join(parts: list[Path], gap: Path, path: Path) -> list[float]:
    """Write `path` as `parts` with `gap`'s frames between them; returns where each part's first source
    sample is heard in it (seconds). Written to a temp name and renamed."""
    silence = frames(gap)
    tmp = path.with_name(f".{path.name}.tmp")
    starts: list[float] = []
    at = 0.0
    try:
        with tmp.open("wb") as out:
            for i, part in enumerate(parts):
                if i:
                    out.write(silence.audio)
                    at += silence.seconds
                piece = frames(part)
                starts.append(at + (piece.delay + DECODER_DELAY) / piece.sample_rate)
                out.write(piece.audio)
                at += piece.seconds
        publish_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return starts
