"""Subtitles: how narration's text is split into lines (one rule, used for the cues of the narration
and for the teleprompter lines of an estimated timeline), and the SubRip and WebVTT files."""

from __future__ import annotations

from typing import Final

from deliver.model import Cue, Language
from deliver.speech import clauses, pack, sentences

SUBTITLE_MAX: Final = {"zh": 24, "en": 64}
"""Longest subtitle line, in characters (a long sentence is split at clauses)."""


def subtitle_spans(text: str, language: Language) -> list[tuple[int, int]]:
    """Character spans for subtitles: sentences, long ones packed from clauses."""
    spans: list[tuple[int, int]] = []
    at = 0
    for sentence in sentences(text):
        for line in pack(clauses(sentence), SUBTITLE_MAX[language], len):
            if line.strip():
                lead = len(line) - len(line.lstrip())
                spans.append((at + lead, at + len(line.rstrip())))
            at += len(line)
    return spans


def subtitle_lines(text: str, language: Language) -> list[str]:
    """`text` in the lines narration's subtitles use (the text of each of `subtitle_spans`)."""
    return [text[start:end] for start, end in subtitle_spans(text, language)]


def _stamp(seconds: float, separator: str) -> str:
    ms = max(0, round(seconds * 1000))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def srt(cues: list[Cue]) -> str:
    """SubRip text for `cues`."""
    blocks = [
        f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{_srt_text(c.text)}\n" for i, c in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def _srt_text(text: str) -> str:
    """SubRip has no escapes and players read <b>, <i>, <font …> as markup: angle brackets become their
    full-width forms (what a Chinese text would use anyway), and a blank line, which ends a cue, goes."""
    text = text.replace("<", "\uff1c").replace(">", "\uff1e")
    return "\n".join(line for line in text.split("\n") if line.strip()) or " "


def vtt(cues: list[Cue]) -> str:
    """WebVTT text for `cues`, with a timestamp tag before each timed word (karaoke-style word timing)."""
    blocks = [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{_timed_words(c)}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def _timed_words(cue: Cue) -> str:
    text = _vtt_escape(cue.text)
    if not cue.words:
        return text
    pieces, at = [], 0
    for seconds, offset in cue.words:
        pieces.append(_vtt_escape(cue.text[at:offset]))
        pieces.append(f"<{_stamp(seconds, '.')}>")
        at = offset
    pieces.append(_vtt_escape(cue.text[at:]))
    return "".join(pieces)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
