"""Clean text blocks → `Speech`: title, salutation, opening, body sections, closing.

This module reads the header zone (title, byline, salutation); the sections come from
`sections.py`, which chooses the top level by evidence (`families.py`).
"""

from __future__ import annotations

import re
from pathlib import Path

from deliver.model import Language, Speech
from deliver.speech.condense import headline_of
from deliver.speech.markers import block_marker
from deliver.speech.reading import Block, Source
from deliver.speech.sections import sections_of
from deliver.speech.text import bare, detect_language, spoken_units

_SALUTE_WORDS = re.compile(
    r"同志们|朋友们|来宾|代表们|女士们|先生们|老师们|同学们|各位|尊敬的|大家好|领导"
    r"|ladies|gentlemen|colleagues|friends|everyone|everybody|good (?:morning|afternoon|evening)|^dear |^hello|^hi ",
    re.IGNORECASE,
)
_INLINE_SALUTATION = re.compile(
    r"^((?:尊敬的)?[^。！？：:]{0,30}?(?:同志们|朋友们|来宾们|代表们|先生们|同学们|老师们|各位)[：:]"
    r"|(?:ladies and gentlemen|good (?:morning|afternoon|evening)(?:,? (?:everyone|everybody|all))?"
    r"|dear [^,.!:]{1,40}|hello,? everyone)[,!:]\s*)",
    re.IGNORECASE,
)
_DATE = re.compile(r"^[（(]?\s*(\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{4}-\d{1,2}-\d{1,2})\s*[）)]?$")
_OCCASION = re.compile(r"^(?:——|—|--|-)\s*(.+)$")
_TITLE_MAX = 60


def parse(source: Source) -> Speech:
    """The speech's structure. Pure: same source, same `Speech`."""
    language = detect_language(source.text)
    meta = dict(source.meta)
    blocks = list(source.blocks)
    title, blocks = _take_title(blocks, meta, source.name, language)
    blocks = _take_byline(blocks, meta)
    salutation, blocks = _take_salutation(blocks)
    sections = sections_of(blocks, language, title) if blocks else ()
    if not sections:
        raise_empty(source.name)
    return Speech(title=title, language=language, salutation=salutation, sections=sections, meta=meta)


def raise_empty(name: str) -> None:
    from deliver.errors import InputError

    raise InputError(f"{name}: has a title but no speech text")


def _titlelike(block: Block) -> bool:
    text = block.text
    if block.heading is not None:
        return block.heading <= 1
    if block_marker(text) or _is_salutation(text) or spoken_units(text, detect_language(text)) > _TITLE_MAX:
        return False
    return not re.search(r"[。！？!?]|\.(\s|$)", text.rstrip("。.")) and not text.endswith(("：", ":", "，", ","))


def _take_title(blocks: list[Block], meta: dict[str, str], name: str, language: Language) -> tuple[str, list[Block]]:
    if "title" in meta:
        if blocks and bare(blocks[0].text) == bare(meta["title"]):
            blocks = blocks[1:]
        return meta["title"], blocks
    first = blocks[0]
    level_ones = [b for b in blocks if b.heading == 1]
    if len(blocks) > 1 and _titlelike(first) and (first.heading in (None, 0) or len(level_ones) == 1):
        return first.text.strip(), blocks[1:]
    if name != "-":
        return Path(name).stem, blocks
    return headline_of(first.text, language), blocks


def _take_byline(blocks: list[Block], meta: dict[str, str]) -> list[Block]:
    """Lines under the title such as ——在全市组织工作会议上的讲话 or （2024年2月18日）."""
    while len(blocks) > 1 and blocks[0].heading is None:
        text = blocks[0].text.strip()
        occasion, date = _OCCASION.match(text), _DATE.match(text)
        if occasion and len(text) <= 50 and "occasion" not in meta:
            meta["occasion"] = occasion.group(1).strip()
        elif date and "date" not in meta:
            meta["date"] = date.group(1)
        else:
            break
        blocks = blocks[1:]
    return blocks


_ADDRESS = re.compile(
    r"^(?:ladies and gentlemen|good (?:morning|afternoon|evening)|dear |hello|hi |friends|colleagues)", re.IGNORECASE
)


def _is_salutation(text: str) -> bool:
    """A short line addressing the audience: 同志们：/ 各位领导、同志们：/ Good morning, everyone."""
    if len(text) > 40 or not _SALUTE_WORDS.search(text):
        return False
    return text.rstrip().endswith(("：", ":", "，", ",", "!", "！")) or bool(_ADDRESS.match(text))


def _take_salutation(blocks: list[Block]) -> tuple[str | None, list[Block]]:
    if not blocks:
        return None, blocks
    first = blocks[0]
    if first.heading is None and _is_salutation(first.text) and len(blocks) > 1:
        return first.text.strip(), blocks[1:]
    match = _INLINE_SALUTATION.match(first.text)
    if match and first.heading is None and len(match.group(1)) < len(first.text):
        rest = Block(first.text[match.end() :].strip(), list_item=first.list_item)
        return match.group(1).strip(), [rest, *blocks[1:]]
    return None, blocks
