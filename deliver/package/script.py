"""`script.html`: the speech as the speaker reads it from paper at the lectern — print-styled (A4, large
type), each slide's text under a slide-change mark with its planned start, section headings with their
time budget, pause marks where the narration pauses, no sentence split over two pages.

Paged media as Chromium prints it (measured with its print-to-PDF): `@page` margin boxes carry the page
number ("3 / 12"), and each section is a named page whose own margin box carries the section's running
time, so the foot of every page says where in the speech it is; `break-inside: avoid` on each sentence
(a block) keeps sentences whole. No script, no fetch: the page works offline and prints the same anywhere.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from deliver.files import write_text
from deliver.model import Speech
from deliver.speech import sentences

if TYPE_CHECKING:
    from deliver.package.rehearsal import Timeline
    from deliver.slides import Deck, SlideWindow
    from deliver.timing import Timing

SCRIPT: Final = "script.html"
WORDS: Final = {
    "zh": {"slide": "幻灯片", "from": "起", "budget": "时长", "pause": "停顿", "end": "讲话结束",
           "kinds": {"title": "封面", "agenda": "目录", "section": "篇章页", "closing": "结束页", "point": ""},
           "total": "全文", "page": "页"},
    "en": {"slide": "Slide", "from": "from", "budget": "budget", "pause": "pause", "end": "End of speech",
           "kinds": {"title": "title", "agenda": "agenda", "section": "divider", "closing": "closing", "point": ""},
           "total": "Total", "page": "page"},
}  # fmt: skip
SENTENCE_MARK: Final = "／"
"""After a sentence: the short pause the narration makes between sentences."""
POINT_MARK: Final = "‖"
"""After a point: the longer pause before the next slide."""


def clock(seconds: float) -> str:
    """Seconds as m:ss (h:mm:ss from an hour on)."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def write_script(
    folder: Path, speech: Speech, deck: Deck, timing: Timing, timeline: Timeline, windows: Sequence[SlideWindow]
) -> None:
    """Write `folder/script.html` (atomically)."""
    write_text(folder / SCRIPT, script_html(speech, deck, timing, timeline, windows))


def script_html(speech: Speech, deck: Deck, timing: Timing, timeline: Timeline, windows: Sequence[SlideWindow]) -> str:
    """The whole page: the template with the title, the per-section page rules and the body filled in."""
    words = WORDS["zh" if speech.language == "zh" else "en"]
    total = clock(timeline.duration)
    pages, body = [], []
    for index, section in enumerate(speech.sections):
        start, end = timeline.sections[index]
        foot = f"{section.title} · {words['from']} {clock(start)} · {words['budget']} {clock(end - start)} / {total}"
        pages.append(f"@page s{index} {{ @bottom-left {{ content: {_css_string(foot)}; }} }}")
        mine = [w for w in windows if w.section == index and (w.kind != "title" or index == 0)]
        body.append(_section_html(speech, deck, index, start, end, mine, words))
    template = files("deliver.package").joinpath("templates", SCRIPT).read_text(encoding="utf-8")
    filled = {
        "__LANG__": "zh-CN" if speech.language == "zh" else "en",
        "__TITLE__": html.escape(speech.title),
        "__TOTAL__": f"{words['total']} {total}",
        "__PAGES__": "\n".join(pages),
        "__BODY__": "\n".join(body).removesuffix("</section>")
        + f'<p class="end">{words["end"]} · {total}</p></section>',
    }
    for key, value in filled.items():
        template = template.replace(key, value)
    return template


def _section_html(
    speech: Speech, deck: Deck, index: int, start: float, end: float, windows: list[SlideWindow],
    words: Mapping[str, Any],
) -> str:  # fmt: skip
    section = speech.sections[index]
    budget = f"{words['from']} {clock(start)} · {words['budget']} {clock(end - start)}"
    parts = [f'<section class="part" style="page: s{index}">', f"<h2>{html.escape(section.title)}"
             f' <span class="budget">{budget}</span></h2>']  # fmt: skip
    if index == 0 and speech.salutation:
        parts.append(f'<p class="s salutation">{html.escape(speech.salutation)}</p>')
    kinds = words["kinds"]
    assert isinstance(kinds, dict)
    for window in windows:
        slide = deck.slides[window.slide - 1]
        label = kinds[slide.kind] or (f"{slide.page}/{slide.pages}" if slide.pages > 1 else "")
        parts.append(
            f'<p class="mark">▶ {words["slide"]} {window.slide}'
            f'{" · " + html.escape(str(label)) if label else ""} <span class="at">{clock(window.start)}</span></p>'
        )
        if slide.kind == "point" and slide.page == 1 and slide.point_index is not None:
            parts.append(_point_html(speech.points[slide.point_index].text))
    parts.append("</section>")
    return "\n".join(parts)


def _point_html(text: str) -> str:
    said = [s.strip() for s in sentences(text) if s.strip()]
    spans = [
        f'<span class="s">{html.escape(s)}<span class="pause">{POINT_MARK if n + 1 == len(said) else SENTENCE_MARK}'
        f"</span></span>"
        for n, s in enumerate(said)
    ]
    return f'<div class="point">{"".join(spans)}</div>'


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
