"""Hand-built speeches for the slide benchmark, the docs images and the tests (no parser needed).

`zh_speech()` follows examples/zh-organization-meeting.txt (一、/（一） structure), `en_speech()`
is a short English talk, `stress_speech()` holds the cases that break naive decks.
"""

from __future__ import annotations

from deliver.model import Point, Section, Speech


def _p(headline: str, text: str, *bullets: str) -> Point:
    return Point(text=text, headline=headline, bullets=tuple(bullets))


def zh_speech() -> Speech:
    """A realistic 讲话稿: salutation, opening, four body sections with （一）（二） points, closing."""
    opening = Section(
        "开场",
        "opening",
        (
            _p(
                "会议定位",
                "今天是我们春节收假上班后召开的第一个会，既是一个收心会，又是今年年初的一个月例会，更是全年组织工作任务分解落实的一个推进会，既是务虚，更是务实。",
                "春节收假后第一个会",
                "既是收心会，又是月例会",
                "全年任务分解落实的推进会",
            ),
            _p(
                "三点要求",
                "这里，我提三点要求：一要认真学习，深刻领会精髓；二要深入对接，系统谋划工作；三要聚焦重点，认真抓好落实。",
                "认真学习，深刻领会精髓",
                "深入对接，系统谋划工作",
                "聚焦重点，认真抓好落实",
            ),
        ),
    )
    body = (
        Section(
            "如何提高组织工作的政治站位",
            "body",
            (
                _p(
                    "（一）政治性是组织工作的第一属性",
                    "政治性是组织工作的第一属性。组织部门是党的政治部门，任何一项工作说到底都是政治工作，都要讲政治。",
                    "组织部门是党的政治部门",
                    "任何一项工作说到底都是政治工作",
                ),
                _p(
                    "（二）加快构建组织保障体系",
                    "要在思想上全面对表、在工作上全面对接、在行动上全面看齐，加快构建适应全市经济社会发展的组织保障体系。重点有四个体系，一是理论话语体系，二是组织领导体系，三是考核评价体系，四是执行落实体系。",
                    "理论话语体系",
                    "组织领导体系",
                    "考核评价体系",
                    "执行落实体系",
                ),
            ),
        ),
        Section(
            "如何坚守组织工作的职责定位",
            "body",
            (
                _p(
                    "（一）围绕中心、服务大局",
                    "党中央对组织部门的职责定位是很明确的，总体来说就是组织路线为政治路线服务，具体就是围绕中心、服务大局。",
                    "组织路线为政治路线服务",
                    "围绕中心、服务大局",
                ),
                _p(
                    "（二）做好结合这篇文章",
                    "坚守职责定位，关键是做好结合这篇文章。必须把选干部配班子与推进各项事业结合起来，知人识事、以事择人；必须把人才工作与全市重大战略的需要结合起来，创新政策、营造环境、凝聚人才、服务事业。",
                    "把中央、省委、市委决策部署与组织部门职能结合起来",
                    "把选干部配班子与推进各项事业结合起来，知人识事、以事择人",
                    "把人才工作与重大战略需要结合起来：创新政策、营造环境、凝聚人才、服务事业",
                ),
            ),
        ),
        Section(
            "如何提高组织工作的境界水平",
            "body",
            (
                _p(
                    "（一）坚持问题导向",
                    "组织工作必须坚持以问题导向来谋划思路、设计制度、制定政策、推动落实，弄清楚问题的根源、找准问题的症结，切实解决问题。",
                    "以问题导向谋划思路、设计制度",
                    "找准问题症结，切实解决问题",
                    "目标导向与问题导向相结合",
                ),
            ),
        ),
        Section(
            "如何抓好组织工作的任务落实",
            "body",
            (
                _p(
                    "（一）强化执行抓落实",
                    "要强化执行抓落实：一是增强复命意识，凡是安排的工作都要及时反馈；二是提高划句号能力，确保布置的任务坚决完满完成。",
                    "增强复命意识：安排的工作及时反馈",
                    "提高“划句号”能力：不留尾巴、不留后遗症",
                ),
                _p(
                    "（二）时间安排",
                    "我们要在今年2月份内把内部工作任务、人员机构设置、人员配备安排好，从3月份开始，要深入基层、深入一线、深入群众，全面开展组织工作大调研、大督查。",
                    "2月份：任务、机构、人员安排到位",
                    "3月份起：深入基层、一线、群众",
                    "开展组织工作大调研、大督查",
                ),
            ),
        ),
    )
    closing = Section(
        "结束语",
        "closing",
        (
            _p(
                "以实干求实效",
                "同志们，蓝图已经绘就，号角已经吹响，让我们以实干求实效，推动各项任务落地见效。",
                "以实干求实效，推动任务落地见效",
            ),
        ),
    )
    return Speech(
        "组织部长春节收心会暨组织工作务虚会讲话稿",
        "zh",
        "同志们：",
        (opening, *body, closing),
        {"occasion": "全市组织工作务虚会", "date": "2024年2月18日", "speaker": "市委组织部部长"},
    )


def en_speech() -> Speech:
    """A short English talk: opening, two body sections, closing; no salutation."""
    return Speech(
        "Shipping Reliable Software on a Budget",
        "en",
        None,
        (
            Section(
                "Opening",
                "opening",
                (
                    _p(
                        "Why this matters",
                        "Every outage costs us trust. "
                        "Today I want to show how a small team can ship reliable software without a big budget.",
                        "Outages cost trust",
                        "Small teams can still be reliable",
                    ),
                ),
            ),
            Section(
                "Measure what users feel",
                "body",
                (
                    _p(
                        "Pick three signals",
                        "Start with three signals users actually feel: latency, errors and freshness of data. "
                        "Put them on one dashboard everyone sees.",
                        "Latency at the 95th percentile",
                        "Error rate per request",
                        "Freshness of data",
                    ),
                    _p(
                        "Alert on symptoms",
                        "Alert on symptoms, not causes. A full disk matters only when users notice it.",
                        "Symptoms, not causes",
                        "Page a human only when users notice",
                    ),
                ),
            ),
            Section(
                "Make changes small",
                "body",
                (
                    _p(
                        "Small batches",
                        "Small changes are easy to review, easy to roll back and easy to reason about. Aim for a deploy a day.",
                        "Easy to review",
                        "Easy to roll back",
                        "One deploy a day",
                    ),
                ),
            ),
            Section(
                "Closing",
                "closing",
                (
                    _p(
                        "Start Monday",
                        "Pick one signal and one small change, and start on Monday.",
                        "One signal, one small change",
                    ),
                ),
            ),
        ),
        {"date": "12 March 2025", "speaker": "Alex Chen", "occasion": "Engineering all-hands"},
    )


def stress_speech() -> Speech:
    """Hostile input: a 600-character point without punctuation, a 40-item list, a 200-character
    headline, mixed Chinese/English/numbers and emoji."""
    unpunctuated = ("坚持以人民为中心的发展思想推动高质量发展全面深化改革扩大高水平对外开放" * 20)[:600]
    long_headline = ("关于进一步加强和改进新时代基层党组织建设推动全面从严治党向纵深发展" * 6)[:200]
    mixed = "2024年GDP增长5.2%，AI与big data赋能数字政府建设🚀，覆盖100+个部门👍🏽，满意度达98.6%（同比+3.1pp）"
    items = tuple(f"第{i + 1}项：完善工作机制，压实工作责任，确保任务落实" for i in range(40))
    return Speech(
        "压力测试：超长文本、超多要点与混合文字😀",
        "zh",
        "各位领导、同志们：",
        (
            Section(
                "超长段落",
                "body",
                (
                    _p("六百字无标点", unpunctuated, unpunctuated),
                    _p(long_headline, long_headline + "。这是一个标题过长的要点。", "标题超长时应换行、缩小或截短"),
                ),
            ),
            Section(
                "超多要点与混合文字 Mixed text 😀",
                "body",
                (
                    _p("四十项要点清单", "。".join(items) + "。", *items),
                    _p(
                        "中英文数字混排😀",
                        mixed,
                        mixed,
                        "Latin words such as internationalization and GDP-per-capita stay whole",
                    ),
                ),
            ),
        ),
        {"date": "2025年1月1日"},
    )
