"""Campaign files: the YAML schema of a campaign (products, coupons, mechanics, metrics, copy)
and a reader that validates every value and remembers where it sits in the file.

Bad values and unknown keys do not stop the reading: each becomes a ``file:line`` problem and
the rest is judged.
"""
from __future__ import annotations

from collections.abc import Callable

from compliance_guard.load import yamlpos
from compliance_guard.load.yamlpos import PosDict, PosList, YamlError
from compliance_guard.model.campaign import Campaign, Entry, Value

ROLES = {
    "traffic": ("traffic", "引流款", "引流", "爆款"),
    "profit": ("profit", "利润款", "利润"),
    "longtail": ("longtail", "long_tail", "long-tail", "长尾款", "长尾"),
}
COUPON_TYPES = {"threshold": ("threshold", "满减"), "fixed": ("fixed", "无门槛", "立减"),
                "percent": ("percent", "折扣", "discount")}
MECHANIC_TYPES = {
    "invite": ("invite", "邀请", "邀请有礼", "拉新"),
    "share": ("share", "分享", "转发", "晒单"),
    "follow": ("follow", "关注"),
    "bargain": ("bargain", "assist", "砍价", "助力"),
    "distribution": ("distribution", "分销", "返佣"),
    "lottery": ("lottery", "抽奖", "福袋"),
    "group_buy": ("group_buy", "拼团"),
    "other": ("other", "其他"),
}

CONDITIONS = {"share": ("share", "分享", "转发"), "follow": ("follow", "关注"), "invite": ("invite", "邀请"),
              "like": ("like", "点赞"), "comment": ("comment", "评论")}


class _Bad(ValueError):
    pass


def _num(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _Bad("expected a number")
    if v < 0:
        raise _Bad("expected a number >= 0")
    return float(v)


def _frac(v):
    """0.08 or '8%'."""
    if isinstance(v, str) and v.strip().endswith("%"):
        try:
            v = float(v.strip()[:-1]) / 100
        except ValueError:
            raise _Bad("expected a fraction (0.08) or a percentage ('8%')") from None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise _Bad("expected a fraction (0.08) or a percentage ('8%')")
    return float(v)


def _text(v):
    if not isinstance(v, (str, int, float)) or isinstance(v, bool):
        raise _Bad("expected text")
    return str(v)


def _bool(v):
    if not isinstance(v, bool):
        raise _Bad("expected true or false")
    return v


def _count(v):
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise _Bad("expected a whole number >= 0")
    return v


def _enum(table: dict[str, tuple[str, ...]]):
    def check(v):
        key = str(v).strip().lower()
        for name, aliases in table.items():
            if key in aliases:
                return name
        raise _Bad(f"expected one of {', '.join(table)}")

    return check


def _str_list(v):
    if isinstance(v, str):
        return [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _Bad("expected a list of strings")
    return list(v)


def _commission(v):
    if isinstance(v, list):
        return [_frac(x) for x in v]
    return [_frac(v)]


PRODUCT = {"name": _text, "sku": _text, "role": _enum(ROLES), "price": _num, "cost": _num, "group_price": _num,
           "monthly_sales": _num, "stock": _num, "return_rate": _frac, "search_share": _frac, "note": _text}
COUPON = {"name": _text, "type": _enum(COUPON_TYPES), "threshold": _num, "discount": _num, "rate": _frac,
          "note": _text}
METRICS = {"return_rate": _frac, "new_customer_share": _frac, "note": _text}
MECHANIC = {"type": _enum(MECHANIC_TYPES), "name": _text, "description": _text, "reward": _text,
            "invite_count": _count, "levels": _count, "commission": _commission, "entry_fee": _num,
            "per_recruit_reward": _num, "top_prize": _num, "prizes_published": _bool,
            "conditions": _str_list, "lottery": _bool, "note": _text}
TOP = {"campaign": _text, "name": _text, "average_order_value": _num, "coupon_stacking": _bool,
       "coupons_apply_to_group_price": _bool, "products": PRODUCT, "coupons": COUPON, "metrics": METRICS,
       "mechanics": MECHANIC, "copy": _str_list, "notes": _text}
LISTS = {"products", "coupons", "mechanics"}
TEXT_FIELDS = {"campaign", "name", "description", "reward", "copy", "notes"}


class CampaignError(Exception):
    """The campaign file as a whole cannot be read (one line naming the file)."""


def read_campaign(path: str) -> Campaign:
    try:
        text = yamlpos.read_text(path)
    except YamlError as exc:
        raise CampaignError(str(exc)) from None
    return parse_campaign(text, path)


def parse_campaign(text: str, path: str) -> Campaign:
    """A campaign from its YAML ``text`` (``path`` names it in problems); CampaignError when it
    cannot be read at all."""
    try:
        data = yamlpos.loads(text, path)
    except YamlError as exc:
        raise CampaignError(str(exc)) from None
    if not isinstance(data, PosDict):
        raise CampaignError(f"{path}:1: a campaign must be a mapping (products, coupons, mechanics, …)")
    camp = Campaign(path, text, Entry("", data.line))
    for key in data:
        line = data.key_lines[key]
        if key not in TOP:
            camp.problems.append(f"{path}:{line}: unknown key {key!r} ignored (known: {', '.join(TOP)})")
            continue
        schema = TOP[key]
        if isinstance(schema, dict):
            if key in LISTS:
                items = data[key]
                if not isinstance(items, PosList):
                    camp.problems.append(f"{path}:{line}: {key}: expected a list; ignored")
                    continue
                for i, item in enumerate(items):
                    entry = _entry(item, schema, f"{key}[{i}]", items.item_lines[i], camp)
                    if entry is not None:
                        getattr(camp, key).append(entry)
            else:
                camp.metrics = _entry(data[key], schema, key, line, camp)
        else:
            _put(camp.top, key, data[key], schema, key, line, data.spans.get(key), camp)
    return camp


def _entry(raw, schema: dict, path: str, line: int, camp: Campaign) -> Entry | None:
    if not isinstance(raw, PosDict):
        camp.problems.append(f"{camp.path}:{line}: {path}: expected a mapping; ignored")
        return None
    entry = Entry(path, raw.line)
    for key, v in raw.items():
        kline = raw.key_lines[key]
        if key not in schema:
            camp.problems.append(f"{camp.path}:{kline}: unknown key {path}.{key} ignored (known: {', '.join(schema)})")
            continue
        _put(entry, key, v, schema[key], f"{path}.{key}", kline, raw.spans.get(key), camp)
    return entry


def _put(entry: Entry, key: str, raw, check: Callable, path: str, line: int, span, camp: Campaign) -> None:
    if raw is None:
        return
    try:
        value = check(raw)
    except _Bad as exc:
        camp.problems.append(f"{camp.path}:{line}: {path}: {exc}, got {raw!r}; ignored")
        return
    entry.values[key] = Value(value, path, line, span)


def is_entry_condition(c: str) -> bool:
    """Whether a lottery entry condition asks for a share, follow, invite or like."""
    try:
        return _enum(CONDITIONS)(c) in ("share", "follow", "invite", "like")
    except _Bad:
        return False
