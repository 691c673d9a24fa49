"""Campaign parameters against the scoring profile's ranges (拼团 price, 满减 threshold, product
roles, price band, coupon stacking, safety stock, alert thresholds), one check per CMP rule.
Each parameter judged is left on the review for the scorer's sub-scores; a value outside its
range is a ``campaign-parameter`` finding naming the value, the range and the range's source."""
from __future__ import annotations

import math

from compliance_guard.checks.base import Check
from compliance_guard.checks.campaign.review import CampaignReview, name_of, pct, times, yuan
from compliance_guard.load.schema import Option, string
from compliance_guard.model.campaign import Entry

FILLS = {"": ("where", "what", "value", "allowed", "source", "fix")}
ADVICE = {"advice": Option(string, "", "what to do when the value is outside its range")}


def _check(name: str, run, options=None) -> Check:
    if options:
        return Check(name, options=options, campaign=run, fills=FILLS)
    return Check(name, campaign=lambda review, rule, prepared: run(review, rule), fills=FILLS)


def _group_discount(r: CampaignReview, rule) -> list:
    lo, hi = r.profile["campaign.group_discount"]
    out = []
    for i, p in enumerate(r.campaign.products):
        gp, price = p.get("group_price"), p.get("price")
        if gp is not None and price:
            fix = f"a 拼团价 between {yuan(price * (1 - hi))} and {yuan(price * (1 - lo))} fits" \
                if lo is not None and hi is not None else ""
            out += r.param(rule, "group_buy", "拼团折扣", "group_discount", 1 - gp / price, p.values["group_price"],
                           lo, hi, f"{name_of(p)} 拼团价 {yuan(gp)} vs 日常价 {yuan(price)}: discount", pct, (i, 0), fix)
    return out


def _group_over_cost(r: CampaignReview, rule) -> list:
    floor = r.profile["campaign.group_over_cost_min"]
    out = []
    for i, p in enumerate(r.campaign.products):
        gp, cost = p.get("group_price"), p.get("cost")
        if gp is not None and cost:
            out += r.param(rule, "group_buy", "拼团价高于成本", "group_over_cost_min", gp / cost - 1,
                           p.values["group_price"], floor, None,
                           f"{name_of(p)} 拼团价 {yuan(gp)} vs 成本 {yuan(cost)}: margin over cost", pct, (i, 1),
                           f"拼团价 at least {yuan(cost * (1 + floor))}")
    return out


def _threshold_ratio(r: CampaignReview, rule) -> list:
    camp = r.campaign
    aov = camp.top.get("average_order_value")
    lo, hi = r.profile["campaign.threshold_ratio"]
    out = []
    for i, c in enumerate(camp.coupons):
        if c.get("type") != "threshold" or c.get("threshold") is None:
            continue
        if not aov:
            camp.problems.append(f"{camp.path}:{c.line}: {c.path}: 满减 threshold not judged: "
                                 "average_order_value (客单价) is missing")
            continue
        out += r.param(rule, "threshold", "满减门槛/客单价", "threshold_ratio", c.get("threshold") / aov,
                       c.values["threshold"], lo, hi,
                       f"{name_of(c)} threshold {yuan(c.get('threshold'))} / 客单价 {yuan(aov)}", pct, (i,),
                       f"a threshold between {yuan(aov * lo)} and {yuan(aov * hi)} fits" if lo and hi else "")
    return out


def _role(role: str, measure: str, nth: int, key: str, label: str, what: str):
    """A check over the products of ``role``: their price, gross margin, return rate or search share."""

    def run(r: CampaignReview, rule) -> list:
        value_range = r.profile[f"campaign.{key}"]
        lo, hi = (value_range if isinstance(value_range, list) else
                  (value_range, None) if key.endswith("_min") else (None, value_range))
        out = []
        for i, p in enumerate(r.campaign.products):
            if p.get("role") != role:
                continue
            price, cost = p.get("price"), p.get("cost")
            if measure == "price" and price is not None:
                value, at, fmt = price, p.values.get("price"), yuan
            elif measure == "margin" and price and cost is not None:
                value, at, fmt = (price - cost) / price, p.values.get("cost") or p.values.get("price"), pct
            elif measure in ("return_rate", "search_share") and measure in p:
                value, at, fmt = p.get(measure), p.values[measure], pct
            else:
                continue
            out += r.param(rule, "roles", label, key, value, at, lo, hi, f"{name_of(p)} {what}", fmt, (i, nth))
        return out

    return run


def _price_band(r: CampaignReview, rule) -> list:
    lo, hi = r.profile["campaign.main_price_band"]
    camp = r.campaign
    aov = camp.top.values.get("average_order_value")
    if aov is not None:
        return r.param(rule, "price_band", "主力客单价", "main_price_band", aov.value, aov, lo, hi, "客单价", yuan, ())
    main = [p for p in camp.products if p.get("role") != "traffic" and p.get("price") is not None]
    if not main:
        return []
    weights = [p.get("monthly_sales") or 1 for p in main]
    avg = sum(p.get("price") * w for p, w in zip(main, weights)) / sum(weights)
    return r.param(rule, "price_band", "主力客单价", "main_price_band", avg, None, lo, hi,
                   "sales-weighted price of the non-引流 products (no average_order_value given)", yuan, ())


def _coupon_stacking(r: CampaignReview, rule) -> list:
    camp = r.campaign
    coupons = [c for c in camp.coupons if c.get("type")]
    if not coupons:
        return []
    stack = bool(camp.top.get("coupon_stacking", False))
    on_group = bool(camp.top.get("coupons_apply_to_group_price", False))
    max_units = max(1, r.profile["campaign.coupon_max_units"])
    out = []
    for i, p in enumerate(camp.products):
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
        out += r.param(rule, "stacking", "叠券到手价 ≥ 成本", "min_margin_after_coupons", unit / cost - 1, at,
                       r.profile["campaign.min_margin_after_coupons"], None,
                       f"{name_of(p)} lowest unit price {yuan(unit)} ({label} {yuan(base)} × {units} with {names}"
                       f"{', stacked' if stack and len(used) > 1 else ''}) vs 成本 {yuan(cost)}: margin", pct, (i,),
                       "raise the threshold, cap the discount or make the coupons exclusive (coupon_stacking: false)")
    return out


def _effective(base: float, units: int, coupons: list[Entry], stack: bool) -> tuple[float, list[str]]:
    """Per-unit price of ``units`` units after the coupons (all when they stack, else the best)."""
    subtotal = base * units
    options = []
    for c in coupons:
        kind = c.get("type")
        if kind == "percent" and c.get("rate") is not None:
            options.append((name_of(c), "percent", c.get("rate")))
        elif kind == "fixed" and c.get("discount") is not None:
            options.append((name_of(c), "fixed", c.get("discount")))
        elif kind == "threshold" and c.get("discount") is not None and subtotal >= (c.get("threshold") or 0) - 1e-9:
            options.append((name_of(c), "fixed", c.get("discount")))

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


def _safety_stock(r: CampaignReview, rule) -> list:
    ratio = r.profile["campaign.safety_stock_ratio"]
    out = []
    for i, p in enumerate(r.campaign.products):
        sales, stock = p.get("monthly_sales"), p.get("stock")
        if sales and stock is not None:
            out += r.param(rule, "stock", "安全库存", "safety_stock_ratio", stock / sales, p.values["stock"], ratio, None,
                           f"{name_of(p)} stock {stock:g} / monthly sales {sales:g}", times, (i,),
                           f"keep at least {math.ceil(sales * ratio)} in stock")
    return out


def _return_rate_alert(r: CampaignReview, rule, options: dict) -> list:
    cap = r.profile["campaign.alert_return_rate"]
    fix = options["advice"]
    out = []
    m = r.campaign.metrics
    if m is not None and "return_rate" in m:
        out += r.param(rule, "alerts", "退货率预警", "alert_return_rate", m.get("return_rate"), m.values["return_rate"],
                       None, cap, "campaign return rate", pct, (0, -1), fix)
    for i, p in enumerate(r.campaign.products):
        if "return_rate" in p and p.get("role") != "longtail":
            out += r.param(rule, "alerts", "退货率预警", "alert_return_rate", p.get("return_rate"),
                           p.values["return_rate"], None, cap, f"{name_of(p)} return rate", pct, (0, i), fix)
    return out


def _new_customer_alert(r: CampaignReview, rule, options: dict) -> list:
    m = r.campaign.metrics
    if m is None or "new_customer_share" not in m:
        return []
    return r.param(rule, "alerts", "新客占比预警", "alert_new_customer_share", m.get("new_customer_share"),
                   m.values["new_customer_share"], None, r.profile["campaign.alert_new_customer_share"],
                   "new-customer share", pct, (1, -1), options["advice"])


GROUP_DISCOUNT = _check("campaign-group-discount", _group_discount)
GROUP_OVER_COST = _check("campaign-group-over-cost", _group_over_cost)
THRESHOLD_RATIO = _check("campaign-threshold-ratio", _threshold_ratio)
TRAFFIC_PRICE = _check("campaign-traffic-price",
                       _role("traffic", "price", 0, "traffic_price_max", "引流款价格", "(引流款) price"))
TRAFFIC_MARGIN = _check("campaign-traffic-margin",
                        _role("traffic", "margin", 1, "traffic_margin_min", "引流款毛利率", "(引流款) gross margin"))
PROFIT_PRICE = _check("campaign-profit-price",
                      _role("profit", "price", 0, "profit_price", "利润款价格", "(利润款) price"))
PROFIT_MARGIN = _check("campaign-profit-margin",
                       _role("profit", "margin", 1, "profit_margin_min", "利润款毛利率", "(利润款) gross margin"))
LONGTAIL_RETURN = _check("campaign-longtail-return",
                         _role("longtail", "return_rate", 0, "longtail_return_max", "长尾款退货率",
                               "(长尾款) return rate"))
LONGTAIL_SEARCH = _check("campaign-longtail-search",
                         _role("longtail", "search_share", 1, "longtail_search_share_min", "长尾款搜索占比",
                               "(长尾款) search share"))
PRICE_BAND = _check("campaign-price-band", _price_band)
COUPON_STACKING = _check("campaign-coupon-stacking", _coupon_stacking)
SAFETY_STOCK = _check("campaign-safety-stock", _safety_stock)
RETURN_RATE_ALERT = _check("campaign-return-rate-alert", _return_rate_alert, ADVICE)
NEW_CUSTOMER_ALERT = _check("campaign-new-customer-alert", _new_customer_alert, ADVICE)
