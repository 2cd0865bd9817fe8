"""Audio stage: voiced sections (`SectionVoice`, given as values) → the package's audio: PCM joined
with pauses, mp3 per section and for the whole speech with chapters, subtitles, the soundtrack's cues;
video.mp4 from slide pictures and the show's audio (speech.mp3 with the silent holds inserted).

What the rest of deliver may use is named here; the modules behind it are the stage's own. Importing
it stays light: pydub and mutagen are loaded when audio is first decoded or tagged.
"""

from __future__ import annotations

from deliver.audio.mp3 import SectionAudio, cut_mp3, decoded_seconds, read_chapters, split_mp3
from deliver.audio.showaudio import Stretch, write_show_audio
from deliver.audio.soundtrack import Soundtrack, SoundtrackWriter, section_file, write_soundtrack
from deliver.audio.subtitles import SUBTITLE_MAX, srt, subtitle_lines, vtt
from deliver.audio.takes import Pauses, Said, SectionVoice, Take
from deliver.audio.video import Chapter, Still, SubtitleStyle, ffmpeg_exe, write_video

__all__ = [
    "SUBTITLE_MAX",
    "Chapter",
    "Pauses",
    "Said",
    "SectionAudio",
    "SectionVoice",
    "Soundtrack",
    "SoundtrackWriter",
    "Still",
    "Stretch",
    "SubtitleStyle",
    "Take",
    "cut_mp3",
    "decoded_seconds",
    "ffmpeg_exe",
    "read_chapters",
    "section_file",
    "split_mp3",
    "srt",
    "subtitle_lines",
    "vtt",
    "write_show_audio",
    "write_soundtrack",
    "write_video",
]
