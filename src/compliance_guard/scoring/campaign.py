"""``cguard campaign``: campaign parameters against the profile's ranges (the practitioner
articles' numbers), and the mechanics against the law and WeChat's rules.

The checks are the CMP rules of rules/campaign.yaml (checks/campaign): parameters (拼团 price,
满减 threshold, product roles, price band, coupon stacking, safety stock, alert thresholds)
outside the profile's range are ``campaign-parameter`` findings (warning by default) that name
the computed value, the allowed range and the source; mechanics are judged as compliance, even
where the articles recommend them. The engine runs the CMP rules it has (so select, ignore and
severity apply to them as to any rule); this scorer turns what they judged into sub-scores.
Every string in the file is also checked with the rule packs. Findings point into the campaign
file (``text == file[start:end]``), at the value they are about.
"""
from __future__ import annotations

from compliance_guard.checks.campaign.review import CampaignReview
from compliance_guard.load.campaigns import TEXT_FIELDS, CampaignError, read_campaign
from compliance_guard.load.profiles import Profile, load_profile
from compliance_guard.model.campaign import Campaign, Value
from compliance_guard.model.finding import Finding, sort_key
from compliance_guard.scoring.model import Evidence, Scorer, ScoreReport, SubScore, compliance_subscore, finalize
from compliance_guard.text.lines import LineIndex

CATEGORY = "campaign-parameter"
GROUPS = {
    "group_buy": ("拼团价格", "group_discount"),
    "threshold": ("满减门槛", "threshold_ratio"),
    "roles": ("商品角色", "traffic_price_max"),
    "price_band": ("主力价格带", "main_price_band"),
    "stacking": ("叠券后到手价", "min_margin_after_coupons"),
    "stock": ("安全库存", "safety_stock_ratio"),
    "alerts": ("预警阈值", "alert_return_rate"),
}


def score_campaign(path: str, profile: Profile | None, engine) -> ScoreReport:
    profile = profile or load_profile()
    report = ScoreReport(path, "campaign", profile.name)
    try:
        camp = read_campaign(path)
    except CampaignError as exc:
        report.error = str(exc)
        return report
    report.text = camp.text
    review = CampaignReview(camp, profile)
    judged_findings = engine.check_campaign(review)
    report.problems = list(camp.problems)  # after the checks: they add what they could not judge
    if not review.judged and not camp.mechanics:
        report.error = (f"{path}: nothing to judge: no product, coupon or metric has the values a check needs "
                        "(price, cost, group_price, threshold, stock …) and there are no mechanics")
        return report
    copy_findings = _copy_findings(camp, engine, review.reported)
    report.findings = sorted(judged_findings + copy_findings, key=sort_key)
    groups: dict[str, list] = {}
    for j in sorted(review.judged, key=lambda j: j.order):
        groups.setdefault(j.group, []).append(j)
    subs = []
    for name, (label, key) in GROUPS.items():
        checks = groups.get(name, [])
        if not checks:
            subs.append(SubScore(name, label, None, improvement=f"{label}: not judged (no data in the file)",
                                 source=profile.source(f"campaign.{key}")))
            continue
        failed = [c for c in checks if c.finding is not None]
        subs.append(SubScore(
            name, label, 100 * sum(c.credit for c in checks) / len(checks),
            evidence=[Evidence(text, detail, line=line) for text, detail, line in (c.evidence for c in checks)],
            improvement="; ".join(c.advice for c in failed[:3]),
            source=profile.source(f"campaign.{key}"),
            facts={"checks": len(checks), "violations": len(failed)},
        ))
    compliance = [f for f in report.findings if f.category != CATEGORY]
    subs.append(compliance_subscore(compliance, profile))
    report.subscores = subs
    report.facts = {"products": len(camp.products), "coupons": len(camp.coupons), "mechanics": len(camp.mechanics),
                    "parameters_checked": len(review.judged),
                    "parameters_violated": sum(1 for c in review.judged if c.finding is not None)}
    weights = {name: len(groups.get(name, [])) for name in GROUPS}
    # parameter findings are already priced into their sub-scores: only compliance findings cap
    return finalize(report, weights, profile, capping=compliance)


def _copy_findings(camp: Campaign, engine, reported: dict[str, set[str]]) -> list[Finding]:
    """Rule-pack findings in every text value, at their place in the file; a mechanic's wording is
    not reported twice for a category its structure was already reported under."""
    lines = LineIndex(camp.text)
    out: list[Finding] = []
    entries = [camp.top, *camp.products, *camp.coupons, *camp.mechanics] + ([camp.metrics] if camp.metrics else [])
    for entry in entries:
        skip = reported.get(entry.path, set())
        for key, v in entry.values.items():
            if key not in TEXT_FIELDS:
                continue
            texts = v.value if isinstance(v.value, list) else [v.value]
            for text in texts:
                for f in engine.check_unlocated(text):
                    if f.category in skip:
                        continue
                    out.append(_place(f, text, v, camp.text, lines))
    return out


def _place(f: Finding, value: str, v: Value, file_text: str, lines: LineIndex) -> Finding:
    """Move a finding from the value string into the file when the value is written verbatim."""
    if v.span is not None:
        s, e = v.span
        base = file_text.find(value, s, e) if value else -1
        if base >= 0:
            f.start, f.end = f.start + base, f.end + base
            f.text = file_text[f.start:f.end]
            f.message = f"{v.path}: {f.message}"
            return lines.locate(f)
    f.field = v.path
    f.line, f.column = v.line, 1
    f.end_line, f.end_column = v.line, 1
    return f


SCORER = Scorer("campaign", "Check campaign parameters (CAMPAIGN.yaml) against the profile's ranges and the mechanics "
                            "against the rules.", "campaigns",
                lambda campaigns, profile, engine, options: [score_campaign(path, profile, engine) for path in campaigns],
                rule_options=("fail_on", "packs"))
