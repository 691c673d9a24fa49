"""``cguard campaign``: campaign parameters against the seeds' numbers, and the mechanics
against the law and WeChat's rules.

Parameters (拼团 price, 满减 threshold, product roles, price band, coupon stacking, safety
stock, alert thresholds) outside the profile's range become ``campaign-parameter`` findings
(warning by default) that name the computed value, the allowed range and the source. The
mechanics are judged as compliance, even where the seeds recommend them: invite-N-for-a-coupon,
share- or follow-for-reward, 砍价/助力 and multi-level commission are ``induced-sharing``
errors, a lottery top prize over 5万元 a ``pricing`` error. Every string in the file is also
checked with the rule packs. Findings point into the campaign file (``text ==
file[start:end]``), at the value they are about.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from compliance_guard.model.finding import Finding, Severity, sort_key
from compliance_guard.text.lines import LineIndex
from compliance_guard.load.campaigns import (
    TEXT_FIELDS,
    Campaign,
    CampaignError,
    Entry,
    Value,
    is_entry_condition,
    read_campaign,
)
from compliance_guard.scoring.model import Evidence, Scorer, ScoreReport, SubScore, compliance_subscore, finalize
from compliance_guard.load.profiles import Profile, load_profile

CATEGORY = "campaign-parameter"
PACK = "campaign"
WECHAT_SHARING = ("《微信外部链接内容管理规范》(2019-10-28 版) 1.2: 利诱分享(红包、优惠券…)、邀请好友协助(助力、砍价、加速)、"
                  "收集任务 (REGULATIONS.md §3)")
WECHAT_FOLLOW = "微信公众平台/视频号运营规范: 诱导关注 (e.g. “关注后才能领取”) (REGULATIONS.md §3)"
WECHAT_LOTTERY_GROUP = "《微信外部链接内容管理规范》(2019 升级版): bans lottery-style or unclear 拼团 (REGULATIONS.md §3)"
MLM = ("WeChat 《关于整顿非法分销模式行为的公告》(2015): 依据下线销售业绩提成; 《禁止传销条例》(2005) 第七条 "
       "(一) 拉人头 (二) 入门费 (三) 团队计酬 (REGULATIONS.md §3)")
PROMO = "《规范促销行为暂行规定》(市场监管总局令第32号) 有奖销售 (REGULATIONS.md §4)"
SEED_RECOMMENDS = {
    "invite": "seed 000_c995b40b8521f108.txt §四 recommends “邀请3人进群领5折券” and seed 002_3d92b33970d16026.txt §二 “邀请3人砍价1元购”",
    "share": "seed 001_fb21ea007a48c49b.txt §五 lists 好友分享券",
    "bargain": "seed 001_fb21ea007a48c49b.txt §五 lists 砍价助力; seed 002_3d92b33970d16026.txt §二 “邀请3人砍价1元购”",
    "distribution": "seed 000_c995b40b8521f108.txt §四 recommends “分销返现15%”",
}

# -- checks -----------------------------------------------------------------------------------------


@dataclass
class Check:
    """One parameter judged: its credit (1 = within range) and, when violated, a Finding."""

    group: str
    label: str
    credit: float
    evidence: Evidence
    finding: Finding | None = None
    advice: str = ""


class _Judge:
    def __init__(self, camp: Campaign, profile: Profile):
        self.camp = camp
        self.profile = profile
        self.lines = LineIndex(camp.text)
        self.checks: list[Check] = []
        self.findings: list[Finding] = []
        self.severity = Severity.parse(profile["campaign.parameter_severity"])

    def finding(self, rule: str, category: str, severity: Severity, message: str, source: str, at: Value | None,
                entry: Entry | None = None, suggestions: list[str] | None = None) -> Finding:
        start, end = self._span(at, entry)
        f = Finding(rule=rule, pack=PACK, category=category, severity=severity, message=message,
                    text=self.camp.text[start:end], start=start, end=end, source=source,
                    suggestions=suggestions or [])
        return self.lines.locate(f)

    def _span(self, at: Value | None, entry: Entry | None) -> tuple[int, int]:
        if at is not None and at.span is not None:
            return at.span
        line = at.line if at is not None else entry.line if entry is not None else 1
        s = self.lines.line_start(max(1, min(line, self.camp.text.count("\n") + 1)))
        e = self.camp.text.find("\n", s)
        return s, (len(self.camp.text) if e == -1 else e)

    def param(self, group: str, label: str, rule: str, key: str, value: float, at: Value | None,
              lo: float | None, hi: float | None, what: str, fmt: Callable[[float], str], fix: str = "") -> None:
        """Judge ``value`` against [lo, hi] (profile key ``key``); a violation is a finding."""
        source = self.profile.source(f"campaign.{key}")
        allowed = _range_text(lo, hi, fmt)
        ok = (lo is None or value >= lo - 1e-9) and (hi is None or value <= hi + 1e-9)
        where = at.path if at is not None else "campaign"
        ev = Evidence(f"{what} = {fmt(value)}", f"allowed {allowed} ({where})", line=at.line if at else None)
        if ok:
            self.checks.append(Check(group, label, 1.0, ev))
            return
        bound = lo if lo is not None and value < lo else hi
        distance = abs(value - bound)
        reference = abs(bound) if bound else (abs(hi - lo) if lo is not None and hi is not None else 1.0)
        credit = 0.5 * max(0.0, 1 - distance / max(reference, 1e-9))
        msg = f"{where}: {what} is {fmt(value)}, outside {allowed} (source: {source})" + (f"; {fix}" if fix else "")
        f = self.finding(rule, CATEGORY, self.severity, msg, source, at)
        advice = f"{where}: {fmt(value)} → {fix or 'bring it to ' + allowed}"
        self.checks.append(Check(group, label, credit, ev, f, advice))
        self.findings.append(f)

    def rule(self, rule: str, category: str, message: str, source: str, at: Value | None, entry: Entry,
             severity: Severity = Severity.ERROR, suggestions: list[str] | None = None) -> None:
        self.findings.append(self.finding(rule, category, severity, message, source, at, entry, suggestions))


def _range_text(lo, hi, fmt) -> str:
    if lo is not None and hi is not None:
        return f"{fmt(lo)}–{fmt(hi)}"
    if lo is not None:
        return f"≥ {fmt(lo)}"
    return f"≤ {fmt(hi)}"


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


def _yuan(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") + "元"


def _times(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") + "×"


def _name(e: Entry) -> str:
    return e.get("name") or e.get("sku") or e.path


def score_campaign(path: str, profile: Profile | None, engine) -> ScoreReport:
    profile = profile or load_profile()
    report = ScoreReport(path, "campaign", profile.name)
    try:
        camp = read_campaign(path)
    except CampaignError as exc:
        report.error = str(exc)
        return report
    report.text = camp.text
    report.problems = list(camp.problems)
    judge = _Judge(camp, profile)
    _group_buy(judge)
    _thresholds(judge)
    _roles(judge)
    _price_band(judge)
    _stacking(judge)
    _stock(judge)
    _alerts(judge)
    mechanic_findings = _mechanics(judge)
    if not judge.checks and not camp.mechanics:
        report.error = (f"{path}: nothing to judge: no product, coupon or metric has the values a check needs "
                        "(price, cost, group_price, threshold, stock …) and there are no mechanics")
        return report
    copy_findings = _copy_findings(camp, engine, mechanic_findings)
    report.findings = sorted(judge.findings + copy_findings, key=sort_key)
    groups: dict[str, list[Check]] = {}
    for c in judge.checks:
        groups.setdefault(c.group, []).append(c)
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
            evidence=[c.evidence for c in checks],
            improvement="; ".join(c.advice for c in failed[:3]),
            source=profile.source(f"campaign.{key}"),
            facts={"checks": len(checks), "violations": len(failed)},
        ))
    compliance = [f for f in report.findings if f.category != CATEGORY]
    subs.append(compliance_subscore(compliance, profile))
    report.subscores = subs
    report.facts = {"products": len(camp.products), "coupons": len(camp.coupons), "mechanics": len(camp.mechanics),
                    "parameters_checked": len(judge.checks),
                    "parameters_violated": sum(1 for c in judge.checks if c.finding is not None)}
    weights = {name: len(groups.get(name, [])) for name in GROUPS}
    # parameter findings are already priced into their sub-scores: only compliance findings cap
    return finalize(report, weights, profile, capping=compliance)


GROUPS = {
    "group_buy": ("拼团价格", "group_discount"),
    "threshold": ("满减门槛", "threshold_ratio"),
    "roles": ("商品角色", "traffic_price_max"),
    "price_band": ("主力价格带", "main_price_band"),
    "stacking": ("叠券后到手价", "min_margin_after_coupons"),
    "stock": ("安全库存", "safety_stock_ratio"),
    "alerts": ("预警阈值", "alert_return_rate"),
}


# -- parameter groups ---------------------------------------------------------------------------------

def _group_buy(j: _Judge) -> None:
    lo, hi = j.profile["campaign.group_discount"]
    for p in j.camp.products:
        gp, price, cost = p.get("group_price"), p.get("price"), p.get("cost")
        if gp is None:
            continue
        at = p.values["group_price"]
        if price:
            j.param("group_buy", "拼团折扣", "CMP101", "group_discount", 1 - gp / price, at, lo, hi,
                    f"{_name(p)} 拼团价 {_yuan(gp)} vs 日常价 {_yuan(price)}: discount", _pct,
                    fix=_target_price(price, lo, hi))
        if cost:
            j.param("group_buy", "拼团价高于成本", "CMP102", "group_over_cost_min", gp / cost - 1, at,
                    j.profile["campaign.group_over_cost_min"], None,
                    f"{_name(p)} 拼团价 {_yuan(gp)} vs 成本 {_yuan(cost)}: margin over cost", _pct,
                    fix=f"拼团价 at least {_yuan(cost * (1 + j.profile['campaign.group_over_cost_min']))}")


def _target_price(price: float, lo, hi) -> str:
    if lo is None or hi is None:
        return ""
    return f"a 拼团价 between {_yuan(price * (1 - hi))} and {_yuan(price * (1 - lo))} fits"


def _thresholds(j: _Judge) -> None:
    aov = j.camp.top.get("average_order_value")
    lo, hi = j.profile["campaign.threshold_ratio"]
    for c in j.camp.coupons:
        if c.get("type") != "threshold" or c.get("threshold") is None:
            continue
        if not aov:
            j.camp.problems.append(f"{j.camp.path}:{c.line}: {c.path}: 满减 threshold not judged: "
                                   "average_order_value (客单价) is missing")
            continue
        j.param("threshold", "满减门槛/客单价", "CMP111", "threshold_ratio", c.get("threshold") / aov,
                c.values["threshold"], lo, hi, f"{_name(c)} threshold {_yuan(c.get('threshold'))} / 客单价 {_yuan(aov)}",
                _pct, fix=f"a threshold between {_yuan(aov * lo)} and {_yuan(aov * hi)} fits" if lo and hi else "")


def _roles(j: _Judge) -> None:
    P = j.profile
    for p in j.camp.products:
        role, price, cost = p.get("role"), p.get("price"), p.get("cost")
        margin = (price - cost) / price if price and cost is not None else None
        at_price, at_cost = p.values.get("price"), p.values.get("cost") or p.values.get("price")
        name = _name(p)
        if role == "traffic":
            if price is not None:
                j.param("roles", "引流款价格", "CMP121", "traffic_price_max", price, at_price, None,
                        P["campaign.traffic_price_max"], f"{name} (引流款) price", _yuan)
            if margin is not None:
                j.param("roles", "引流款毛利率", "CMP122", "traffic_margin_min", margin, at_cost,
                        P["campaign.traffic_margin_min"], None, f"{name} (引流款) gross margin", _pct)
        elif role == "profit":
            lo, hi = P["campaign.profit_price"]
            if price is not None:
                j.param("roles", "利润款价格", "CMP123", "profit_price", price, at_price, lo, hi,
                        f"{name} (利润款) price", _yuan)
            if margin is not None:
                j.param("roles", "利润款毛利率", "CMP124", "profit_margin_min", margin, at_cost,
                        P["campaign.profit_margin_min"], None, f"{name} (利润款) gross margin", _pct)
        elif role == "longtail":
            if "return_rate" in p:
                j.param("roles", "长尾款退货率", "CMP125", "longtail_return_max", p.get("return_rate"),
                        p.values["return_rate"], None, P["campaign.longtail_return_max"], f"{name} (长尾款) return rate", _pct)
            if "search_share" in p:
                j.param("roles", "长尾款搜索占比", "CMP126", "longtail_search_share_min", p.get("search_share"),
                        p.values["search_share"], P["campaign.longtail_search_share_min"], None,
                        f"{name} (长尾款) search share", _pct)


def _price_band(j: _Judge) -> None:
    lo, hi = j.profile["campaign.main_price_band"]
    aov = j.camp.top.values.get("average_order_value")
    if aov is not None:
        j.param("price_band", "主力客单价", "CMP131", "main_price_band", aov.value, aov, lo, hi, "客单价", _yuan)
        return
    main = [p for p in j.camp.products if p.get("role") != "traffic" and p.get("price") is not None]
    if not main:
        return
    weights = [p.get("monthly_sales") or 1 for p in main]
    avg = sum(p.get("price") * w for p, w in zip(main, weights)) / sum(weights)
    j.param("price_band", "主力客单价", "CMP131", "main_price_band", avg, None, lo, hi,
            "sales-weighted price of the non-引流 products (no average_order_value given)", _yuan)


def _stacking(j: _Judge) -> None:
    coupons = [c for c in j.camp.coupons if c.get("type")]
    if not coupons:
        return
    stack = bool(j.camp.top.get("coupon_stacking", False))
    on_group = bool(j.camp.top.get("coupons_apply_to_group_price", False))
    max_units = max(1, j.profile["campaign.coupon_max_units"])
    for p in j.camp.products:
        cost = p.get("cost")
        bases = [("日常价", p.get("price"), p.values.get("price"))]
        if on_group and p.get("group_price") is not None:
            bases.append(("拼团价", p.get("group_price"), p.values.get("group_price")))
        bases = [b for b in bases if b[1]]
        if cost is None or not bases:
            continue
        best = None
        for label, base, at in bases:
            for units in range(1, max_units + 1):
                unit, used = _effective(base, units, coupons, stack)
                if best is None or unit < best[0] - 1e-9:
                    best = (unit, units, used, label, base, at)
        unit, units, used, label, base, at = best
        names = " + ".join(used) if used else "no coupon"
        j.param("stacking", "叠券到手价 ≥ 成本", "CMP141", "min_margin_after_coupons", unit / cost - 1, at,
                j.profile["campaign.min_margin_after_coupons"], None,
                f"{_name(p)} lowest unit price {_yuan(unit)} ({label} {_yuan(base)} × {units} with {names}"
                f"{', stacked' if stack and len(used) > 1 else ''}) vs 成本 {_yuan(cost)}: margin", _pct,
                fix="raise the threshold, cap the discount or make the coupons exclusive (coupon_stacking: false)")


def _effective(base: float, units: int, coupons: list[Entry], stack: bool) -> tuple[float, list[str]]:
    """Per-unit price of ``units`` units after the coupons (all when they stack, else the best)."""
    subtotal = base * units
    options = []
    for c in coupons:
        kind = c.get("type")
        if kind == "percent" and c.get("rate") is not None:
            options.append((_name(c), "percent", c.get("rate")))
        elif kind == "fixed" and c.get("discount") is not None:
            options.append((_name(c), "fixed", c.get("discount")))
        elif kind == "threshold" and c.get("discount") is not None and subtotal >= (c.get("threshold") or 0) - 1e-9:
            options.append((_name(c), "fixed", c.get("discount")))

    def apply(opts):
        total = subtotal
        for _, k, v in opts:
            if k == "percent":
                total *= v
        for _, k, v in opts:
            if k == "fixed":
                total -= v
        return max(0.0, total)

    if not options:
        return base, []
    if stack:
        return apply(options) / units, [o[0] for o in options]
    best = min(options, key=lambda o: apply([o]))
    return apply([best]) / units, [best[0]]


def _stock(j: _Judge) -> None:
    ratio = j.profile["campaign.safety_stock_ratio"]
    for p in j.camp.products:
        sales, stock = p.get("monthly_sales"), p.get("stock")
        if not sales or stock is None:
            continue
        j.param("stock", "安全库存", "CMP151", "safety_stock_ratio", stock / sales, p.values["stock"], ratio, None,
                f"{_name(p)} stock {stock:g} / monthly sales {sales:g}", _times,
                fix=f"keep at least {math.ceil(sales * ratio)} in stock")


def _alerts(j: _Judge) -> None:
    P = j.profile
    m = j.camp.metrics
    if m is not None and "return_rate" in m:
        j.param("alerts", "退货率预警", "CMP161", "alert_return_rate", m.get("return_rate"), m.values["return_rate"],
                None, P["campaign.alert_return_rate"], "campaign return rate", _pct,
                fix="一级预警: start 质量抽检 + 客服培训 (seed 003_68260f2000adbfe6.txt §三.3)")
    for p in j.camp.products:
        if "return_rate" in p and p.get("role") != "longtail":
            j.param("alerts", "退货率预警", "CMP161", "alert_return_rate", p.get("return_rate"), p.values["return_rate"],
                    None, P["campaign.alert_return_rate"], f"{_name(p)} return rate", _pct,
                    fix="一级预警: start 质量抽检 + 客服培训 (seed 003_68260f2000adbfe6.txt §三.3)")
    if m is not None and "new_customer_share" in m:
        j.param("alerts", "新客占比预警", "CMP162", "alert_new_customer_share", m.get("new_customer_share"),
                m.values["new_customer_share"], None, P["campaign.alert_new_customer_share"], "new-customer share", _pct,
                fix="start a 老客召回 campaign (seed 003_68260f2000adbfe6.txt §三.1)")


# -- mechanics: compliance ------------------------------------------------------------------------------

def _mechanics(j: _Judge) -> dict[str, set[str]]:
    """Findings for mechanics; returns, per mechanic path, the categories already reported."""
    reported: dict[str, set[str]] = {}
    P = j.profile
    for m in j.camp.mechanics:
        kind = m.get("type")
        at_type = m.values.get("type")
        name = _name(m)
        seeds = SEED_RECOMMENDS.get(kind)
        also = f" — even though {seeds}" if seeds else ""
        before = len(j.findings)
        reward = m.get("reward")
        if kind == "invite" and reward:
            n = m.get("invite_count")
            j.rule("CMP201", "induced-sharing",
                   f"{m.path}: invite {n or 'N'} friends for 「{reward}」 is invite-for-reward (利诱分享/邀请好友协助), banned by WeChat{also}",
                   WECHAT_SHARING, m.values.get("reward"), m,
                   suggestions=["give the coupon to every visitor, with no invitation condition"])
        elif kind == "share" and reward:
            j.rule("CMP202", "induced-sharing",
                   f"{m.path}: a reward (「{reward}」) for sharing is 利诱分享, banned by WeChat{also}",
                   WECHAT_SHARING, m.values.get("reward"), m,
                   suggestions=["ask for shares without a reward (欢迎转发给需要的朋友)", "use 积分任务 not tied to sharing (seed 002_3d92b33970d16026.txt §八)"])
        elif kind == "follow" and reward:
            j.rule("CMP203", "induced-sharing",
                   f"{m.path}: a reward (「{reward}」) for following is 诱导关注, banned by WeChat",
                   WECHAT_FOLLOW, m.values.get("reward"), m)
        elif kind == "bargain":
            j.rule("CMP204", "induced-sharing",
                   f"{m.path}: {name}: 砍价/助力 (friends helping to lower the price) is banned by WeChat since 2019{also}",
                   WECHAT_SHARING, at_type, m)
        elif kind == "distribution":
            levels = m.get("levels")
            if levels is None and "commission" in m:
                levels = len(m.get("commission"))
            max_levels = P["campaign.distribution_max_levels"]
            if levels is not None and levels > max_levels:
                j.rule("CMP205", "induced-sharing",
                       f"{m.path}: {levels}-level commission pays on the downline's sales (团队计酬); allowed: {max_levels} level{also}",
                       MLM, m.values.get("levels") or m.values.get("commission"), m,
                       suggestions=["one level only, through the platform's official 分享员/推客 programme"])
            if m.get("entry_fee"):
                j.rule("CMP206", "induced-sharing",
                       f"{m.path}: an entry fee ({_yuan(m.get('entry_fee'))}) to become a distributor is 入门费 (《禁止传销条例》第七条(二))",
                       MLM, m.values.get("entry_fee"), m)
            if m.get("per_recruit_reward"):
                j.rule("CMP207", "induced-sharing",
                       f"{m.path}: paying {_yuan(m.get('per_recruit_reward'))} per recruit is 拉人头 (《禁止传销条例》第七条(一))",
                       MLM, m.values.get("per_recruit_reward"), m)
        elif kind == "lottery":
            prize, cap = m.get("top_prize"), P["campaign.lottery_top_prize_max"]
            if prize is not None and prize > cap:
                j.rule("CMP211", "pricing",
                       f"{m.path}: lottery top prize {_yuan(prize)} is above {_yuan(cap)} (抽奖式有奖销售最高奖不得超过五万元)",
                       P.source("campaign.lottery_top_prize_max"), m.values.get("top_prize"), m,
                       suggestions=[f"a top prize of at most {_yuan(cap)}"])
            conditions = [c for c in m.get("conditions", []) if is_entry_condition(c)]
            if conditions:
                j.rule("CMP212", "induced-sharing",
                       f"{m.path}: entry conditions {'、'.join(conditions)} turn the lottery into a reward for sharing/following "
                       "(WeChat: 分享可增加抽奖机会 / 关注后才能参与)", WECHAT_SHARING, m.values.get("conditions"), m,
                       suggestions=["let anyone in the live room enter, with no 关注/分享/点赞 condition"])
            if m.get("prizes_published") is False:
                j.rule("CMP213", "pricing",
                       f"{m.path}: prize information is not published in advance (有奖销售: 奖项种类、中奖概率、奖金金额… must be announced)",
                       PROMO, m.values.get("prizes_published"), m, severity=Severity.WARNING)
        elif kind == "group_buy" and m.get("lottery"):
            j.rule("CMP214", "induced-sharing", f"{m.path}: a lottery-style 拼团 (抽奖团) is banned by WeChat",
                   WECHAT_LOTTERY_GROUP, m.values.get("lottery"), m)
        reported[m.path] = {f.category for f in j.findings[before:]}
    return reported


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
