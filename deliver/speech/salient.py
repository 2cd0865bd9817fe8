"""A title for a speech that has none, chosen from its own words: the whole line that best carries
the content words the speaker repeats most ("the Great Society", "peace").

Content words are counted over the whole speech (jieba's words for Chinese, loaded lazily through
`words.py`; word forms folded for English), after a small stopword list per language; a pair of them
said together more than once ("Great Society", "安全生产") counts as a term of its own. Candidates are
the whole lines `phrases.runs` makes of each sentence (the same span choice and completeness rules as
the headlines); a line's score is the weight of the repeated terms it carries over the square root of
its length, so a short line with the speech's theme beats a long one that lists many words once.
Everything is counted, nothing is sampled: the same text gives the same title.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import pairwise

from deliver.model import Language
from deliver.speech.lines import has_predicate, trim
from deliver.speech.phrases import CLAUSE, PHRASE, runs, sentences_of, size

TITLE_MAX = {"zh": 18, "en": 10}
"""Longest title: CJK characters or English words (one or two lines of the title slide)."""
_TITLE_MIN = {"zh": 4, "en": 3}
_STAND = {"zh": 5, "en": 3}
_REPEATED = 2
"""A term said fewer times than this says nothing about what the speech is about."""
_SENTENCES = 40
"""Sentences whose lines are scored: those that carry the most weight (bounds the work on long texts)."""
_READ = 60_000
"""Characters read for the title: a speech states its theme long before this (a 2 MB file stays quick)."""
_CHARS_PER_WORD = 2
"""A Chinese word is about two characters: line lengths in both languages are compared in words."""
_RARITY_CAP = 12.0
"""Inverse document frequency at which a Chinese word counts fully (腿脚 13, 图书馆 10.6, 发展 6.8)."""
_INCOMPLETE = 0.8
"""An English line without a verb ("The removal of barriers") reads as less of a statement."""
_LEANS = 0.6
"""A line that opens with a pronoun ("It can be helped…", "它成为…") leans on the sentence before it."""

_LEANING = {
    "en": re.compile(
        r"^(?:it|they|he|she|them)\b|^(?:all\s+)?(?:this|that|these|those)\s+"
        r"(?:is|are|was|were|has|have|had|will|would|can|could|must|may|might|should|shall|do|does|did)\b",
        re.IGNORECASE,
    ),
    "zh": re.compile(r"^(?:它|他|她|其|这|這|那)(?![次届屆里裡])"),
}
_WAITING = {
    "en": re.compile(r"\b(?:if|unless|although|though|whether|because|whereas)\b", re.IGNORECASE),
    "zh": re.compile(r"虽然|雖然|尽管|儘管|如果|假如|倘若|只要|即使|哪怕|无论|無論|不管|不仅|不僅|不但"),
}
"""A clause that opens a condition or a concession waits for its main clause: in a title it reads cut off."""

Term = str | tuple[str, str]

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_EN_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does done down during each either even ever every few for from further
    had has have having he her here hers him his how however i if in into is it its itself just least less let
    like made make many may me might more most much must my neither no nor not now of off on once one only or
    other our ours ourselves out over own per quite rather same shall she should since so some still such than
    that the their theirs them themselves then there these they this those though through thus to too toward
    towards under until up upon us very was we well were what whatever when where whether which while who whom
    whose why will with within without would yet you your yours
    mr mrs ms today tonight thank thanks indeed say said tell told know think want come go get got way things
    thing something anything nothing everything lot ago year years time times day days
    two three four five six seven eight nine ten hundred thousand million first second third""".split()  # noqa: SIM905
)
_ZH_STOP = frozenset(
    """我们 你们 他们 她们 咱们 大家 自己 各位 同志 同志们 朋友 朋友们 一个 一些 一样 一下 这个 那个 这些 那些 这样 那样
    这种 那种 这里 那里 这次 没有 就是 已经 还是 可以 什么 怎么 为什么 因为 所以 但是 如果 而且 并且 以及 或者 虽然 然后
    现在 今天 目前 当前 同时 进行 通过 作为 对于 关于 其中 之一 方面 问题 情况 有关 一定 一直 非常 特别 不是 不能 还有
    这么 那么 时候 可能 应该 需要 必须 能够 成为 觉得 认为 知道 看到 谢谢 感谢 出来 起来 下去 使用 首先 其次 最后
    我們 你們 他們 她們 這個 那個 這些 那些 這樣 那樣 這種 那種 這裡 那裡 這次 沒有 已經 還是 什麼 怎麼 為什麼 因為
    並且 或者 雖然 然後 現在 當前 同時 進行 通過 作為 對於 關於 問題 情況 有關 一直 特別 還有 這麼 那麼 時候 可能 應該
    需要 必須 能夠 成為 覺得 認為 謝謝 感謝 起來 下去""".split()  # noqa: SIM905
)


def salient_title(texts: Sequence[str], language: Language) -> str | None:
    """The line of `texts` (the speech's paragraphs, in order) that best carries its most repeated
    content words; None when no term is repeated or no whole line fits a title."""
    texts = _opening(texts)
    weights = _weights(texts, language)
    if not weights:
        return None
    best: tuple[float, str] | None = None
    for line in _candidates(texts, language, weights):
        score = _score(line, language, weights)
        if score > 0 and (best is None or score > best[0]):  # ties: the earlier line stays
            best = (score, line)
    return best[1] if best else None


def _opening(texts: Sequence[str]) -> list[str]:
    """The paragraphs within the first `_READ` characters; of a longer first one, its sentences within them."""
    kept: list[str] = []
    read = 0
    for text in texts:
        if read + len(text) > _READ:
            if not kept:  # one huge paragraph: up to its last sentence end inside the limit
                end = max(text.rfind(mark, 0, _READ) for mark in "。！？.!?")
                kept.append(text[: end + 1] if end > 0 else text[:_READ])
            break
        kept.append(text)
        read += len(text)
    return kept


def _weights(texts: Iterable[str], language: Language) -> dict[Term, float]:
    """Each term said at least `_REPEATED` times → how often it is said; a Chinese word also by how
    rare it is in jieba's dictionary (said often here and seldom elsewhere: what this speech is about)."""
    counts: Counter[Term] = Counter()
    for text in texts:
        counts.update(_terms(text, language))
    repeated = {term: n for term, n in counts.items() if n >= _REPEATED}
    if language != "zh":
        return {term: float(n) for term, n in repeated.items()}
    return {term: n * _rarity(term) for term, n in repeated.items()}


def _rarity(term: Term) -> float:
    """How rare a Chinese term is in general use, 0…1: its inverse document frequency in jieba's
    dictionary, capped (a word the dictionary lacks is rare, not infinitely so); a pair's is its words' mean."""
    if isinstance(term, tuple):
        return (_rarity(term[0]) + _rarity(term[1])) / 2
    from deliver.speech.words import frequencies

    seen, total = frequencies().get(term, 0), _dictionary_total()
    return min(math.log(total / (seen + 1)), _RARITY_CAP) / _RARITY_CAP


@lru_cache(maxsize=1)
def _dictionary_total() -> int:
    from deliver.speech.words import frequencies

    return max(sum(frequencies().values()), 1)


def _terms(text: str, language: Language) -> list[Term]:
    """The content words of `text` in order, and each adjacent pair of them."""
    tokens = _tokens(text, language)
    found: list[Term] = [t for t in tokens if t]
    found += [(a, b) for a, b in pairwise(tokens) if a and b]
    return found


def _tokens(text: str, language: Language) -> list[str | None]:
    """Words of `text` as terms, None for a stopword (it separates pairs, as it does when spoken)."""
    if language == "zh":
        from deliver.speech.words import cut

        words = (w.strip() for w in cut(text))
        return [w if _HAN_WORD.match(w) and w not in _ZH_STOP else None for w in words if w]
    return [_fold(w) for w in _EN_WORD.findall(text)]


def _fold(word: str) -> str | None:
    """An English word as its term: lower case, without a possessive or a plural -s; None for a stopword."""
    word = word.lower().replace("’", "'").strip("'-")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) < 2 or word in _EN_STOP:
        return None
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word


def _candidates(texts: Sequence[str], language: Language, weights: dict[Term, float]) -> Iterator[str]:
    """Whole title-length lines of the sentences that carry the most weight, in the speech's order."""
    sentences = [s for text in texts for s in sentences_of(text, language) if not _question(s)]
    carried = [sum(weights.get(t, 0) for t in set(_terms(s, language))) for s in sentences]
    ranked = sorted(range(len(sentences)), key=lambda i: -carried[i])[:_SENTENCES]
    limit, minimum, stand = TITLE_MAX[language], _TITLE_MIN[language], _STAND[language]
    tiers = (0, CLAUSE, PHRASE) if language == "en" else (0,)
    for i in sorted(i for i in ranked if carried[i] > 0):
        for tier in tiers:
            yield from runs(sentences[i], language, limit, minimum, stand, tier)


def _question(sentence: str) -> bool:
    """A question loses its mark when trimmed to a line ("What kind of peace do we seek"): no title."""
    return sentence.rstrip().rstrip('”"’)）」』').endswith(("?", "？"))


def _score(line: str, language: Language, weights: dict[Term, float]) -> float:
    """The weight of the repeated terms `line` carries, over the square root of its length in words."""
    if _WAITING[language].search(line):
        return 0.0
    carried = sum(weights.get(term, 0) for term in set(_terms(line, language)))
    words = size(trim(line, language), language)
    if language == "zh":
        words = math.ceil(words / _CHARS_PER_WORD)
    score = carried / math.sqrt(max(words, _STAND[language]))
    if _LEANING[language].match(line):
        score *= _LEANS
    return score if language == "zh" or has_predicate(line, language) else score * _INCOMPLETE
