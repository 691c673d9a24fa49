"""Prices in marketing text and in listing fields (REGULATIONS.md §4).

In text: price mentions (¥/元, 原价/现价/到手价/券后价…, X折, 满X减Y) are extracted and the
arithmetic a text claims is recomputed (原价199现价99 is about 5折, not 三折); 限时 offers with
no stated period are flagged. Across the fields of a listing: 划线价 above the 7-day lowest
price, a title/description price lower than the price field, a price below cost outside a
promotion. Keywords, tolerances and messages come from the rules' ``options`` in
``rules/pricing.yaml``; only the shape of a price expression is fixed here.

Text is folded one character for one character (NFKC, traditional -> simplified, Latin
lower-cased), so offsets are the original's and line breaks are kept.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterable, Mapping

import regex

from compliance_guard.checks import EMPHASIS as _EMPHASIS
from compliance_guard.checks import register
from compliance_guard.text import lazyre
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.text.normalize import first_pass, fold_term

_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(?P<num>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)\s*(?P<wan>万)?"
# Discounts and amounts are scanned backwards ((?r)): they end in a literal (折, 元, 块), which
# the regex module then finds at string-search speed, instead of trying every digit forwards
# (25x faster on shop copy; the same matches, which tests/test_pricing.py holds).
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


class _OneToOne(dict):
    """``str.translate`` table folding each character to exactly one character."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        folded = fold_term(ch)
        value = folded if len(folded) == 1 else (" " if not folded else ch)
        self[cp] = value
        return value


_FOLD = _OneToOne()


@functools.lru_cache(maxsize=16)
def fold(text: str) -> str:
    """NFKC/simplified/lower-case fold of ``text`` with the same length (offsets unchanged):
    the normaliser's first pass itself when that maps one character for one (almost always)."""
    folded, odd = first_pass(text)
    return folded if odd is None else text.translate(_FOLD)


def _number(num: str, wan: str | None = None) -> float:
    value = float(num.replace(",", ""))
    return value * 10000 if wan else value


_PRICE_VALUE = lazyre.compile(rf"\s*(?:¥|rmb)?\s*{_NUM}\s*(?:元|块)?\s*")


def parse_price(value) -> float | None:
    """A listing field value (``¥1,299.00``, ``199元``, ``99``) as a number, or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = _PRICE_VALUE.fullmatch(fold(str(value)))
    return _number(m["num"], m["wan"]) if m else None


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _fill(template: str, **values) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", _fmt(value) if isinstance(value, float) else str(value))
    return template


def _strs(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        value = [value]
    return [str(v) for v in value if str(v).strip()]


def _float(options: Mapping, key: str, default: float) -> float:
    try:
        return float(options.get(key, default))
    except (TypeError, ValueError):
        return default


def _alternation(words: Iterable[str]) -> str:
    words = sorted({fold(w) for w in words if w}, key=len, reverse=True)
    return "|".join(regex.escape(w) for w in words)


def _optional(pattern: str, alt: str) -> regex.Pattern | None:
    return regex.compile(pattern.replace("ALT", alt)) if alt else None


def _words(options: Mapping):
    """The time-limit words (限时, 仅限今天…) of a rule: its pattern, and its gate."""
    alt = _alternation(_strs(options.get("words")))
    return lazyre.compile(alt) if alt else None


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def _severity(options: Mapping, key: str, default: Severity | None) -> Severity | None:
    value = options.get(key)
    if value is None:
        return default
    if str(value).lower() in ("off", "none", "false"):
        return None
    return Severity.parse(str(value))


_ROLES = ("price", "original_price", "lowest_price_7d", "cost", "title", "description", "promotion")


class _Spec:
    """A pricing rule's options, folded and compiled once."""

    def __init__(self, o: Mapping):
        kw = o.get("keywords") or {}
        groups = []
        for kind in ("original", "sale", "conditional", "reduction"):
            alt = _alternation(_strs(kw.get(kind)))
            if alt:
                groups.append(f"(?P<{kind}>{alt})")
        connector = r"(?:[:：]|是|为|只要|只需|仅需|仅要|仅|才|要|低至)?"
        self.keywords = regex.compile(
            rf"(?:{'|'.join(groups)})\s*{connector}\s*(?P<cur>¥|rmb)?\s*{_NUM}\s*(?P<unit>元|块钱?)?"
        ) if groups else None
        self.after_ex = _optional(r"\s*(?:ALT)", _alternation(_strs(o.get("amount_exclude_after"))))
        self.before_ex = _optional(r"(?:ALT)\s*$", _alternation(_strs(o.get("amount_exclude_before"))))
        self.discount_allow = [regex.compile(p) for p in _strs(o.get("discount_allow"))]
        self.range_before = _optional(r"(?:ALT)\s*$", _alternation(_strs(o.get("range_before"))))
        self.range_after = _optional(r"\s*(?:ALT)", _alternation(_strs(o.get("range_after"))))
        self.equivalence = _optional(r"(?:ALT)\s*$", _alternation(_strs(o.get("equivalence_words"))))
        self.messages = {str(k): str(v) for k, v in (o.get("messages") or {}).items()}
        self.window = int(_float(o, "window", 30))
        self.discount_tolerance = _float(o, "discount_tolerance", 0.5)
        self.rounding_tolerance = _float(o, "rounding_tolerance", 1.0)
        self.favourable = _severity(o, "favourable_severity", Severity.WARNING)
        self.higher = _severity(o, "higher_severity", Severity.INFO)
        # time limits
        self.words = _words(o)
        self.allow = [regex.compile(p) for p in _strs(o.get("allow"))]
        self.end_times = [regex.compile(p) for p in _strs(o.get("end_time_patterns"))]
        self.time_window = int(_float(o, "window", 80))
        self.require_offer = bool(o.get("require_offer", True))
        self.offer_window = int(_float(o, "offer_window", 40))
        # listing fields
        self.fields = {r: r for r in _ROLES} | {str(k): str(v) for k, v in (o.get("fields") or {}).items()}
        self.role_names = {str(k): str(v) for k, v in (o.get("role_names") or {}).items()}
        labels = [(fold(lab), str(role)) for role, labs in (o.get("labels") or {}).items() for lab in _strs(labs)]
        self.by_label = dict(labels)
        alt = _alternation(lab for lab, _ in labels)
        self.label_line = regex.compile(
            rf"(?m)^[ \t]*{_EMPHASIS}(?P<label>{alt}){_EMPHASIS}[ \t]*:[ \t]*{_EMPHASIS}(?P<v>[^\n]*?){_EMPHASIS}[ \t\r。.；;，,！!]*$"
        ) if alt else None
        self.truthy = {fold(w).strip() for w in _strs(o.get("truthy"))} or {"1", "true", "yes", "是"}
        self.tolerance = _float(o, "tolerance", 0.0)
        self.exempt_text = [fold(w) for w in _strs(o.get("exempt_text"))]
        self.min_margin = _float(o, "min_margin", 0.0)
        self.compare_kinds = set(_strs(o.get("compare_kinds"))) or {"sale", "amount"}

    def message(self, rule, key: str) -> str:
        return self.messages.get(key) or rule.message


_SPECS: dict[int, tuple[Mapping, _Spec]] = {}


def _spec(options: Mapping) -> _Spec:
    hit = _SPECS.get(id(options))
    if hit is None or hit[0] is not options:
        hit = (options, _Spec(options))
        _SPECS[id(options)] = hit
    return hit[1]


# -- price mentions -------------------------------------------------------------------------

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


def find_prices(text: str, options: Mapping) -> list[PriceMention]:
    """Every price mention in ``text``; keyword lists and exclusions come from ``options``."""
    t = fold(text)
    if not _ANY_FIGURE.search(t):
        return []
    sp = _spec(options)
    out: list[PriceMention] = []
    if sp.keywords is not None:
        for m in sp.keywords.finditer(t):
            kind = next(k for k in ("original", "sale", "conditional", "reduction") if m.group(k))
            keyword = m[kind]
            if "价" not in keyword and not (m["cur"] or m["unit"]):
                continue  # 仅3件 is a count: a keyword without 价 needs ¥ or 元
            out.append(PriceMention(kind, _number(m["num"], m["wan"]), m.start(), m.end(), keyword))
    for m in _FULL_REDUCTION.finditer(t):
        out.append(PriceMention("full_reduction", float(m["y"]), m.start(), m.end(), "满减", threshold=float(m["x"])))
    taken = [(p.start, p.end) for p in out]
    signed = list(_AMOUNT_SIGN.finditer(t))
    unit = [m for m in _AMOUNT_UNIT.finditer(t) if not _inside(m.span(), [x.span() for x in signed])]
    for m in sorted(signed + unit, key=lambda m: m.start()):
        if _inside(m.span(), taken):
            continue
        if sp.after_ex is not None and sp.after_ex.match(t, m.end(), m.end() + 8):
            continue
        if sp.before_ex is not None and sp.before_ex.search(t[max(0, m.start() - 8):m.start()]):
            continue
        out.append(PriceMention("amount", _number(m["num"], m["wan"]), m.start(), m.end()))
    allowed = [m.span() for p in sp.discount_allow for m in p.finditer(t)]
    for m in _DISCOUNT.finditer(t):
        value = _discount_value(m["d"] or "半")
        if value is None or _inside(m.span(), allowed):
            continue
        ranged = sp.range_before is not None and bool(sp.range_before.search(t[max(0, m.start() - 4):m.start()]))
        ranged = ranged or (sp.range_after is not None and bool(sp.range_after.match(t, m.end(), m.end() + 3)))
        out.append(PriceMention("discount", value, m.start(), m.end(), m.group(), ranged=ranged))
    return sorted(out, key=lambda p: (p.start, p.end))


# -- text checks ----------------------------------------------------------------------------

def _finding(rule, text: str, start: int, end: int, message: str, severity: Severity | None = None,
             field_name: str | None = None) -> Finding:
    return Finding(
        rule=rule.id, pack=rule.pack, category=rule.category, severity=severity or rule.severity,
        message=message, text=text[start:end], start=start, end=end,
        suggestions=list(rule.suggest.get("*", [])), source=rule.source, field=field_name,
    )


_PRICES = ("text", "original", "price")
_THRESHOLD = ("text", "threshold", "reduction")


@register("price-arithmetic", gate=lazyre.compile("[0-9]"),  # every figure it recomputes has digits
          placeholders={"messages.not_lower": _PRICES,
                        **{f"messages.{k}": _PRICES + ("actual",) for k in (
                            "discount", "reduction", "discount_favourable", "reduction_favourable")},
                        "messages.full_reduction": _THRESHOLD,
                        "messages.full_reduction_discount": _THRESHOLD + ("actual",)})
def price_arithmetic(text: str, rule) -> list[Finding]:
    """Discounts, reductions and 满减 whose stated figure does not follow from the prices given."""
    mentions = find_prices(text, rule.options)
    if not mentions:
        return []
    sp = _spec(rule.options)
    out: list[Finding] = []
    used: set[int] = set()
    for orig in (m for m in mentions if m.kind == "original"):
        sales = [m for m in mentions if m.kind in ("sale", "conditional") and abs(m.start - orig.start) <= sp.window]
        if not sales:
            continue
        sale = min(sales, key=lambda m: abs(m.start - orig.start))
        lo, hi = min(orig.start, sale.start), max(orig.end, sale.end)
        if sale.value >= orig.value:
            out.append(_finding(rule, text, lo, hi, _fill(sp.message(rule, "not_lower"), text=text[lo:hi],
                                                          original=orig.value, price=sale.value)))
            continue
        for m in mentions:
            if id(m) in used or m.start < lo - sp.window or m.start > hi + sp.window:
                continue
            if m.kind == "discount" and not m.ranged:
                actual, tol, key = sale.value / orig.value * 10, sp.discount_tolerance, "discount"
                deeper = m.value < actual
            elif m.kind == "reduction":
                actual, tol, key = orig.value - sale.value, sp.rounding_tolerance, "reduction"
                deeper = m.value > actual
            else:
                continue
            used.add(id(m))
            severity = rule.severity if deeper else sp.favourable
            if abs(m.value - actual) <= tol or severity is None:
                continue
            msg = _fill(sp.message(rule, key if deeper else key + "_favourable"), text=text[m.start:m.end],
                        original=orig.value, price=sale.value, actual=round(actual, 1))
            out.append(_finding(rule, text, m.start, m.end, msg, severity))
    t = fold(text)
    for fr in (m for m in mentions if m.kind == "full_reduction"):
        if fr.value >= fr.threshold:
            out.append(_finding(rule, text, fr.start, fr.end, _fill(
                sp.message(rule, "full_reduction"), text=text[fr.start:fr.end], threshold=fr.threshold,
                reduction=fr.value)))
            continue
        stated = next((m for m in mentions if m.kind == "discount" and not m.ranged
                       and 0 <= m.start - fr.end <= sp.window), None)
        if stated is None or sp.equivalence is None or not sp.equivalence.search(t[fr.end:stated.start]):
            continue
        actual = (fr.threshold - fr.value) / fr.threshold * 10
        severity = rule.severity if stated.value < actual else sp.favourable
        if abs(stated.value - actual) > sp.discount_tolerance and severity is not None:
            out.append(_finding(rule, text, stated.start, stated.end, _fill(
                sp.message(rule, "full_reduction_discount"), text=text[stated.start:stated.end],
                threshold=fr.threshold, reduction=fr.value, actual=round(actual, 1)), severity))
    return out


@register("time-limit", gate=lambda rule: _words(rule.options))  # no 限时 word, no finding
def time_limit(text: str, rule) -> list[Finding]:
    """限时/仅限今天 price offers whose period (an end date or time) is stated nowhere near them.

    Only a concrete offer counts (a price, 折 or 满减 figure near the words): the regulation
    is about 限时减价、折价, and 限时折扣 named as a tactic in an article is not an offer.
    """
    sp = _spec(rule.options)
    if sp.words is None:
        return []
    t = fold(text)
    hits = list(sp.words.finditer(t))
    if not hits:
        return []
    allowed = [m.span() for p in sp.allow for m in p.finditer(t)]
    ends = [m.span() for p in sp.end_times for m in p.finditer(t)]
    offers = [(p.start, p.end) for p in find_prices(text, rule.options)] if sp.require_offer else None
    w, ow = sp.time_window, sp.offer_window
    out = []
    for m in hits:
        if _inside(m.span(), allowed):
            continue
        if offers is not None and not _inside((m.start() - ow, m.end() + ow), offers):
            continue
        if _inside((m.start() - w, m.end() + w), ends):
            continue
        out.append(_finding(rule, text, m.start(), m.end(), _fill(rule.message, text=text[m.start():m.end()])))
    return out


# -- listing fields -----------------------------------------------------------------------

LISTING_CHECKS = ("listing-original-price", "listing-text-price", "listing-below-cost")


@dataclass
class _Field:
    role: str  # price, title, … (the rule's view)
    name: str  # the listing's own field name
    text: str  # the text the offsets refer to (the field value, or the whole pasted text)
    start: int
    end: int

    @property
    def value(self) -> str:
        return self.text[self.start:self.end]


def _from_listing(fields: Mapping[str, object], sp: _Spec) -> dict[str, _Field]:
    out = {}
    for role, name in sp.fields.items():
        value = fields.get(name)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            continue
        text = value if isinstance(value, str) else _fmt(float(value))
        if text.strip():
            out[role] = _Field(role, name, text, len(text) - len(text.lstrip()), len(text.rstrip()))
    return out


def _from_text(text: str, sp: _Spec) -> dict[str, _Field]:
    """``售价：99`` / ``划线价：199`` lines: a listing pasted as text."""
    out: dict[str, _Field] = {}
    if sp.label_line is None:
        return out
    for m in sp.label_line.finditer(fold(text)):
        role = sp.by_label.get(m["label"])
        if role and role not in out and m["v"]:
            out[role] = _Field(role, role, text, m.start("v"), m.end("v"))
    return out


def _original_above_lowest(rule, sp: _Spec, fields: dict[str, _Field]) -> list[Finding]:
    if "original_price" not in fields or "lowest_price_7d" not in fields:
        return []
    f = fields["original_price"]
    original, lowest = parse_price(f.value), parse_price(fields["lowest_price_7d"].value)
    price = parse_price(fields["price"].value) if "price" in fields else None
    if original is None or lowest is None or (price is not None and original <= price):
        return []
    shown = [fold(fields[r].value) for r in ("title", "description") if r in fields]
    if any(w in s for w in sp.exempt_text for s in shown) or original <= lowest + sp.tolerance:
        return []
    return [_finding(rule, f.text, f.start, f.end, _fill(rule.message, text=f.value, original=original, lowest=lowest),
                     field_name=f.name)]


def _below_cost(rule, sp: _Spec, fields: dict[str, _Field]) -> list[Finding]:
    if "price" not in fields or "cost" not in fields:
        return []
    f = fields["price"]
    price, cost = parse_price(f.value), parse_price(fields["cost"].value)
    promo = fields.get("promotion")
    if price is None or cost is None or (promo is not None and fold(promo.value).strip() in sp.truthy):
        return []
    if price >= cost * (1 - sp.min_margin):
        return []
    return [_finding(rule, f.text, f.start, f.end, _fill(rule.message, text=f.value, price=price, cost=cost),
                     field_name=f.name)]


def _text_price(rule, sp: _Spec, fields: dict[str, _Field]) -> list[Finding]:
    price = parse_price(fields["price"].value) if "price" in fields else None
    if price is None:
        return []
    out = []
    for role in ("title", "description"):
        f = fields.get(role)
        if f is None:
            continue
        for m in find_prices(f.value, rule.options):
            if m.kind not in sp.compare_kinds or abs(m.value - price) <= sp.rounding_tolerance:
                continue
            lower = m.value < price
            severity = rule.severity if lower else sp.higher
            if severity is None:
                continue
            s, e = f.start + m.start, f.start + m.end
            msg = _fill(sp.message(rule, "lower" if lower else "higher"), text=f.text[s:e], stated=m.value,
                        price=price, field=sp.role_names.get(role, f.name))
            out.append(_finding(rule, f.text, s, e, msg, severity, field_name=f.name))
    return out


_LISTING_LOGIC = {
    "listing-original-price": _original_above_lowest,
    "listing-text-price": _text_price,
    "listing-below-cost": _below_cost,
}


def _listing_text_check(text: str, rule) -> list[Finding]:
    """The listing rules on a listing pasted as text (``售价：99`` lines); silent otherwise."""
    sp = _spec(rule.options)
    fields = _from_text(text, sp)
    if len(fields) < 2:
        return []
    found = _LISTING_LOGIC[rule.check](rule, sp, fields)
    for f in found:
        f.field = None
    return found


_LISTING_FILLS = {  # what each listing check's _fill calls fill in
    "listing-original-price": {"": ("text", "original", "lowest")},
    "listing-below-cost": {"": ("text", "price", "cost")},
    "listing-text-price": {f"messages.{k}": ("text", "stated", "price", "field") for k in ("lower", "higher")},
}
for _name in LISTING_CHECKS:
    register(_name, gate=lazyre.compile(":"), placeholders=_LISTING_FILLS[_name])(_listing_text_check)  # 「售价：99」 lines


def check_listing_prices(fields: Mapping[str, object], options: Mapping | None = None) -> list[Finding]:
    """Cross-field price findings for one listing.

    ``options["rules"]``: the rules to apply (pass an ``Engine``'s ``rules`` so select/ignore
    and severity overrides hold); default: the built-in packs. Field names (``fields:``),
    tolerances and messages are in each rule's YAML ``options``. Values may be numbers or
    strings (``¥1,299.00``); unparsable values are skipped. Findings carry ``field`` and
    offsets within that field's value.
    """
    rules = (options or {}).get("rules")
    if rules is None:
        from compliance_guard.engine import default_engine

        rules = default_engine().rules
    out: list[Finding] = []
    for rule in rules:
        if getattr(rule, "check", None) in LISTING_CHECKS:
            sp = _spec(rule.options)
            out.extend(_LISTING_LOGIC[rule.check](rule, sp, _from_listing(fields, sp)))
    return out
