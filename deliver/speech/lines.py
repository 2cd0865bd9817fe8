"""Whether a phrase can stand alone as a slide line: its edges trimmed, then ranked recognisers of
what a reader would otherwise fix by hand (a particle or stray mark in front, a vocative, a frame
without its predicate, a last word that waits for more, unbalanced quotes).

Trimming only ever removes words at the edges that carry no topic (an enumerator, a discourse
opener, a conjunction, stray punctuation); it never adds or rewrites a word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from deliver.model import Language

PAIRS = (
    ("“", "”"),
    ("‘", "’"),
    ("《", "》"),
    ("（", "）"),
    ("(", ")"),
    ("「", "」"),
    ("『", "』"),
    ("【", "】"),
    ("[", "]"),
)
_OPENERS = dict(PAIRS)
_CLOSERS = {b: a for a, b in PAIRS}

_EDGE_PUNCT = "，,、；;：:。．.！!？?…—–-~～·　 \t\n*_|/"
_LEAD_STRAY = re.compile(r"^[\s》〉」』】）)\]，,、。．.；;：:！!？?…—–\-~～·/|*_]+")

# Enumerators in front of a line: the order shows by position on the slide.
_ZH_ENUM = re.compile(
    r"^(?:[一二三四五六七八九十]+[是要则来]|其[一二三四五六七八九十]+[，,、是]?"
    r"|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、．.]"
    r"|\d{1,2}(?:[．、)）](?!\s*\d)|\.(?!\d))|第[一二三四五六七八九十\d]+(?:点|条|个|部分|方面)?[，,、：:．.]|[①-⑳])\s*"
)
_EN_ENUM = re.compile(
    r"^(?:(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|fifth|sixth|next|finally|lastly|last of all)[,:]\s*"
    r"|[IVXLC]{1,6}[.)](?:\s+|$)|\d{1,2}[.)](?:\s+|$)|\([a-z\d]{1,3}\)\s+)",
    re.IGNORECASE,
)
# Openers that carry no topic ("刚才，", "同时", "我们要", "So,"): a clause is read without them.
_ZH_OPENER = re.compile(
    r"^(?:(?:今天|刚才|同时|这里|下面|目前|当前|另外|此外|因此|所以|总之|总的来说|总体上|总体来说|总而言之|首先|其次|再次|"
    r"最后|当然|其实|事实上|实际上|可以说|应该说|具体来讲|具体来说|通俗来讲|也就是说|换句话说|换言之|一方面|另一方面|"
    r"那么|然后|接着|然而|不过|可是|于是|从而|进而|甚至|特别是|尤其是|比如说|比如|例如|譬如|在此|为此|对此|"
    r"过去一年|过去的一年|这一年|一年来|今年以来|近年来|多年来|长期以来|去年|今年|明年|现在)(?:[，,：:\s]+|$)"
    r"|(?:并且|而且|而是|但是|或者是|或者|或是|以及|然而|不过|可是)[，,\s]*"
    r"|并(?![列购重存举行轨网入肩联])|而(?![今立言已])|但(?!凡|愿)|且(?!慢)"
    r"|让我们|我们要|我们必须|我们(?![的之])|就是要|也要|还要|更要|既要|又要|必须(?=[\u4e00-\u9fff]{4})"
    r"|要(?![求素点是么不害闻务闻事])(?=[\u4e00-\u9fff]{4}))"
)
_EN_OPENER = re.compile(
    r"^(?:so|and|but|or|nor|yet|(?:now|also|then|still|today)(?![,:]?\s+(?:for|in|on|at|to|with|by|from|of)\b)|"
    r"well|however|therefore|thus|hence|indeed|moreover|furthermore|"
    r"besides|meanwhile|in short|of course|in fact|in addition|above all|after all|in closing|"
    r"in conclusion|to conclude|to sum up|first of all|finally|lastly|for(?=\s+(?:we|i|you|they|he|she|it|there)\b))"
    r"\b[,:]?\s+",
    re.IGNORECASE,
)
_ZH_TAIL = re.compile(r"(?:具体来讲|具体来说|来讲|来说|而言|而论|等等)$")

# ---- recognisers -------------------------------------------------------------------------------

_ZH_PARTICLE = re.compile(
    r"^(?:的|之(?![一后前间中外内所])|并|而|但|且|和(?![平谐睦美善])|与(?![会])|及(?![时早格])|或)"
)
# A predicate without its subject ("是…的关键", "都能得到缓和") continues a clause, it does not open one.
_ZH_BARE_PREDICATE = re.compile(
    r"^(?:是(?![否非])|都(?![市会])|也(?!许)|就(?![业医学读职餐近地])|才(?![能华干智])|又|均(?![衡等匀])|已经|已)"
)
_EN_PARTICLE = re.compile(r"^(?:and|but|or|nor|which|who|whom|whose|of|than)\b", re.IGNORECASE)
_ADDRESS = (
    r"同志|朋友|同学|代表|委员|老师|来宾|嘉宾|领导|家长|青年|同事|先生|女士|"
    r"同胞|乡亲|战友|校友|股东|员工|伙伴|教职工|师生"
)
_ZH_VOCATIVE_ITEM = re.compile(
    rf"^(?:尊敬的|亲爱的|各位|全体)?(?:(?![是的不有在说了我你他她它])[\u4e00-\u9fff]){{0,5}}(?:{_ADDRESS})们?$"
)
_EN_VOCATIVE = re.compile(
    r"^(?:ladies and gentlemen|my (?:dear |fellow )?[a-z]+(?: [a-z]+)?|fellow [a-z]+|dear [a-z]+(?: [a-z]+)?|friends|"
    r"colleagues|everyone|everybody|good (?:morning|afternoon|evening)(?:,? (?:everyone|everybody|all|friends))?|"
    r"(?:mr\.?|madam) (?:president|speaker|chairman|chair)|distinguished guests)$",
    re.IGNORECASE,
)
_ZH_FRAME_OPEN = (
    r"在|对|从|当|随着|为了|通过|按照|根据|围绕|作为|关于|对于|由于|经过|截至|到|"
    r"自从|针对|面对|基于|鉴于|依照|依据|本着|伴随"
)
_ZH_FRAME_CLOSE = (
    r"中|上|下|时|里|内|外|方面|以来|之后|以后|之前|以前|期间|面前|之际|当中|之中|之下|时候|时期|阶段|同时|前后|之余|"
    r"背景下|基础上|情况下|条件下|前提下|形势下|领导下|指引下|推动下|带动下|支持下|帮助下|过程中|开始|起|为止"
)
_ZH_FRAME = re.compile(rf"^(?:{_ZH_FRAME_OPEN})[^，,。；;！？]*?(?:{_ZH_FRAME_CLOSE})$")
# A one-clause line opened by these is a topic or a means waiting for its main clause.
_ZH_TOPIC = re.compile(
    r"^(?:作为|对于|至于|随着|为了|通过(?!了)|按照|根据|依照|依据|围绕|针对|面对|基于|鉴于|本着|经过|由于|如同|正如|诚如|就像|"
    r"如果|假如|要是|倘若|即使|哪怕|虽然|尽管|无论|不管|只要|只有|除非|一旦|既然|因为|以(?![^，,]*为)|代表(?![^，,]*?(?:向|作|致|发表|宣布))|凡是|凡|由(?![此于])|除了)[^，,]*$"
    r"|^在[^，,是要有应能可将把被让使了着过会需必得就都也还已才又不没]{1,9}$|^[^，,]{1,14}(?:当中|之中|里面|里边)$"
    r"|^为(?!了)[^，,]*起见$|^就[^，,]*(?:方面|问题|情况|几点|事情)$"
    r"|^[^，,]{0,8}借了[^，,给还来去]*$"
)
# A clause that only presents what comes next: 欧洲有一个传说，… / 有这样一句话：…
_ZH_PRESENTS = re.compile(
    r"有(?:一|这样一?|这么一?|过一)(?:个|种|句|段|则|件|位)[^，,]{0,6}(?:传说|故事|说法|话|例子|笑话|问题|事情|人)$"
    r"|^听说[^，,]{0,16}(?:小说|故事|传说|说法|文章|书)$"
)
# Last words that wait for more: a verb of saying, a copula, a conjunction, a preposition, 的 of a topic.
_ZH_DANGLING = re.compile(
    r"(?:(?<![小学传解演游邪假图])说|认为|以为|指出|强调|表明|表示|提出|提到|谈到|讲到|所说|看来|发现|知道|证明|说明|显示|"
    r"(?<!作出)(?<!的)决定|"
    r"(?<!实事求)(?<!自以为)(?<!比比皆)(?<!莫衷一)是|(?<![行作有无所可])为|(?<![纲重主需必首摘提概扼])要|(?<![缓温平总饱调柔共祥讲暖谦融人附随])和|"
    r"(?<![参给赋])与|(?<![普涉波来危顾触提论企殃埃])及|或|把|(?<![老大])将|(?<![反应相绝核比查面])对|"
    r"(?<![存现实所自内外潜健不好常同])在|(?<![服顺听盲])从|(?<![方倾志意动走导])向|被|让|(?<![大特天])使|(?<![供补])给|"
    r"于|由|跟|因为|所以|因此|而且|并且|但是|然而|以及|或者|还是|就是|于是|只有|只要|如果|虽然|尽管|即使|不仅|不但|"
    r"(?<=[\u4e00-\u9fff])地|(?<=[\u4e00-\u9fff]{2})得|像|如|比如|例如|譬如|包括|其中|即|等于)$"
)
_EN_DANGLING = re.compile(
    r"\b(?:of|to|and|or|but|nor|the|a|an|for|with|at|by|from|as|that|which|who|whom|whose|could|would|should|will|"
    r"shall|can|may|might|must|has|have|had|do|does|did|than|into|onto|upon|our|their|its|my|your|his|her|this|"
    r"these|those|such as|akin to|because|if|whether|unless|although|though|while|whereas|so|not|very|every|each|"
    r"therefore|however|namely|including|like|between|among|toward|towards|against|about|without|within|through|"
    r"said|says|wrote|writes|asked|declared|observed|noted|"
    r"(?<!\bit )(?<!\bthem )(?<!\bgoing )(?<!\bbuild )(?<!\bcarry )(?<!\bpass )(?<!\bjoin )(?<!\bcome )"
    r"(?<!\bmove )(?<!\bhold )(?<!\bkeep )(?<!\bgo )(?<!\blive )(?:in|on|at))$",
    re.IGNORECASE,
)
_EN_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|am|have|has|had|do|does|did|will|would|shall|should|can|could|may|might|must|"
    r"let|need|needs|want|wants|know|knows|make|makes|take|takes|give|gives|come|comes|go|goes|see|sees|say|says)\b|"
    r"\w['’](?:s|re|m|ve|ll|d)\b|n['’]t\b|"
    r"\b(?!(?:hundred|united|indeed|speed|seed|creed|breed|greed|deed|sacred|wicked|naked|beloved|kindred)\b)\w{2,}ed\b|"
    r"\b(?:taken|given|chosen|written|broken|spoken|forgotten|driven|fallen|risen|seen|shown|known|grown|drawn|"
    r"thrown|done|gone|begun|won|made|found|built|brought|thought|taught|held|kept|left|lost|met|paid|said|sent|"
    r"spent|stood|told|understood)\b|"
    r"\b(?:i|we|you|they|he|she|it|who|which)\s+(?!and\b|or\b)(?:\w+ly\s+)?\w+",
    re.IGNORECASE,
)
_EN_BE_END = re.compile(  # "the question is" waits; "as it is", "who we are" do not
    r"\b(?<!it )(?<!they )(?<!we )(?<!you )(?<!he )(?<!she )(?<!i )(?<!there )(?<!who )"
    r"(?<!what )(?<!where )(?<!how )(?:is|are|was|were|be|been|being|am)$",
    re.IGNORECASE,
)
_EN_FRAME = re.compile(
    r"^(?:as for|as to|akin to|regarding|concerning|in terms of|with regard to|with respect to|when it comes to|"
    r"such as|including|rather than|instead of|according to|no matter|even if|even though|although|though|whereas|"
    r"unless|whether|if|because|since|while|as long as|so that|in order to|wherever|whenever|after|before|until|"
    r"once|as soon as|now that|when(?!\s+(?:will|would|do|does|did|is|are|was|were|can|could|should|shall|may|"
    r"might|must|has|have|had)\b))\b[^,;:]*$",
    re.IGNORECASE,
)
# A line opened by a preposition and without a verb is only the setting of a clause ("As Americans").
_EN_SETTING = re.compile(
    r"^(?:in|on|at|for|with|by|from|as|among|amid|under|after|before|during|without|within|through|beyond|"
    r"despite|since|until|like|unlike|upon|over|across|toward|towards)\b",
    re.IGNORECASE,
)
# A preposition left at the end by its relative clause ("a service people must wait for") is whole.
_EN_STRANDED = re.compile(
    r"\b(?:can|could|must|will|would|should|may|might|to|we|you|they|people)\s+\w+\s+(?:on|in|at|for|with|to|about|from)$",
    re.IGNORECASE,
)
# A noun phrase broken after its adjective ("That is a dangerous, defeatist belief").
_EN_OPEN_ADJECTIVE = re.compile(
    r"\b(?:a|an|the|no|every|each|any|more|most|less|very|so|too)\s+(?:more\s+|most\s+|less\s+)?"
    r"(?:\w{3,}(?:ous|ful|less|able|ible)|more|most|less|single|simple|small|big|new|old|great|good|few|whole|"
    r"true|long|short|high|low|free|open|full|clear|deep|practical|political|national|social|rational|natural|"
    r"general|special|vital|central|global|local|critical|crucial|essential|equal|moral|mutual|personal|radical|"
    r"fundamental|international|universal|absolute|ironic|economic|democratic|strategic|historic|dramatic|basic|"
    r"specific|realistic|scientific|domestic|tragic|genuine|sincere|decisive|effective|positive|negative|active|"
    r"massive|aggressive|creative|independent|different|important|significant|urgent|constant|permanent)$",
    re.IGNORECASE,
)


# Traditional forms of the characters the recognisers name, one for one (so positions hold):
# a line is judged on its simplified form and trimmed in its own script.
_TRADITIONAL = (
    "們们這这說说認认為为與与對对從从將将當当時时後后裡里裏里開开關关於于經经過过並并總总際际現现則则"
    "發发來来會会進进還还應应該该須须讓让話话講讲談谈論论題题點点條条個个種种項项幾几麼么樣样間间處处邊边"
    "眾众領领導导參参賓宾親亲愛爱級级雖虽儘尽無无隨随著着圍围繞绕針针據据鑑鉴鑒鉴礎础況况勢势幫帮動动帶带"
    "階阶餘余強强調调顯显證证決决學学傳传遊游圖图實实鄉乡戰战職职夥伙員员師师長长換换體体別别結结憑凭嗎吗"
    "問问覺觉務务議议緩缓飽饱諧谐謙谦給给賦赋顧顾觸触絕绝潛潜順顺聽听傾倾補补僅仅許许業业醫医讀读華华幹干"
    "勻匀夠够沒没擔担綱纲誠诚見见兩两內内東东剛刚紹绍謝谢歡欢請请氣气專专門门計计畫划劃划構构層层規规達达"
    "協协財财標标稱称報报織织訓训聯联購购舉举軌轨網网揚扬設设變变繼继續续禮礼歲岁"
)
_T2S = str.maketrans(_TRADITIONAL[0::2], _TRADITIONAL[1::2])


@lru_cache(maxsize=16384)
def simplified(text: str) -> str:
    """`text` with the Traditional forms of function words in Simplified, character for character."""
    return text.translate(_T2S)


_MARKS = re.compile("[" + re.escape("".join(a + b for a, b in PAIRS)) + "]")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_GREETING = re.compile(r"^([^，,！!：:。]{2,24})[，,！!：:]\s*(?=\S)")


def balanced(text: str) -> bool:
    """Every quote and bracket opened in `text` is closed in it, in order."""
    stack: list[str] = []
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            stack.append(_OPENERS[ch])
        elif ch in _CLOSERS and not _apostrophe(text, i, stack):
            if not stack or stack[-1] != ch:
                return False
            stack.pop()
    return not stack and text.count('"') % 2 == 0


def _apostrophe(text: str, i: int, stack: list[str]) -> bool:
    """’ after a letter with no ‘ open is an apostrophe (I’d, Taiwan’s, citizens’), not a quote."""
    return text[i] == "’" and (not stack or stack[-1] != "’") and i > 0 and text[i - 1].isalpha()


def depth(text: str) -> int:
    """Quotes and brackets `text` leaves open (0 when balanced or over-closed)."""
    if not _MARKS.search(text):
        return text.count('"') % 2
    stack: list[str] = []
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            stack.append(_OPENERS[ch])
        elif ch in _CLOSERS and stack and not _apostrophe(text, i, stack):
            stack.pop()
    return len(stack) + text.count('"') % 2


def _strip_edges(text: str) -> str:
    text = _LEAD_STRAY.sub("", text).strip(_EDGE_PUNCT)
    for _ in range(2):  # an opening mark never closed, or a closing one never opened, at an edge
        if text[:1] in _OPENERS and _OPENERS[text[0]] not in text:
            text = text[1:].strip(_EDGE_PUNCT)
        if text[-1:] in _CLOSERS and _CLOSERS[text[-1]] not in text:
            text = text[:-1].strip(_EDGE_PUNCT)
        if text[:1] == '"' and text.count('"') % 2:
            text = text[1:].strip(_EDGE_PUNCT)
        if text[-1:] == '"' and text.count('"') % 2:
            text = text[:-1].strip(_EDGE_PUNCT)
    return text


@lru_cache(maxsize=16384)  # pure, and asked again for every run and tier
def trim(text: str, language: Language) -> str:
    """`text` without the topic-less words and marks at its edges (repeatedly; never inside it)."""
    text = " ".join(text.split()) if language == "en" else _LINE_BREAK.sub("", text.strip())
    enum, opener = (_ZH_ENUM, _ZH_OPENER) if language == "zh" else (_EN_ENUM, _EN_OPENER)
    previous = None
    while text != previous:
        previous = text
        text = _strip_edges(text)
        text = _drop_head(enum, text)
        stripped = _drop_head(opener, text)
        if not (language == "zh" and stripped[:1] in "的之地得"):  # 我们的工作 keeps 我们
            text = stripped
        tail = _ZH_TAIL.search(simplified(text)) if language == "zh" else None
        text = text[: tail.start()] if tail else text
        text = _leading_vocative(text, language)
    return text


def _drop_head(pattern: re.Pattern[str], text: str) -> str:
    """`text` without what `pattern` matches at its start (matched on its simplified form)."""
    match = pattern.match(simplified(text))
    return text[match.end() :] if match else text


def _leading_vocative(text: str, language: Language) -> str:
    """A greeting clause in front (同志们，… / My friends, …) is dropped; the rest is the line."""
    match = _GREETING.match(text)
    if match and is_vocative(match.group(1), language):
        return text[match.end() :]
    return text


@lru_cache(maxsize=16384)
def is_vocative(text: str, language: Language) -> bool:
    """A line that only addresses the audience: 各位代表 / 同志们、朋友们 / Ladies and gentlemen."""
    core = simplified(text).strip(_EDGE_PUNCT)
    if not core:
        return False
    if language == "zh" or re.search(r"[\u4e00-\u9fff]", core):
        items = [i for i in re.split(r"[、和,，\s]+", core) if i]
        return bool(items) and all(_ZH_VOCATIVE_ITEM.match(i) for i in items)
    return all(_EN_VOCATIVE.match(part.strip()) for part in re.split(r",\s*|\s+and\s+(?=my |dear |fellow )", core))


@lru_cache(maxsize=16384)
def waits_for_more(text: str, language: Language, setting: bool = False) -> bool:
    """A frame without its predicate (在…中, 作为…, As for…) or a last word that needs the next clause.
    `setting`: the line continues a headline, so it may be the setting of that clause ("under …")."""
    core = simplified(text).strip(_EDGE_PUNCT)
    latin_end = bool(re.search(r"[A-Za-z]$", core))  # judged as English, in either language
    dangling = _EN_DANGLING.search(core) and not _EN_STRANDED.search(core)
    if latin_end and (dangling or _EN_BE_END.search(core) or _EN_OPEN_ADJECTIVE.search(core)):
        return True
    if language == "en":
        return bool(
            not setting and (_EN_FRAME.match(core) or (_EN_SETTING.match(core) and not has_predicate(core, language)))
        )
    topic = core.endswith("的") and not core.endswith("目的") and "是" not in core  # 需要审批的，…
    last = re.split(r"[，,；;：:]", core)[-1]  # 一年来，在…领导下: the line still ends in a frame
    last = re.sub(
        r"^(?:我们|我|这|要|继续|进一步|必须|应当|应该|也|还|更|都|仍|将|已经|已|今后|目前|当前|现在|同时)+", "", last
    )
    frame = not setting and bool(_ZH_FRAME.match(last) or _ZH_TOPIC.match(last) or _ZH_PRESENTS.search(last))
    return bool(topic or frame or _ZH_DANGLING.search(core))


_ZH_PREDICATE_START = re.compile(
    r"^\s*(?:是|要|都|也|就|必须|应当|应该|已经|已|将|能够|能|可以|正在|仍然|仍|还要|还是|才|又|均|一律|须|不能|不得|不要|应)"
)
_EN_PREDICATE_START = re.compile(
    r"^\s*(?:is|are|was|were|will|would|shall|should|must|can|could|may|might|has|have|had|does|do|did)\b", re.I
)


def opens_with_predicate(text: str, language: Language) -> bool:
    """Whether a clause opens with its verb ("，是…", ", should be …"): the clause before it is its subject."""
    return bool((_ZH_PREDICATE_START if language == "zh" else _EN_PREDICATE_START).match(simplified(text)))


@lru_cache(maxsize=16384)
def has_predicate(text: str, language: Language) -> bool:
    """Whether an English line has a verb (a hint: a copula, a modal, a subject and its word, -ed);
    Chinese lines are judged by their frames and endings alone."""
    return language == "zh" or bool(_EN_VERB.search(text))


@lru_cache(maxsize=16384)
def flaw(text: str, language: Language, setting: bool = False) -> str | None:
    """The first reason `text` (already trimmed) cannot stand alone as a slide line, or None."""
    text = simplified(text)
    if not text.strip():
        return "empty"
    if _LEAD_STRAY.match(text):
        return "opens with punctuation"
    particle = _ZH_PARTICLE if language == "zh" else _EN_PARTICLE
    relative = language == "en" and setting and re.match(r"(?:who|whom|whose|which)\b", text, re.I)
    if (particle.match(text) and not relative) or (not setting and _ZH_BARE_PREDICATE.match(text)):
        return "opens with a particle"
    if (_ZH_ENUM if language == "zh" else _EN_ENUM).match(text):
        return "numbering in front"
    if is_vocative(text, language):
        return "a vocative"
    if not balanced(text):
        return "unbalanced quotes or brackets"
    if waits_for_more(text, language, setting):
        return "stops before its point"
    return None
