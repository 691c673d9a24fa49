"""Every rule carries examples: its bad ones must be flagged by it, its good ones must not.
``cguard rules test``, user packs on load and the test suite run them here. The examples of a
rule whose check reads campaigns are campaign files (YAML), judged with the default profile."""
from __future__ import annotations

import functools
from collections.abc import Iterable

from compliance_guard.checks import CHECKS
from compliance_guard.checks.campaign.review import CampaignReview
from compliance_guard.engine import Engine
from compliance_guard.load.campaigns import CampaignError, parse_campaign
from compliance_guard.load.profiles import load_profile
from compliance_guard.model.rule import PackSet, Rule


def verify_examples(packset: PackSet, rules: Iterable[Rule] | None = None) -> list[str]:
    """One ``file:line: ...`` message per example that disagrees with its rule.

    A rule is judged by an engine over its own pack: a team pack that repeats a built-in term
    (最好 with its own message) is not shadowed by the built-in rule winning the overlap.
    """
    rules = list(rules if rules is not None else packset.rules)
    wanted = {r.pack for r in rules}
    engines = {p.name: Engine(PackSet([p])) for p in packset.packs if p.name in wanted}
    failures = []
    for rule in rules:
        for _kind, text, problem in example_problems(engines[rule.pack], rule):
            failures.append(f"{rule.file}:{rule.line}: rule {rule.id}: {problem}: {text!r}")
    return failures


def example_problems(engine: Engine, rule: Rule) -> list[tuple[str, str, str]]:
    """``(bad|good, example, what is wrong)`` for each example ``rule`` gets wrong in ``engine``."""
    out = []
    for kind in ("bad", "good"):
        for text in rule.examples.get(kind, []):
            problem = example_problem(engine, rule, kind, text)
            if problem:
                out.append((kind, text, problem))
    return out


def example_problem(engine: Engine, rule: Rule, kind: str, text: str) -> str | None:
    """What is wrong with one example of ``rule`` (``kind`` bad or good) in ``engine``, or None."""
    judge = _campaign_findings if _reads_campaigns(rule) else _text_findings
    hits = [f.text for f in judge(text, engine) if f.rule == rule.id]
    if kind == "bad" and not hits:
        return "bad example not flagged"
    if kind == "good" and hits:
        return f"good example flagged ({'、'.join(hits)})"
    return None


def _text_findings(text: str, engine: Engine) -> list:
    return engine.check(text)


def _reads_campaigns(rule: Rule) -> bool:
    check = CHECKS.get(rule.check) if rule.kind == "check" else None
    return check is not None and check.campaign is not None and check.text is None


@functools.lru_cache(maxsize=1)
def _default_profile():
    return load_profile()


def _campaign_findings(text: str, engine: Engine) -> list:
    """The findings of ``engine``'s campaign checks on a campaign example."""
    try:
        campaign = parse_campaign(text, "<example>")
    except CampaignError:
        return []
    return engine.check_campaign(CampaignReview(campaign, _default_profile()))
