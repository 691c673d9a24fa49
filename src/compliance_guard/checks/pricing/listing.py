"""A listing's price fields against each other (《明码标价和禁止价格欺诈规定》): a 划线价 above the
7-day lowest price, a title or description price lower than the price field, a price below
cost outside a promotion. Field names, labels, tolerances and messages come from the rules'
options. The same checks read a listing pasted as text (``售价：99`` / ``划线价：199`` lines)."""
from __future__ import annotations

from collections.abc import Callable, Mapping

import regex

from compliance_guard.checks.base import EMPHASIS, Check, amount, fill, finding
from compliance_guard.checks.pricing import mentions
from compliance_guard.checks.pricing.mentions import MENTION_KINDS, Mentions, alternation, find_prices, price_value
from compliance_guard.load.schema import Option, choices, mapping, number, severity_or_off, string, strings
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.text import lazyre
from compliance_guard.text.normalize import fold_one_to_one
from compliance_guard.text.view import FieldViews, TextView

ROLES = ("price", "original_price", "lowest_price_7d", "cost", "title", "description", "promotion")
OPTIONS = {
    "fields": Option(mapping(string, keys=ROLES), {}, "role -> the listing's field name"),
    "labels": Option(mapping(strings, keys=ROLES), {}, "role -> labels of its 「售价：99」 line in a pasted listing"),
    "truthy": Option(strings, (), "values of the promotion field that mean yes (default 1, true, yes, 是)"),
    "role_names": Option(mapping(string, keys=ROLES), {}, "role -> its name in messages"),
}
ORIGINAL_OPTIONS = {**OPTIONS,
                    "tolerance": Option(number, 0.0, "元 the 划线价 may exceed the 7-day lowest price"),
                    "exempt_text": Option(strings, (), "words in title or description that exempt the listing")}
TEXT_PRICE_OPTIONS = {**OPTIONS, **mentions.OPTIONS,
                      "compare_kinds": Option(choices(*MENTION_KINDS), (),
                                              "mention kinds compared with the price (default sale, amount)"),
                      "rounding_tolerance": Option(number, 1.0, "元 of difference that is 舍零取整"),
                      "higher_severity": Option(severity_or_off, Severity.INFO,
                                                "a text price above the price field: error, warning, info or off"),
                      "messages": Option(mapping(string), {}, "lower and higher")}
BELOW_COST_OPTIONS = {**OPTIONS,
                      "min_margin": Option(number, 0.0, "fraction of cost the price may fall short of it")}


class PriceFields:
    """A listing rule's options, folded and compiled once."""

    def __init__(self, o: dict):
        self.fields = {r: r for r in ROLES} | dict(o["fields"])
        self.fields_key = ("pricing.fields", tuple(self.fields.items()))
        self.role_names = dict(o["role_names"])
        labels = [(fold_one_to_one(lab), role) for role, labs in o["labels"].items() for lab in labs]
        self.by_label = dict(labels)
        alt = alternation(lab for lab, _ in labels)
        self.label_line = regex.compile(
            rf"(?m)^[ \t]*{EMPHASIS}(?P<label>{alt}){EMPHASIS}[ \t]*:[ \t]*{EMPHASIS}(?P<v>[^\n]*?){EMPHASIS}"
            r"[ \t\r。.；;，,！!]*$"
        ) if alt else None
        self.truthy = {fold_one_to_one(w).strip() for w in o["truthy"]} or {"1", "true", "yes", "是"}
        self.tolerance = o.get("tolerance", 0.0)
        self.exempt_text = [fold_one_to_one(w) for w in o.get("exempt_text", ())]
        self.min_margin = o.get("min_margin", 0.0)
        self.compare_kinds = set(o.get("compare_kinds", ())) or {"sale", "amount"}
        self.rounding_tolerance = o.get("rounding_tolerance", 1.0)
        self.higher = o.get("higher_severity", Severity.INFO)
        self.messages = dict(o.get("messages", {}))
        self.mentions = Mentions(o) if "keywords" in o else None

    def message(self, rule, key: str) -> str:
        return self.messages.get(key) or rule.message


_UNREAD = object()


class _Field:
    """A role's value ``text[start:end]``; ``text`` is folded one for one (a view's ``folded``)
    when a rule first reads it, and the price is read once."""

    def __init__(self, role: str, name: str, text: str, start: int, end: int, folded: str | TextView):
        self.role = role  # price, title, … (the rule's view)
        self.name = name  # the listing's own field name
        self.text = text  # the text the offsets refer to (the field value, or the whole pasted text)
        self.start, self.end = start, end
        self._folded = folded
        self._price: object = _UNREAD

    @property
    def folded(self) -> str:
        if not isinstance(self._folded, str):
            self._folded = self._folded.folded
        return self._folded

    @property
    def value(self) -> str:
        return self.text[self.start:self.end]

    @property
    def folded_value(self) -> str:
        return self.folded[self.start:self.end]

    @property
    def price(self) -> float | None:
        if self._price is _UNREAD:
            value = self.value
            # ASCII digits fold to themselves: most price cells need no fold and no regex
            self._price = float(value) if value.isdigit() and value.isascii() else price_value(self.folded_value)
        return self._price


def _from_listing(fields: FieldViews, sp: PriceFields) -> dict[str, _Field]:
    """The listing's fields by role, once per listing for the rules that name the same fields."""
    out = fields.memo.get(sp.fields_key)
    if out is not None:
        return out
    out = fields.memo[sp.fields_key] = {}
    for role, name in sp.fields.items():
        value = fields.fields.get(name)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            continue
        if isinstance(value, str):
            text, folded = value, fields.view(name)
        else:
            text = folded = amount(float(value))
        if text.strip():
            out[role] = _Field(role, name, text, len(text) - len(text.lstrip()), len(text.rstrip()), folded)
    return out


def _from_text(view: TextView, sp: PriceFields) -> dict[str, _Field]:
    """``售价：99`` / ``划线价：199`` lines: a listing pasted as text."""
    out: dict[str, _Field] = {}
    if sp.label_line is None:
        return out
    for m in sp.label_line.finditer(view.folded):
        role = sp.by_label.get(m["label"])
        if role and role not in out and m["v"]:
            out[role] = _Field(role, role, view.original, m.start("v"), m.end("v"), view.folded)
    return out


def _original_above_lowest(rule, sp: PriceFields, fields: dict[str, _Field]) -> list[Finding]:
    if "original_price" not in fields or "lowest_price_7d" not in fields:
        return []
    f = fields["original_price"]
    original, lowest = f.price, fields["lowest_price_7d"].price
    price = fields["price"].price if "price" in fields else None
    if original is None or lowest is None or (price is not None and original <= price):
        return []
    shown = [fields[r].folded_value for r in ("title", "description") if r in fields]
    if any(w in s for w in sp.exempt_text for s in shown) or original <= lowest + sp.tolerance:
        return []
    return [finding(rule, f.text, f.start, f.end, fill(rule.message, text=f.value, original=original, lowest=lowest),
                    field_name=f.name)]


def _below_cost(rule, sp: PriceFields, fields: dict[str, _Field]) -> list[Finding]:
    if "price" not in fields or "cost" not in fields:
        return []
    f = fields["price"]
    price, cost = f.price, fields["cost"].price
    promo = fields.get("promotion")
    if price is None or cost is None or (promo is not None and promo.folded_value.strip() in sp.truthy):
        return []
    if price >= cost * (1 - sp.min_margin):
        return []
    return [finding(rule, f.text, f.start, f.end, fill(rule.message, text=f.value, price=price, cost=cost),
                    field_name=f.name)]


def _text_price(rule, sp: PriceFields, fields: dict[str, _Field]) -> list[Finding]:
    price = fields["price"].price if "price" in fields else None
    if price is None or sp.mentions is None:
        return []
    out = []
    for role in ("title", "description"):
        f = fields.get(role)
        if f is None:
            continue
        for m in find_prices(f.folded_value, sp.mentions):
            if m.kind not in sp.compare_kinds or abs(m.value - price) <= sp.rounding_tolerance:
                continue
            lower = m.value < price
            severity = rule.severity if lower else sp.higher
            if severity is None:
                continue
            s, e = f.start + m.start, f.start + m.end
            msg = fill(sp.message(rule, "lower" if lower else "higher"), text=f.text[s:e], stated=m.value,
                       price=price, field=sp.role_names.get(role, f.name))
            out.append(finding(rule, f.text, s, e, msg, severity, field_name=f.name))
    return out


Logic = Callable[[object, PriceFields, Mapping[str, _Field]], list[Finding]]


def _runners(logic: Logic):
    def in_listing(fields: FieldViews, rule, sp: PriceFields) -> list[Finding]:
        return logic(rule, sp, _from_listing(fields, sp))

    def in_text(view: TextView, rule, sp: PriceFields) -> list[Finding]:
        """The rule on a listing pasted as text (``售价：99`` lines); silent otherwise."""
        fields = _from_text(view, sp)
        if len(fields) < 2:
            return []
        found = logic(rule, sp, fields)
        for f in found:
            f.field = None
        return found

    return in_text, in_listing


def _listing_check(name: str, options, logic: Logic, fills) -> Check:
    text, listing = _runners(logic)
    return Check(name, options=options, prepare=PriceFields, text=text, listing=listing,
                 gate=lazyre.compile(":"),  # 「售价：99」 lines
                 fills=fills)


LISTING_ORIGINAL_PRICE = _listing_check("listing-original-price", ORIGINAL_OPTIONS, _original_above_lowest,
                                        {"": ("text", "original", "lowest")})
LISTING_TEXT_PRICE = _listing_check("listing-text-price", TEXT_PRICE_OPTIONS, _text_price,
                                    {f"messages.{k}": ("text", "stated", "price", "field") for k in ("lower", "higher")})
LISTING_BELOW_COST = _listing_check("listing-below-cost", BELOW_COST_OPTIONS, _below_cost,
                                    {"": ("text", "price", "cost")})
