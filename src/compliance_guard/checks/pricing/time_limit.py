"""限时/仅限今天 price offers whose period (an end date or time) is stated nowhere near them.

Only a concrete offer counts (a price, 折 or 满减 figure near the words): the regulation is
about 限时减价、折价, and 限时折扣 named as a tactic in an article is not an offer."""
from __future__ import annotations

import regex

from compliance_guard.checks.base import Check, fill, finding
from compliance_guard.checks.pricing import mentions
from compliance_guard.checks.pricing.mentions import Mentions, Spans, alternation, find_prices, inside
from compliance_guard.load.schema import Option, boolean, regexes, strings, whole
from compliance_guard.model.finding import Finding
from compliance_guard.text import lazyre
from compliance_guard.text.view import TextView

OPTIONS = {
    **mentions.OPTIONS,
    "words": Option(strings, (), "the time-limit words (限时, 仅限今天)"),
    "allow": Option(regexes, (), "contexts that are no offer (不限时, 限时达)"),
    "window": Option(whole, 80, "an end date or time within this many characters states the period"),
    "end_time_patterns": Option(regexes, (), "what states a period (11月11日, 24:00, 截止)"),
    "require_offer": Option(boolean, True, "only a word with a price, 折 or 满减 figure nearby is an offer"),
    "offer_window": Option(whole, 40, "characters either side in which the offer's figure stands"),
}


class TimeLimit:
    def __init__(self, o: dict):
        self.mentions = Mentions(o)
        alt = alternation(o["words"])
        self.words = lazyre.compile(alt) if alt else None
        self.allow = [regex.compile(p) for p in o["allow"]]
        self.end_times = [regex.compile(p) for p in o["end_time_patterns"]]
        self.window = o["window"]
        self.require_offer = o["require_offer"]
        self.offer_window = o["offer_window"]


def time_limit(view: TextView, rule, sp: TimeLimit) -> list[Finding]:
    if sp.words is None:
        return []
    text, t = view.original, view.folded
    hits = list(sp.words.finditer(t))
    if not hits:
        return []
    allowed = Spans(m.span() for p in sp.allow for m in p.finditer(t))
    ends = Spans(m.span() for p in sp.end_times for m in p.finditer(t))
    offers = Spans((p.start, p.end) for p in find_prices(t, sp.mentions)) if sp.require_offer else None
    w, ow = sp.window, sp.offer_window
    out = []
    for m in hits:
        if inside(m.span(), allowed):
            continue
        if offers is not None and not inside((m.start() - ow, m.end() + ow), offers):
            continue
        if inside((m.start() - w, m.end() + w), ends):
            continue
        out.append(finding(rule, text, m.start(), m.end(), fill(rule.message, text=text[m.start():m.end()])))
    return out


TIME_LIMIT = Check("time-limit", options=OPTIONS, prepare=TimeLimit, text=time_limit,
                   gate=lambda sp: sp.words)  # no 限时 word, no finding
