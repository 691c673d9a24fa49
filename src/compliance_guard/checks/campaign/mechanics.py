"""Campaign mechanics judged as compliance, even where the practitioner articles recommend
them: invite-N-for-a-coupon, share- or follow-for-reward, 砍价/助力, multi-level commission,
entry fees and per-recruit rewards are ``induced-sharing`` errors; a lottery's top prize over
the legal cap, entry conditions that ask for a share or a follow, unpublished prizes and a
lottery-style 拼团 are findings too. One check per CMP rule; its messages, sources and
suggestions are the rule's (rules/campaign.yaml)."""
from __future__ import annotations

from compliance_guard.checks.base import Check, fill
from compliance_guard.checks.campaign.review import CampaignReview, name_of, yuan
from compliance_guard.load.schema import Option, string

RECOMMENDED = {"recommended_by": Option(string, "", "who recommends the mechanic all the same (said in the message)")}


def _mechanic(name: str, kind: str, fills: tuple[str, ...], judge, options=None) -> Check:
    """A check over the mechanics of ``kind``: ``judge(review, rule, options, mechanic)`` gives the
    finding's values (its placeholders, the value it is about), or None."""

    def run(review: CampaignReview, rule, prepared: dict) -> list:
        out = []
        for m in review.campaign.mechanics:
            if m.get("type") != kind:
                continue
            found = judge(review, rule, prepared, m)
            if found is None:
                continue
            values, at, extra = found
            also = prepared.get("recommended_by")
            message = fill(rule.message, path=m.path, also=f" — even though {also}" if also else "", **values)
            out.append(review.finding(rule, message, extra.get("source", rule.source), at, m,
                                      suggestions=extra.get("suggestions")))
        return out

    return Check(name, options=options or {}, campaign=run, fills={"": ("path", "also", *fills)})


def _invite(r, rule, o, m):
    if m.get("reward"):
        return {"count": m.get("invite_count") or "N", "reward": m.get("reward")}, m.values.get("reward"), {}
    return None


def _share(r, rule, o, m):
    return ({"reward": m.get("reward")}, m.values.get("reward"), {}) if m.get("reward") else None


def _bargain(r, rule, o, m):
    return {"name": name_of(m)}, m.values.get("type"), {}


def _levels(r, rule, o, m):
    levels = m.get("levels")
    if levels is None and "commission" in m:
        levels = len(m.get("commission"))
    allowed = r.profile["campaign.distribution_max_levels"]
    if levels is None or levels <= allowed:
        return None
    return {"levels": levels, "allowed": allowed}, m.values.get("levels") or m.values.get("commission"), {}


def _entry_fee(r, rule, o, m):
    return ({"fee": yuan(m.get("entry_fee"))}, m.values.get("entry_fee"), {}) if m.get("entry_fee") else None


def _per_recruit(r, rule, o, m):
    reward = m.get("per_recruit_reward")
    return ({"reward": yuan(reward)}, m.values.get("per_recruit_reward"), {}) if reward else None


def _top_prize(r, rule, o, m):
    prize, cap = m.get("top_prize"), r.profile["campaign.lottery_top_prize_max"]
    if prize is None or prize <= cap:
        return None
    return ({"prize": yuan(prize), "cap": yuan(cap)}, m.values.get("top_prize"),
            {"source": r.profile.source("campaign.lottery_top_prize_max"),
             "suggestions": [f"a top prize of at most {yuan(cap)}"]})


def _conditions(r, rule, o, m):
    from compliance_guard.load.campaigns import is_entry_condition  # the YAML reader, only for a campaign

    conditions = [c for c in m.get("conditions", []) if is_entry_condition(c)]
    return ({"conditions": "、".join(conditions)}, m.values.get("conditions"), {}) if conditions else None


def _unpublished(r, rule, o, m):
    return ({}, m.values.get("prizes_published"), {}) if m.get("prizes_published") is False else None


def _lottery_group(r, rule, o, m):
    return ({}, m.values.get("lottery"), {}) if m.get("lottery") else None


INVITE_REWARD = _mechanic("invite-reward", "invite", ("count", "reward"), _invite, RECOMMENDED)
SHARE_REWARD = _mechanic("share-reward", "share", ("reward",), _share, RECOMMENDED)
FOLLOW_REWARD = _mechanic("follow-reward", "follow", ("reward",), _share)
BARGAIN = _mechanic("bargain", "bargain", ("name",), _bargain, RECOMMENDED)
DISTRIBUTION_LEVELS = _mechanic("distribution-levels", "distribution", ("levels", "allowed"), _levels, RECOMMENDED)
DISTRIBUTION_ENTRY_FEE = _mechanic("distribution-entry-fee", "distribution", ("fee",), _entry_fee)
DISTRIBUTION_PER_RECRUIT = _mechanic("distribution-per-recruit", "distribution", ("reward",), _per_recruit)
LOTTERY_TOP_PRIZE = _mechanic("lottery-top-prize", "lottery", ("prize", "cap"), _top_prize)
LOTTERY_CONDITIONS = _mechanic("lottery-conditions", "lottery", ("conditions",), _conditions)
LOTTERY_PRIZES_PUBLISHED = _mechanic("lottery-prizes-published", "lottery", (), _unpublished)
LOTTERY_GROUP_BUY = _mechanic("lottery-group-buy", "group_buy", (), _lottery_group)
