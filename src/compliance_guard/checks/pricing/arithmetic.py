"""Discounts, reductions and 满减 whose stated figure does not follow from the prices a text
gives (原价199现价99 is about 5折, not 三折). Keywords, tolerances and messages come from the
rule's options (``rules/pricing.yaml``)."""
from __future__ import annotations

from compliance_guard.checks.base import Check, fill, finding
from compliance_guard.checks.pricing import mentions
from compliance_guard.checks.pricing.mentions import Mentions, alternation, find_prices, optional
from compliance_guard.load.schema import Option, mapping, number, severity_or_off, string, strings, whole
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.text import lazyre
from compliance_guard.text.view import TextView

OPTIONS = {
    **mentions.OPTIONS,
    "window": Option(whole, 30, "characters between 原价 and 现价, and from them to the stated 折/立减"),
    "discount_tolerance": Option(number, 0.5, "折 a stated discount may differ from the real one"),
    "rounding_tolerance": Option(number, 1.0, "元 a stated reduction may differ (舍零取整)"),
    "favourable_severity": Option(severity_or_off, Severity.WARNING,
                                  "a stated saving smaller than the real one: error, warning, info or off"),
    "equivalence_words": Option(strings, (), "words that equate 满减 with a 折 (相当于)"),
    "messages": Option(mapping(string), {}, "a message per case (see fills)"),
}
_PRICES = ("text", "original", "price")
_THRESHOLD = ("text", "threshold", "reduction")
FILLS = {"messages.not_lower": _PRICES,
         **{f"messages.{k}": _PRICES + ("actual",) for k in (
             "discount", "reduction", "discount_favourable", "reduction_favourable")},
         "messages.full_reduction": _THRESHOLD,
         "messages.full_reduction_discount": _THRESHOLD + ("actual",)}


class Arithmetic:
    def __init__(self, o: dict):
        self.mentions = Mentions(o)
        self.window = o["window"]
        self.discount_tolerance = o["discount_tolerance"]
        self.rounding_tolerance = o["rounding_tolerance"]
        self.favourable = o["favourable_severity"]
        self.equivalence = optional(r"(?:ALT)\s*$", alternation(o["equivalence_words"]))
        self.messages = o["messages"]

    def message(self, rule, key: str) -> str:
        return self.messages.get(key) or rule.message


def price_arithmetic(view: TextView, rule, sp: Arithmetic) -> list[Finding]:
    text, t = view.original, view.folded
    found = find_prices(t, sp.mentions)
    if not found:
        return []
    out: list[Finding] = []
    used: set[int] = set()
    for orig in (m for m in found if m.kind == "original"):
        sales = [m for m in found if m.kind in ("sale", "conditional") and abs(m.start - orig.start) <= sp.window]
        if not sales:
            continue
        sale = min(sales, key=lambda m: abs(m.start - orig.start))
        lo, hi = min(orig.start, sale.start), max(orig.end, sale.end)
        if sale.value >= orig.value:
            out.append(finding(rule, text, lo, hi, fill(sp.message(rule, "not_lower"), text=text[lo:hi],
                                                        original=orig.value, price=sale.value)))
            continue
        for m in found:
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
            msg = fill(sp.message(rule, key if deeper else key + "_favourable"), text=text[m.start:m.end],
                       original=orig.value, price=sale.value, actual=round(actual, 1))
            out.append(finding(rule, text, m.start, m.end, msg, severity))
    for fr in (m for m in found if m.kind == "full_reduction"):
        if fr.value >= fr.threshold:
            out.append(finding(rule, text, fr.start, fr.end, fill(
                sp.message(rule, "full_reduction"), text=text[fr.start:fr.end], threshold=fr.threshold,
                reduction=fr.value)))
            continue
        stated = next((m for m in found if m.kind == "discount" and not m.ranged
                       and 0 <= m.start - fr.end <= sp.window), None)
        if stated is None or sp.equivalence is None or not sp.equivalence.search(t[fr.end:stated.start]):
            continue
        actual = (fr.threshold - fr.value) / fr.threshold * 10
        severity = rule.severity if stated.value < actual else sp.favourable
        if abs(stated.value - actual) > sp.discount_tolerance and severity is not None:
            out.append(finding(rule, text, stated.start, stated.end, fill(
                sp.message(rule, "full_reduction_discount"), text=text[stated.start:stated.end],
                threshold=fr.threshold, reduction=fr.value, actual=round(actual, 1)), severity))
    return out


PRICE_ARITHMETIC = Check("price-arithmetic", options=OPTIONS, prepare=Arithmetic, text=price_arithmetic,
                         gate=lazyre.compile("[0-9]"),  # every figure it recomputes has digits
                         fills=FILLS)
