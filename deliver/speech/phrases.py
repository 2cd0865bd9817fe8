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
from functools import lru_cache

from deliver.model import Language
from deliver.speech.lines import depth, flaw, has_predicate, opens_with_predicate, trim, waits_for_more
from deliver.speech.text import clauses, han_count, latin_words, sentences

_MERGE_CAP = {"zh": 90, "en": 45}
"""Longest quotation or bracket kept as one piece (characters for zh, words for en)."""
_ZH_DASH = re.compile(r"——")
_ZH_JOINS = re.compile(r"(?<![\d.])、|(?<=[\u4e00-\u9fff]{2})(?:的|和|与|及|并|或)(?=[\u4e00-\u9fff])")
_ENUM_ONLY = re.compile(r"^\s*(?:\d{1,2}|[IVXLC]{1,6}|[A-Za-z]|[一二三四五六七八九十]{1,3})[.)、．]\s*$")
_DASH = re.compile(r"(?<=\S)(?:\s+[—–]+\s+|\s*—+\s*|\s*--+\s*)(?=\S)")
# English words that open a clause of their own inside a sentence (a piece ends before them).
_EN_SPLIT = re.compile(r"(?<=\w)\s+(?=(?:because|although|though|whereas|unless|but|yet)\s)", re.IGNORECASE)
_EN_CLAUSE_CUT = frozenset(
    "because although though while whereas unless which who whom whose where when whenever if but yet so".split()  # noqa: SIM905
)
_EN_PHRASE_CUT = frozenset(
    "and or in on at for with by from to into toward towards through across over under between among upon "  # noqa: SIM905
    "within without against during after before since until beyond behind around about like than as along "
    "throughout via per despite except amid near inside outside beside below above onto past".split()
)
_EN_START = re.compile(
    r"^(?:i|we|you|they|he|she|it|this|these|those|there|here|the|a|an|our|my|your|their|his|her|its|"
    r"every|each|no|some|all|many|most|one|let|what|how|why|nobody|everyone|nothing)\b|^[A-Z0-9“\"]",
)

_EN_AUX = re.compile(r"^(?:should|must|will|shall|can|could|would|may|might|is|are|was|were|has|have|had)\b", re.I)
_EN_ASIDE = re.compile(r"^\s*(?:who|whom|whose|which)\b.*,\s*$", re.I | re.S)
_QUOTED = re.compile(r"“([^“”]+)”|「([^「」]+)」|\"([^\"]+)\"")

Tier = int
CLAUSE, PHRASE, WORD = 1, 2, 3
"""How far a line may be shortened to fit: at clause boundaries, phrase boundaries, any word."""


def size(text: str, language: Language) -> int:
    """Room a line takes: characters for zh (a Latin letter counted as one); words for en, a run of
    long words counted as its characters / 5 (so a headline of 12 such "words" wraps to two lines)."""
    return len(text) if language == "zh" else max(len(text.split()), -(-len(text) // 5))


@lru_cache(maxsize=16384)
def units(text: str, language: Language) -> int:
    """Words a line carries: Han characters and Latin words for zh, words for en."""
    if language == "zh":
        return han_count(text) + len(latin_words(re.sub(r"[\u4e00-\u9fff]", " ", text)))
    return len(text.split())


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
    """Sentences of `text`, a quotation that spans several kept with its frame (within the cap), an
    enumerator that ends like a sentence ("III. ") kept with the sentence it numbers."""
    return list(_sentences_of(text, language))


@lru_cache(maxsize=1024)
def _sentences_of(text: str, language: Language) -> tuple[str, ...]:
    out: list[str] = []
    for sentence in _merged(sentences(text), language):
        if out and (not trim(out[-1], language) or _ENUM_ONLY.match(out[-1])):
            out[-1] += sentence
        elif sentence.strip():
            out.append(sentence)
    return tuple(out)


def pieces(sentence: str, language: Language) -> list[str]:
    """Clauses of `sentence`, whole inside quotes and brackets; English ones also end at a dash and
    before a clause of their own ("because …", "but …")."""
    return list(_pieces(sentence, language))


@lru_cache(maxsize=4096)
def _pieces(sentence: str, language: Language) -> tuple[str, ...]:
    parts = clauses(sentence)
    if language == "en":
        parts = [q for p in parts for d in _split_keep(_DASH, p) for q in _split_before(_EN_SPLIT, d)]
    elif sentence.count("——") == 1:  # one dash opens an elaboration; a pair encloses an aside
        parts = [d for p in parts for d in _split_keep(_ZH_DASH, p)]
    return tuple(p for p in _merged(parts, language) if p.strip())


def _split_keep(pattern: re.Pattern[str], text: str) -> list[str]:
    out, start = [], 0
    for match in pattern.finditer(text):
        out.append(text[start : match.end()])
        start = match.end()
    return [*out, text[start:]] if start < len(text) else out


def _split_before(pattern: re.Pattern[str], text: str) -> list[str]:
    cuts = [m.end() for m in pattern.finditer(text)]
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True) if text[a:b]]


def line_ok(line: str, language: Language, limit: int, minimum: int, setting: bool = False) -> bool:
    """Whether `line` fits, carries at least `minimum` words and stands alone (see `lines.flaw`)."""
    fits = bool(line) and size(line, language) <= limit and units(line, language) >= minimum
    return fits and not flaw(line, language, setting)


def run_from(
    parts: list[str],
    start: int,
    language: Language,
    limit: int,
    minimum: int,
    stand: int,
    tier: Tier = 0,
    setting: bool = False,
) -> str | None:
    """The shortest whole line of clauses from `start`: a frame, a dangling clause, one without a
    predicate or shorter than `stand` takes the next clause; one that overflows `limit` is
    shortened within `tier` (0: not at all). `setting`: see `lines.waits_for_more`."""
    fallback: str | None = None
    text = ""
    for i in range(start, len(parts)):
        text += parts[i]
        line = trim(text, language)
        if size(line, language) > limit:
            return _overflow(line, fallback, language, (limit, minimum, stand), tier, setting)
        following = parts[i + 1] if i + 1 < len(parts) else ""
        subject = opens_with_predicate(following, language) or bool(language == "en" and _EN_ASIDE.match(following))
        waits = waits_for_more(line, language, setting)
        if not line or waits or depth(line) > 0 or _introduces(parts[i], language, parts):
            continue
        if subject:  # "Our nurses, who …, kept": only the subject; kept in reserve, not a line of its own
            if language == "zh" and units(line, language) >= stand and flaw(line, language, setting) is None:
                fallback = fallback or line
            continue
        if flaw(line, language, setting) is not None:
            return fallback
        if units(line, language) >= stand and has_predicate(line, language):
            return line
        if units(line, language) >= minimum:
            fallback = fallback or line
    return fallback


def _overflow(
    line: str, fallback: str | None, language: Language, sizes: tuple[int, int, int], tier: Tier, setting: bool
) -> str | None:
    """A run grown past its limit: its shorter whole phrase, unless the clauses before it already
    made a line with a predicate ("Open covenants of peace" stays; "The removal" gives way)."""
    limit, minimum, stand = sizes
    if fallback and units(fallback, language) >= stand and has_predicate(fallback, language):
        return fallback
    short = shorter_phrase(line, language, limit, minimum, tier, setting) if tier else None
    if short and (fallback is None or units(short, language) > units(fallback, language)):
        return short  # longer, or with the verb the shorter one lacks
    return fallback


def _introduces(part: str, language: Language, parts: list[str]) -> bool:
    """An English clause ending in a colon announces what follows (Wilson once wrote: "…"); one
    that is an aside ("…, who worked through the holidays,") still waits for the main verb."""
    if language != "en" or part is parts[-1]:
        return False
    return part.rstrip().endswith(":") or bool(_EN_ASIDE.match(part))


def runs(
    sentence: str, language: Language, limit: int, minimum: int, stand: int, tier: Tier = 0, rest: bool = False
) -> Iterator[str]:
    """Whole lines of `sentence`, the one from its opening first, then those from later clauses.
    `rest`: `sentence` follows a headline that took its subject, so a clause may open with its verb."""
    parts = pieces(sentence, language)
    for start in range(len(parts)):
        if start and language == "en" and not _opens_clause(parts[start], rest):
            continue  # an English clause without its subject ("presented an outline …") is no line
        found = run_from(parts, start, language, limit, minimum, stand, tier, setting=rest and start == 0)
        if found:
            yield found
    for match in _QUOTED.finditer(sentence):  # a quoted clause is a whole line of its own
        line = trim(next(g for g in match.groups() if g), language)
        if units(line, language) >= 2 * stand and line_ok(line, language, limit, minimum):
            yield line


def _opens_clause(part: str, rest: bool) -> bool:
    """Whether an English piece inside a sentence can open a line: a subject, "but …", or (after a
    headline that is the subject) the predicate's verb."""
    line = trim(part, "en")
    return bool(_EN_START.match(line) or re.match(r"\s*(?:but|yet)\s", part, re.I) or (rest and _EN_AUX.match(line)))


def shorter_phrase(
    text: str, language: Language, limit: int, minimum: int, tier: Tier = WORD, setting: bool = False
) -> str | None:
    """A whole phrase that opens `text` and fits `limit`, cut no finer than `tier`."""
    if language == "en":
        return _english_prefix(text, limit, minimum, tier, setting)
    return _chinese_prefix(text, limit, minimum, setting) if tier >= WORD else None


def _english_prefix(text: str, limit: int, minimum: int, tier: Tier, setting: bool) -> str | None:
    """The longest opening phrase within `limit` at a clause boundary; one at a phrase boundary
    (or, at tier WORD, any word) when it is longer and the clause-boundary one has no verb."""
    words = text.split()
    floor = max(minimum, 3)
    best: str | None = None
    for cuts in [_EN_CLAUSE_CUT, _EN_PHRASE_CUT, None][:tier]:
        found = _longest_prefix(words, cuts, limit, floor, setting)
        if found and (best is None or _better(found, best)):
            best = found
        if best and has_predicate(best, "en") and len(best.split()) * 2 > limit:
            return best
    return best


def _better(longer: str, shorter: str) -> bool:
    """A finer cut wins when the coarser line lacks a verb, or when it carries half again the words
    ("It is a place" < "It is a place which honors creation for its own sake")."""
    more = len(longer.split()) > len(shorter.split())
    return more and (not has_predicate(shorter, "en") or len(longer.split()) * 2 >= len(shorter.split()) * 3)


def _longest_prefix(words: list[str], cuts: frozenset[str] | None, limit: int, floor: int, setting: bool) -> str | None:
    for k in range(min(limit, len(words) - 1), floor - 1, -1):
        following = words[k].lower().strip("“\"'(")
        boundary = cuts is None or words[k - 1][-1:] in ",;—" or following in cuts
        if not boundary or _unfinished(words[:k]) or (cuts is not _EN_CLAUSE_CUT and _opens_subclause(words[:k])):
            continue  # "…, so a change" or "confident that the men" would leave a clause unfinished
        line = trim(" ".join(words[:k]), "en")
        if line_ok(line, "en", limit, floor, setting):
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


_COMPLEMENTIZER = frozenset("that if whether because when while although though since unless which who where".split())  # noqa: SIM905


def _unfinished(words: list[str]) -> bool:
    """Whether the clause that the last "that", "if", "because" … of `words` opens lacks its verb;
    for one that opens the line ("When the storm came, the volunteers"), the main clause after it."""
    for i in range(len(words) - 1, -1, -1):
        if words[i].lower().strip("“\"'(") not in _COMPLEMENTIZER:
            continue
        if words[i].lower() in ("who", "whom", "whose", "which") and i > 0 and words[i - 1].endswith(","):
            return True  # an aside ("Our nurses, who worked …,") is cut before the main verb
        if i == 0:
            comma = next((j for j, w in enumerate(words) if w[-1:] in ",;"), None)
            return comma is not None and not has_predicate(" ".join(words[comma + 1 :]), "en")
        return not has_predicate(" ".join(words[i + 1 :]), "en")
    return False


def _chinese_prefix(text: str, limit: int, minimum: int, setting: bool = False) -> str | None:
    """The longest opening phrase within `limit` that leaves no word waiting: cut before a joining
    word (、 的 和 与 及 并 或), which needs no dictionary; else at a jieba word boundary."""
    cuts = [m.start() for m in _ZH_JOINS.finditer(text, 1, limit + 1)]
    for cut in reversed(cuts):
        line = trim(text[:cut], "zh")
        if line_ok(line, "zh", limit, max(minimum, 4), setting):
            return line
    return _jieba_prefix(text, limit, minimum, setting) if han_count(text) >= 4 else None  # markup left over needs none


def _jieba_prefix(text: str, limit: int, minimum: int, setting: bool) -> str | None:
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
        if line_ok(candidate, "zh", limit, max(minimum, 4), setting):
            best = candidate
    return best
