"""Price mentions in a text: ¥/元 amounts, 原价/现价/到手价/券后价… with their keyword, X折 and
满X减Y, found on the one-for-one folded text (offsets are the original's). Keywords and
exclusions come from a rule's options; only the shape of a price expression is fixed here.
Discounts and amounts are scanned backwards ((?r)): they end in a literal (折, 元, 块), which the
regex module then finds at string-search speed (25x faster on shop copy, the same matches)."""
from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from compliance_guard.load.schema import Option, mapping, regexes, strings
from compliance_guard.text import lazyre
from compliance_guard.text.normalize import fold_one_to_one

KEYWORD_KINDS = ("original", "sale", "conditional", "reduction")
OPTIONS = {
    "keywords": Option(mapping(strings, keys=KEYWORD_KINDS), {},
                       "price keywords by kind: original (原价), sale (现价), conditional (到手价), reduction (立减)"),
    "amount_exclude_after": Option(strings, (), "words after an amount that make it no price (券, 运费)"),
    "amount_exclude_before": Option(strings, (), "words before an amount that make it no price (满, 每斤)"),
    "discount_allow": Option(regexes, (), "X折 in these are no discount (一波三折, 三折叠)"),
    "range_before": Option(strings, (), "words before X折 that make it a range, not this price's discount (低至)"),
    "range_after": Option(strings, (), "words after X折 that make it a range (起, 封顶)"),
}
MENTION_KINDS = KEYWORD_KINDS + ("amount", "discount", "full_reduction")

_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(?P<num>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)\s*(?P<wan>万)?"
_DISCOUNT = lazyre.compile(
    r"(?<![0-9.一二两三四五六七八九十])(?P<d>[0-9]{1,2}(?:\.[0-9])?|[一二两三四五六七八九]{1,2}|半)\s*折|(?P<half>半价)",
    regex.REVERSE,
)
_FULL_REDUCTION = lazyre.compile(
    r"满\s*¥?\s*(?P<x>[0-9]+(?:\.[0-9]+)?)\s*(?:元|块)?\s*[,，]?\s*(?:立?减|省)\s*¥?\s*(?P<y>[0-9]+(?:\.[0-9]+)?)\s*(?:元|块)?"
)
_AMOUNT_SIGN = lazyre.compile(rf"¥\s*{_NUM}\s*(?:元|块钱?)?")
_AMOUNT_UNIT = lazyre.compile(rf"{_NUM}\s*(?:元|块钱?)", regex.REVERSE)
_ANY_FIGURE = lazyre.compile(r"[0-9一二两三四五六七八九半]")
_PRICE_VALUE = lazyre.compile(rf"\s*(?:¥|rmb)?\s*{_NUM}\s*(?:元|块)?\s*")


@dataclass
class PriceMention:
    """One price expression in a text (offsets into the original text)."""

    kind: str  # original | sale | conditional | reduction | amount | discount | full_reduction
    value: float  # yuan; for discount the 折 number (3.5 = 35 % of the price); for 满减 the reduction
    start: int
    end: int
    keyword: str = ""
    threshold: float = 0.0  # 满减 threshold
    ranged: bool = False  # 低至三折 / 三折起 / 第二件五折: not the discount of this price


def alternation(words: Iterable[str]) -> str:
    words = sorted({fold_one_to_one(w) for w in words if w}, key=len, reverse=True)
    return "|".join(regex.escape(w) for w in words)


def optional(pattern: str, alt: str) -> regex.Pattern | None:
    return regex.compile(pattern.replace("ALT", alt)) if alt else None


class Mentions:
    """How a rule's options find price mentions: its keywords and exclusions, compiled once."""

    def __init__(self, o: dict):
        groups = []
        for kind in KEYWORD_KINDS:
            alt = alternation(o["keywords"].get(kind, ()))
            if alt:
                groups.append(f"(?P<{kind}>{alt})")
        connector = r"(?:[:：]|是|为|只要|只需|仅需|仅要|仅|才|要|低至)?"
        self.keywords = regex.compile(
            rf"(?:{'|'.join(groups)})\s*{connector}\s*(?P<cur>¥|rmb)?\s*{_NUM}\s*(?P<unit>元|块钱?)?"
        ) if groups else None
        self.after_ex = optional(r"\s*(?:ALT)", alternation(o["amount_exclude_after"]))
        self.before_ex = optional(r"(?:ALT)\s*$", alternation(o["amount_exclude_before"]))
        self.discount_allow = [regex.compile(p) for p in o["discount_allow"]]
        self.range_before = optional(r"(?:ALT)\s*$", alternation(o["range_before"]))
        self.range_after = optional(r"\s*(?:ALT)", alternation(o["range_after"]))
        self.key = tuple(p.pattern if p is not None else None for p in (
            self.keywords, self.after_ex, self.before_ex, self.range_before, self.range_after, *self.discount_allow))


def number(num: str, wan: str | None = None) -> float:
    value = float(num.replace(",", ""))
    return value * 10000 if wan else value


def price_value(folded: str) -> float | None:
    """A folded field value (``¥1,299.00``, ``199元``, ``99``) as a number, or None."""
    m = _PRICE_VALUE.fullmatch(folded)
    return number(m["num"], m["wan"]) if m else None


def parse_price(value) -> float | None:
    """A listing field value (a number, or a string such as ``¥1,299.00``) as a number, or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return price_value(fold_one_to_one(str(value)))


class Spans:
    """A fixed set of spans, asked whether any overlaps a span: sorted by start, with the
    furthest end so far, so a question costs one bisection (a long text has thousands)."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._reach = list(itertools.accumulate((e for _, e in ordered), max))

    def overlaps(self, span: tuple[int, int]) -> bool:
        k = bisect.bisect_left(self._starts, span[1])  # the spans that start before its end
        return k > 0 and self._reach[k - 1] > span[0]


def inside(span: tuple[int, int], spans: Spans) -> bool:
    return spans.overlaps(span)


def _discount_value(d: str) -> float | None:
    if d == "半":
        return 5.0
    if d[0] in _CN_DIGIT:
        digits = [_CN_DIGIT[c] for c in d]
        return digits[0] + (digits[1] / 10 if len(digits) > 1 else 0)
    if "." not in d and len(d) == 2:
        return None if d[1] == "0" else float(d) / 10  # 75折 = 7.5折, 88折 = 8.8折
    value = float(d)
    return value if 0 < value < 10 else None


_LAST: dict[tuple, tuple[str, list[PriceMention]]] = {}  # Mentions.key -> the last text and its mentions


def find_prices(t: str, sp: Mentions) -> list[PriceMention]:
    """Every price mention in the folded text ``t`` (offsets are those of the text it folds).
    Several checks read the prices of one text with the same options: the last answer per
    options is kept for the same text (the list is shared: callers only read it)."""
    last = _LAST.get(sp.key)
    if last is not None and last[0] is t:
        return last[1]
    found = _find_prices(t, sp)
    _LAST[sp.key] = (t, found)
    return found


def _find_prices(t: str, sp: Mentions) -> list[PriceMention]:
    if not _ANY_FIGURE.search(t):
        return []
    out: list[PriceMention] = []
    if sp.keywords is not None:
        for m in sp.keywords.finditer(t):
            kind = next(k for k in KEYWORD_KINDS if m.group(k))
            keyword = m[kind]
            if "价" not in keyword and not (m["cur"] or m["unit"]):
                continue  # 仅3件 is a count: a keyword without 价 needs ¥ or 元
            out.append(PriceMention(kind, number(m["num"], m["wan"]), m.start(), m.end(), keyword))
    # each pattern below needs a literal (满, ¥, 元 or 块, 折 or 半价): a text without it is not scanned
    if "满" in t:
        for m in _FULL_REDUCTION.finditer(t):
            out.append(PriceMention("full_reduction", float(m["y"]), m.start(), m.end(), "满减", threshold=float(m["x"])))
    taken = Spans((p.start, p.end) for p in out)
    signed = list(_AMOUNT_SIGN.finditer(t)) if "¥" in t else []
    unit = []
    if "元" in t or "块" in t:
        signed_spans = Spans(x.span() for x in signed)
        unit = [m for m in _AMOUNT_UNIT.finditer(t) if not inside(m.span(), signed_spans)]
    for m in sorted(signed + unit, key=lambda m: m.start()):
        if inside(m.span(), taken):
            continue
        if sp.after_ex is not None and sp.after_ex.match(t, m.end(), m.end() + 8):
            continue
        if sp.before_ex is not None and sp.before_ex.search(t[max(0, m.start() - 8):m.start()]):
            continue
        out.append(PriceMention("amount", number(m["num"], m["wan"]), m.start(), m.end()))
    if "折" in t or "半价" in t:
        allowed = Spans(m.span() for p in sp.discount_allow for m in p.finditer(t))
        for m in _DISCOUNT.finditer(t):
            value = _discount_value(m["d"] or "半")
            if value is None or inside(m.span(), allowed):
                continue
            ranged = sp.range_before is not None and bool(sp.range_before.search(t[max(0, m.start() - 4):m.start()]))
            ranged = ranged or (sp.range_after is not None and bool(sp.range_after.match(t, m.end(), m.end() + 3)))
            out.append(PriceMention("discount", value, m.start(), m.end(), m.group(), ranged=ranged))
    return sorted(out, key=lambda p: (p.start, p.end))
