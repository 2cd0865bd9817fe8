"""Numbers written in Chinese numerals: 12 → 十二, 2000 → 两千, 2026 → 二零二六.

One rule for every stage that writes them: the voice reads numbers this way (voices/normalize.py)
and the slides number their parts with it (第二部分).
"""

from __future__ import annotations

from typing import Final

DIGITS: Final = "零一二三四五六七八九"
_GROUPS: Final = ("", "万", "亿", "万亿")
_PLACES: Final = ("", "十", "百", "千")


def cardinal(n: int) -> str:
    """12 → 十二, 2000 → 两千, 100010 → 十万零一十 (up to 10¹⁶)."""
    if n == 0:
        return "零"
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, gap = "", False
    for i in reversed(range(len(groups))):
        group = groups[i]
        if group == 0:
            gap = bool(out)
            continue
        if out and (gap or group < 1000):
            out += "零"
        out += _four(group) + _GROUPS[i]
        gap = False
    if out.startswith("一十"):
        out = out[1:]
    if out[:2] in ("二千", "二万", "二亿"):
        out = "两" + out[1:]
    return out


def _four(group: int) -> str:
    out, zero = "", False
    for place in (3, 2, 1, 0):
        digit = group // 10**place % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + _PLACES[place]
    return out


def digitwise(digits: str, one: str = "一") -> str:
    """2026 → 二零二六; phone numbers read 1 as 幺 (`one="幺"`)."""
    return "".join(one if d == "1" else DIGITS[int(d)] for d in digits if d.isdigit())
