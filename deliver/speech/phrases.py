"""Candidate lines of a passage, every one a contiguous span of its words: clauses kept whole inside
quotes and brackets, runs of clauses that complete each other (a frame takes its main clause), and,
for a clause too long for a slide, a shorter whole phrase of it (never a cut with "…").

Shorter phrases come in tiers, best first: up to a clause boundary (a comma, "because", "but"),
up to a phrase boundary (before a preposition), up to any word that leaves nothing waiting (for
Chinese, jieba's words: loaded only when a clause has no better boundary).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from deliver.model import Language
from deliver.speech.lines import depth, flaw, has_predicate, trim, waits_for_more
from deliver.speech.text import clauses, han_count, latin_words, sentences

_MERGE_CAP = {"zh": 90, "en": 45}
"""Longest quotation or bracket kept as one piece (characters for zh, words for en)."""
_DASH = re.compile(r"(?<=\S)(?:\s+[—–]+\s+|\s*—+\s*|\s*--+\s*)(?=\S)")
# English words that open a clause of their own inside a sentence (a piece ends before them).
_EN_SPLIT = re.compile(r"(?<=\w)\s+(?=(?:because|although|though|whereas|unless|but|yet)\s)", re.IGNORECASE)
_EN_CLAUSE_CUT = frozenset(
    "because although though while whereas unless which who whom whose where when whenever if but yet so".split()  # noqa: SIM905
)
_EN_PHRASE_CUT = frozenset(
    "and or in on at for with by from to into toward towards through across over under between among upon "  # noqa: SIM905
    "within without against during after before since until beyond behind around about like than as of".split()
)
_EN_START = re.compile(
    r"^(?:i|we|you|they|he|she|it|this|these|those|there|here|the|a|an|our|my|your|their|his|her|its|"
    r"every|each|no|some|all|many|most|one|let|what|how|why|nobody|everyone|nothing)\b|^[A-Z0-9“\"]",
)

_QUOTED = re.compile(r"“([^“”]+)”|「([^「」]+)」|\"([^\"]+)\"")

Tier = int
CLAUSE, PHRASE, WORD = 1, 2, 3
"""How far a line may be shortened to fit: at clause boundaries, phrase boundaries, any word."""


def size(text: str, language: Language) -> int:
    """Room a line takes: characters for zh (a Latin letter counted as one), words for en."""
    return len(text) if language == "zh" else len(text.split())


def units(text: str, language: Language) -> int:
    """Words a line carries: Han characters and Latin words for zh, words for en."""
    return (
        han_count(text) + len(latin_words(re.sub(r"[\u4e00-\u9fff]", " ", text)))
        if language == "zh"
        else len(latin_words(text))
    )


def _merged(parts: list[str], language: Language) -> list[str]:
    """Consecutive parts joined while a quote or bracket is open (within the cap)."""
    out: list[str] = []
    for part in parts:
        if out and depth(out[-1]) > 0 and size(out[-1], language) < _MERGE_CAP[language]:
            out[-1] += part
        else:
            out.append(part)
    return out


def sentences_of(text: str, language: Language) -> list[str]:
    """Sentences of `text`, a quotation that spans several kept with its frame (within the cap)."""
    return [s for s in _merged(sentences(text), language) if s.strip()]


def pieces(sentence: str, language: Language) -> list[str]:
    """Clauses of `sentence`, whole inside quotes and brackets; English ones also end at a dash and
    before a clause of their own ("because …", "but …")."""
    parts = clauses(sentence)
    if language == "en":
        parts = [q for p in parts for d in _split_keep(_DASH, p) for q in _split_before(_EN_SPLIT, d)]
    return [p for p in _merged(parts, language) if p.strip()]


def _split_keep(pattern: re.Pattern[str], text: str) -> list[str]:
    out, start = [], 0
    for match in pattern.finditer(text):
        out.append(text[start : match.end()])
        start = match.end()
    return [*out, text[start:]] if start < len(text) else out


def _split_before(pattern: re.Pattern[str], text: str) -> list[str]:
    cuts = [m.end() for m in pattern.finditer(text)]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True) if text[a:b]]


def line_ok(line: str, language: Language, limit: int, minimum: int) -> bool:
    return (
        bool(line) and size(line, language) <= limit and units(line, language) >= minimum and not flaw(line, language)
    )


def run_from(
    parts: list[str], start: int, language: Language, limit: int, minimum: int, stand: int, tier: Tier = 0
) -> str | None:
    """The shortest whole line of clauses from `start`: a frame, a dangling clause, one without a
    predicate or shorter than `stand` takes the next clause; one that overflows `limit` is
    shortened within `tier` (0: not at all)."""
    fallback: str | None = None
    text = ""
    for part in parts[start:]:
        text += part
        line = trim(text, language)
        if size(line, language) > limit:
            return _overflow(line, fallback, language, limit, minimum, stand, tier)
        if not line or waits_for_more(line, language) or depth(line) > 0 or _introduces(part, language, parts):
            continue
        if flaw(line, language) is not None:
            return fallback
        if units(line, language) >= stand and has_predicate(line, language):
            return line
        if units(line, language) >= minimum:
            fallback = fallback or line
    return fallback


def _overflow(
    line: str, fallback: str | None, language: Language, limit: int, minimum: int, stand: int, tier: Tier
) -> str | None:
    """A run grown past `limit`: its shorter whole phrase, unless the clauses before it already
    made a line with a predicate ("Open covenants of peace" stays; "The removal" gives way)."""
    if fallback and units(fallback, language) >= stand and has_predicate(fallback, language):
        return fallback
    short = shorter_phrase(line, language, limit, minimum, tier) if tier else None
    if short and (fallback is None or units(short, language) > units(fallback, language)):
        return short if has_predicate(short, language) or fallback is None else fallback
    return fallback


def _introduces(part: str, language: Language, parts: list[str]) -> bool:
    """An English clause ending in a colon announces what follows (Wilson once wrote: "…")."""
    return language == "en" and part.rstrip().endswith(":") and part is not parts[-1]


def runs(sentence: str, language: Language, limit: int, minimum: int, stand: int, tier: Tier = 0) -> Iterator[str]:
    """Whole lines of `sentence`, the one from its opening first, then those from later clauses."""
    parts = pieces(sentence, language)
    for start in range(len(parts)):
        if start and language == "en" and not _opens_clause(parts[start]):
            continue  # an English clause without its subject ("presented an outline …") is no line
        found = run_from(parts, start, language, limit, minimum, stand, tier)
        if found:
            yield found
    for match in _QUOTED.finditer(sentence):  # a quoted clause is a whole line of its own
        line = trim(next(g for g in match.groups() if g), language)
        if units(line, language) >= 2 * stand and line_ok(line, language, limit, minimum):
            yield line


def _opens_clause(part: str) -> bool:
    """Whether an English piece inside a sentence can open a line: a subject, or "but …"."""
    return bool(_EN_START.match(trim(part, "en")) or re.match(r"\s*(?:but|yet)\s", part, re.I))


def shorter_phrase(text: str, language: Language, limit: int, minimum: int, tier: Tier = WORD) -> str | None:
    """A whole phrase that opens `text` and fits `limit`, cut no finer than `tier`."""
    if language == "en":
        return _english_prefix(text, limit, minimum, tier)
    return _chinese_prefix(text, limit, minimum) if tier >= WORD else None


def _english_prefix(text: str, limit: int, minimum: int, tier: Tier) -> str | None:
    words = text.split()
    floor = max(minimum, 3)
    tiers = [_EN_CLAUSE_CUT, _EN_PHRASE_CUT, None][:tier]
    for cuts in tiers:
        for k in range(min(limit, len(words) - 1), floor - 1, -1):
            following = words[k].lower().strip("“\"'(")
            boundary = cuts is None or words[k - 1][-1:] in ",;:—" or following in cuts
            if cuts is not _EN_CLAUSE_CUT and _opens_subclause(words[:k]):
                continue  # "…, so a change" would leave its own clause unfinished
            line = trim(" ".join(words[:k]), "en")
            if boundary and line_ok(line, "en", limit, floor):
                return line
    return None


def _opens_subclause(words: list[str]) -> bool:
    """Whether the last clause of `words` (after its last comma) opens with "so", "because", "which" …."""
    tail = list(words)
    for i in range(len(words) - 1, -1, -1):
        if words[i][-1:] in ",;:—":
            tail = words[i + 1 :]
            break
    return bool(tail) and tail[0].lower() in _EN_CLAUSE_CUT and len(tail) < len(words)


def _chinese_prefix(text: str, limit: int, minimum: int) -> str | None:
    """The longest opening run of jieba words within `limit` that leaves no word waiting."""
    from deliver.speech.words import cut

    words = cut(text)
    line = ""
    best: str | None = None
    for i, word in enumerate(words):
        if size(line + word, "zh") > limit:
            break
        line += word
        following = words[i + 1] if i + 1 < len(words) else ""
        if re.match(r"[\d.,%％]", following) and re.search(r"[\d.]$", line):
            continue  # a number is never split (8.5%, 1,200)
        if following[:1] in "“‘《（(「『【[":
            continue  # nor a verb from the quotation or title that is its object
        candidate = trim(line, "zh")
        if line_ok(candidate, "zh", limit, max(minimum, 4)):
            best = candidate
    return best
