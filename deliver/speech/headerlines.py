"""What one line before the speech is: a recogniser per kind (date, subtitle, speaker, lead-in,
column label, page notice, salutation, title). Pure functions of the line's text; `header.py` walks
the zone and decides with their position.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from deliver.speech.cleaning import is_licence

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ZH_DIGIT = "〇○零一二三四五六七八九"
_DATE_CORE = (
    rf"\d{{4}}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*[日号])?|[{_ZH_DIGIT}]{{4}}年[一二三四五六七八九十]{{1,3}}月"
    rf"(?:[一二三四五六七八九十]{{1,3}}[日号])?|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}"
    rf"|(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}"
)
_DATE = re.compile(rf"^[（(\[]?\s*({_DATE_CORE})\s*(?:[，,、]\s*([^）)\]]{{1,24}}))?[）)\]]?$", re.IGNORECASE)
_DATE_PREFIX = re.compile(rf"^({_DATE_CORE}|[{_ZH_DIGIT}]{{4}}年|\d{{4}}年?)(?:\s*[_｜|]\s*|\s+)(.+)$", re.IGNORECASE)
_LEADING_DATE = re.compile(rf"^({_DATE_CORE})\s*(.*)$", re.IGNORECASE)
_DASH = re.compile(r"^(?:——|—|－－|--|–)\s*(.+)$")
_OCCASION_WORDS = re.compile(
    r"会议|会上|大会|会$|典礼|仪式|论坛|座谈|开幕|闭幕|年会|峰会|讲$|讲话$|发言$|致辞$|在.{2,}[上中时]"
    r"|會議|會上|大會|典禮|儀式|論壇|座談|講$|講話$|\b(?:at|before|to|on the occasion)\b",
    re.IGNORECASE,
)
_ROLES = (
    r"总理|主席|总书记|书记|市长|省长|县长|区长|镇长|乡长|主任|部长|局长|厅长|处长|科长|校长|院长|所长|委员|常委"
    r"|总经理|经理|董事长|理事长|会长|社长|秘书长|负责人|總理|書記|市長|縣長|區長|部長|局長|廳長|處長|校長|院長|會長"
)
_SPEAKER_KEY = re.compile(
    r"^(?:讲话人|主讲人|报告人|发言人|演讲人|致辞人|講者|主講人|speaker|speakers|presenter|president|by)\s*[：:]\s*(\S.{1,40})$",
    re.IGNORECASE,
)
_BY = re.compile(r"^[Bb]y\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4})$")
_ROLE_NAME = re.compile(rf"^([\u4e00-\u9fff、·（）()]{{0,24}}?(?:{_ROLES}))\s*([\u4e00-\u9fff·]{{2,4}})?(?:同志)?$")
_NOT_NAME_ENDS = tuple("议话稿告词辞文典礼式届次会")
"""Last characters of 会议/讲话/报告… that a name after a role never has ("全市组织部长会议" is no byline)."""
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}(?:同志)?$")
_SPEAKER_TITLE = re.compile(
    r"^([\u4e00-\u9fff·]{2,4})[：:]\s*(在.{4,}(?:讲话|發言|发言|致辞|報告|报告|演讲|演講|講話))$"
)
_LEAD_LABEL = re.compile(
    r"^[【\[（(]?\s*(?:编者按|编者的话|编者注|編者按|按语|editor[’']?s note)\s*[】\]）)]?\s*[：:]?", re.IGNORECASE
)
_LEAD_SHAPE = re.compile(
    r"(?:全文|摘要|摘录|摘錄|要点|要點)如下|现(?:予以?|将|把|特)?[^，。,：:]{0,12}(?:摘录|摘錄|刊发|刊發|刊登|转发|轉發|印发|刊载|予以?发表)"
    r"|以下(?:为|是|為)[^，。,]{0,40}(?:讲话|講話|全文|实录|實錄)"
)
_FIRST_PERSON = re.compile(r"我们|我|咱们|\b(?:we|our|I)\b")
_TALK_WORDS = re.compile(
    r"演講|演讲|讲话|講話|發言|发言|致辞|致詞|對談|对谈|座谈|座談|讲座|講座|报告会|keynote|lecture|remarks|address"
    r"|talk|speech|conversation|fireside|interview",
    re.IGNORECASE,
)
_DESCRIPTION_START = re.compile(r"^(?:於|于|在|At\b|Delivered|Given|Keynote|Remarks|Address|Lecture|A talk)", re.I)
_LABEL = re.compile(
    r"^[【〖\[][^】〗\]]{1,30}[】〗\]]$|^[^，。！？,.!?\s]{2,16}(?:学习材料|学习资料|学习参考|参考资料|专题|专栏|栏目|频道)$"
)
_LABEL_PREFIX = re.compile(r"^[【〖\[]([^】〗\]]{1,30})[】〗\]]\s*(?=\S)")
_PAGE_TALK = re.compile(
    r"頁面|页面|本页|本頁|此页|網頁|网页|this page|this transcript|逐字稿|共筆|共笔|點選|点选|点击|點擊|編修|编修"
    r"|click here|下载|下載|download",
    re.IGNORECASE,
)
_RECORDING = re.compile(
    r"^[（(【\[][^）)】\]]{0,20}(?:以下|记录|記錄|录音|錄音|整理|速记|速記)[^）)】\]]{0,12}[）)】\]]$"
)
_SITE_SUFFIX = re.compile(
    r"\s*(?:[_｜|]|\s[-–—]\s)\s*[^_｜|]{1,20}(?:网|網|频道|頻道|首页|首頁|官网|官網|门户|網站|网站|在线|在線|日报|日報|新闻|新聞"
    r"|\.com|\.cn|\.org)\s*$",
    re.IGNORECASE,
)
_DOCTYPE = re.compile(
    r"(?P<verb>讲话|發言|发言|演讲|演講|致辞|汇报|講話)?(?P<kind>稿|全文|范文|材料|提纲)(?:[（(]\d+篇[）)]|\d+篇)?$"
    r"|(?P<en>\s*[(\[]?(?:full text|transcript|as delivered|as prepared(?: for delivery)?)[)\]]?)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Dated:
    """A date line, with the place or meeting written after it ("（2024年2月18日，北京）")."""

    date: str
    place: str | None


def folded(text: str) -> str:
    """Full-width digits and letters folded (２０２４ → 2024) for matching only."""
    return unicodedata.normalize("NFKC", text)


def date_line(text: str) -> Dated | None:
    match = _DATE.match(folded(text).strip())
    if not match:
        return None
    return Dated(_original(text, match.group(1)), match.group(2).strip() if match.group(2) else None)


def _original(text: str, folded_part: str) -> str:
    """The part of `text` that folds to `folded_part` (dates keep their own digits)."""
    start = folded(text).find(folded_part)
    return text[start : start + len(folded_part)] if start >= 0 and len(folded(text)) == len(text) else folded_part


def dash_subtitle(text: str) -> str | None:
    """ "——在全市组织工作会议上的讲话" → its text; None when the line is not a dash line (or is a paragraph)."""
    match = _DASH.match(text.strip())
    return match.group(1).strip() if match and len(text) <= 80 else None


def split_occasion(subtitle: str) -> tuple[str | None, str | None, str | None]:
    """A subtitle → (date, occasion, subtitle): "2022年3月5日在第十三届…会议上" → date + occasion."""
    date = None
    match = _LEADING_DATE.match(folded(subtitle))
    rest = subtitle
    if match and match.group(2):
        date = _original(subtitle, match.group(1))
        rest = subtitle[len(date) :].strip(" ，,")
    if _OCCASION_WORDS.search(rest):
        return date, rest, None
    return date, None, rest or None


def speaker_line(text: str) -> str | None:
    """ "国务院总理 李克强", "President: Woodrow Wilson", "By Ann Lee", "讲话人：张三" → who speaks."""
    text = text.strip()
    for pattern in (_SPEAKER_KEY, _BY):
        match = pattern.match(text)
        if match:
            return match.group(1).strip()
    match = _ROLE_NAME.match(text)
    if match and len(text) <= 32 and not (match.group(2) or "").endswith(_NOT_NAME_ENDS):
        return f"{match.group(1)} {match.group(2)}" if match.group(2) else match.group(1)
    return None


def bare_name(text: str) -> bool:
    """A line that is only a Chinese name (李克强), which names the speaker when the line above is their role."""
    return _NAME.match(text.strip()) is not None


def speaker_in_title(title: str) -> tuple[str, str] | None:
    """ "习近平：在庆祝…大会上的讲话" → ("习近平", "在庆祝…大会上的讲话")."""
    match = _SPEAKER_TITLE.match(title.strip())
    return (match.group(1), match.group(2)) if match else None


def is_lead(text: str, quoted: bool) -> bool:
    """An editor's lead-in: 编者按…, "…现摘录如下：", or a long bracketed/quoted note about the text."""
    if _LEAD_LABEL.match(text):
        return True
    if len(text) <= 400 and _LEAD_SHAPE.search(text) and not _FIRST_PERSON.search(text):
        return True
    note = quoted or (text[:1] in "（(" and text[-1:] in "）)")
    return note and len(text) >= 12 and re.search(r"[。！？.!?]", text[:-2]) is not None


def is_description(text: str) -> bool:
    """A one-sentence description under the title: "於 MIT SOLVE 2026 的主題演講，以及…的爐邊對談。"."""
    sentence = text.endswith(("。", ".", "！", "!"))
    return sentence and len(text) <= 80 and bool(_DESCRIPTION_START.match(text)) and bool(_TALK_WORDS.search(text))


def page_heading(line: str, title: str) -> bool:
    """A short line above a speech's title is the page's heading ("学习强国", "News" above "Remarks by …")."""
    short = len(line) <= 6 if re.search(r"[\u4e00-\u9fff]", line) else len(line.split()) <= 3
    return short and _TALK_WORDS.search(title) is not None


def is_label(text: str) -> bool:
    """A column or page label: 【理论学习】, 党史学习教育学习材料."""
    return _LABEL.match(text.strip()) is not None


def label_prefix(text: str) -> str | None:
    """The 【…】 label in front of a title ("【学习材料】在…上的讲话"), if any."""
    match = _LABEL_PREFIX.match(text)
    return match.group(0) if match else None


def is_page_notice(text: str) -> bool:
    """A line about the page, not the speech: licence, "此為逐字稿共筆頁面…", "（以下开始记录）"."""
    return (
        is_licence(text) or (len(text) <= 300 and _PAGE_TALK.search(text) is not None) or bool(_RECORDING.match(text))
    )


def site_suffix(title: str) -> str | None:
    """The site name a page heading carries ("… - 人民网", "…_共产党员网"), if any."""
    match = _SITE_SUFFIX.search(title)
    return match.group(0) if match and match.start() > 0 else None


def date_prefix(title: str) -> tuple[str, str] | None:
    """ "2026-07-31 公民浪潮" / "一九二七年_读书杂谈" → (date, title); None when the title has none."""
    match = _DATE_PREFIX.match(folded(title))
    if not match or len(match.group(2)) < 2:
        return None
    date = _original(title, match.group(1))
    return date, title[len(title) - len(match.group(2)) :]


def doctype(title: str) -> str | None:
    """The document-type suffix a title carries: "…务虚会讲话稿" → "讲话稿"; "…上的讲话稿" → "稿" (the
    rest reads as "…上的讲话"); "… (Transcript)" → " (Transcript)". None when it has none."""
    match = _DOCTYPE.search(title)
    if not match or match.start() == 0:
        return None
    if match.group("en"):
        return match.group("en")
    if match.group("kind") in ("材料", "提纲") and not match.group("verb"):
        return None
    verb = match.group("verb") or ""
    if verb and title[: match.start()].endswith("的"):
        return match.group(0)[len(verb) :]
    return match.group(0)


_SALUTE_WORDS = re.compile(
    r"同志们|朋友们|来宾|代表们|各位代表|女士们|先生们|老师们|同学们|各位|尊敬的|大家好|领导|嘉宾|校友们|家长们"
    r"|同志們|朋友們|來賓|代表們|女士們|先生們|老師們|同學們|領導"
    r"|ladies|gentlemen|colleagues|friends|everyone|everybody|good (?:morning|afternoon|evening)|^dear |^hello|^hi ",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"^(?:ladies and gentlemen|good (?:morning|afternoon|evening)|dear |hello|hi |friends|colleagues)", re.IGNORECASE
)
_INLINE_SALUTATION = re.compile(
    r"^((?:尊敬的)?[^。！？：:!?]{0,30}?(?:同志们|朋友们|来宾们|代表们|各位代表|先生们|同学们|老师们|各位|同志們|朋友們|代表們"
    r"|同學們|老師們)[：:！!]"
    r"|(?:ladies and gentlemen|my fellow \w+|fellow citizens|dear [^,.!:]{1,40}|hello,? everyone"
    r"|good (?:morning|afternoon|evening)(?:,? (?:everyone|everybody|all))?)[,!:]\s*)",
    re.IGNORECASE,
)
# The last name in an English address list ("President Hoover, Mr. Chief Justice, my friends:").
_AUDIENCE = re.compile(
    r"(?:ladies and gentlemen|gentlemen(?: of [\w .'-]+)?|ladies|(?:my )?(?:dear )?(?:fellow )?(?:friends|americans"
    r"|citizens|countrymen|colleagues|delegates|graduates|students|guests|everyone|everybody|all)|distinguished guests"
    r"|your excellenc(?:y|ies)|excellencies|mr\.? (?:president|speaker|chairman)|madam (?:president|speaker|chair)"
    r"|members of [\w ,.'-]+)$",
    re.IGNORECASE,
)
_GREETING_END = re.compile(r"(?:大家|各位|你们|您們|你們)?[^，,。]{0,12}好[。！!]$")


def is_salutation(text: str) -> bool:
    """A line addressing the audience: 同志们：/ 各位代表！/ 各位…好。/ Good morning, everyone. /
    an English address list ending in its audience ("…, ladies and gentlemen:")."""
    text = text.strip()
    if _english_address(text):
        return True
    if len(text) > 40 or not _SALUTE_WORDS.search(text):
        return False
    if text.endswith(("：", ":", "，", ",", "!", "！")) or _ADDRESS.match(text):
        return True
    return _GREETING_END.search(text) is not None and not re.search(r"[。！？]", text[:-1])


def _english_address(text: str) -> bool:
    if not text.endswith((":", ",", "!")) or len(text) > 400 or re.search(r"[\u4e00-\u9fff?;]", text):
        return False
    body = text[:-1]
    if re.search(r"(?<!\b[A-Z])(?<!\bMr|\bMs|\bDr|\bSt|\bJr)(?<!\bMrs)[.!]\s+[A-Z]", body):
        return False  # a sentence ends inside: this is a paragraph, not an address
    last = re.split(r",\s*(?:and\s+)?", body)[-1].strip()
    return _AUDIENCE.fullmatch(last) is not None


def inline_salutation(text: str) -> str | None:
    """The salutation a paragraph opens with ("同志们：今天…" → "同志们："), when more text follows."""
    match = _INLINE_SALUTATION.match(text)
    if match and len(match.group(1)) < len(text.strip()):
        return match.group(1).strip()
    return None
