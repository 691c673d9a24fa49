"""Scoring profiles: every threshold the scorers use, each with the source it came from.

The numbers are practitioner heuristics (articles cited by title; docs/sources.md), so they live
in YAML (``rules/profiles/*.yaml``), not in code. A profile may ``extends:`` another (every
profile but the built-in ``default`` extends ``default`` unless it says otherwise) and single
values can be overridden (``--set section.key=value`` or a config file) through
:func:`apply_overrides`. The code declares each key's type here so that a typo or a wrong
type is a one-line error naming the file, the line and the key.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from compliance_guard.load import yamlpos
from compliance_guard.load.yamlpos import PosDict, YamlError


class ProfileError(Exception):
    """A bad profile, lexicon or override: one line naming the file (or option) and the key."""


# -- value types ---------------------------------------------------------------------------

def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _number(v):
    if not _is_num(v):
        raise ValueError("expected a number")
    return v


def _positive(v):
    if not _is_num(v) or v <= 0:
        raise ValueError("expected a number greater than 0")
    return v


def _int(v):
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ValueError("expected a whole number >= 0")
    return v


def _fraction(v):
    if not _is_num(v) or not 0 <= v <= 1:
        raise ValueError("expected a fraction between 0 and 1 (0.15 for 15 %)")
    return v


def _optional(check):
    def inner(v):
        return None if v is None else check(v)

    inner.__name__ = check.__name__
    return inner


def _range(v):
    """[low, high]; either end may be null (open)."""
    if not isinstance(v, list) or len(v) != 2 or not all(x is None or _is_num(x) for x in v):
        raise ValueError("expected a range [low, high] of numbers (null for an open end)")
    lo, hi = v
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"range low {lo} is above high {hi}")
    return [lo, hi]


_CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


def clock_minutes(s: str) -> int:
    m = _CLOCK.match(str(s).strip())
    if not m:
        raise ValueError(f"expected a time HH:MM, got {s!r}")
    return int(m.group(1)) * 60 + int(m.group(2))


def _clock_range(v):
    if not isinstance(v, list) or len(v) != 2 or not all(isinstance(x, str) for x in v):
        raise ValueError('expected a time range ["HH:MM", "HH:MM"]')
    lo, hi = (clock_minutes(x) for x in v)
    if lo >= hi:
        raise ValueError("time range must end after it starts")
    return list(v)


def _weights(v):
    if not isinstance(v, dict) or not all(isinstance(k, str) and _is_num(x) and x >= 0 for k, x in v.items()):
        raise ValueError("expected a mapping of name -> weight (numbers >= 0)")
    return dict(v)


def _counts(v):
    if v is None:
        return {}
    return _weights(v)


def _str_list(v):
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ValueError("expected a list of strings")
    return list(v)


def _buckets(v):
    if not isinstance(v, dict) or not all(isinstance(k, str) for k in v):
        raise ValueError("expected a mapping of bucket -> list of content classes")
    return {k: _str_list(x) for k, x in v.items()}


def _severity(v):
    if v not in ("error", "warning", "info"):
        raise ValueError("expected error, warning or info")
    return v


def _name(v):
    if not isinstance(v, str) or not v:
        raise ValueError("expected a name or a path")
    return v


#: section -> key -> validator. The scorers read exactly these keys.
SCHEMA: dict[str, dict[str, Callable[[Any], Any]]] = {
    "script": {
        "speaking_rate": _range,
        "too_fast_rate": _positive,
        "video_length": _range,
        "length_zero_factor": _positive,
        "hook_seconds": _positive,
        "hook_chars": _int,
        "hook_late_credit": _fraction,
        "density_target": _positive,
        "emotion_target": _positive,
        "cta_tail_share": _fraction,
        "cta_early_credit": _fraction,
    },
    "live": {
        "retention_per_hour": _positive,
        "assumed_min_hours": _positive,
        "prime_time": _clock_range,
        "morning": _clock_range,
        "opening_share": _fraction,
        "closing_share": _fraction,
    },
    "weights": {
        "video": _weights,
        "live": _weights,
    },
    "compliance": {
        "error_cap": _number,
        "error_cap_step": _number,
        "warning_penalty": _number,
        "warning_penalty_max": _number,
    },
    "mix": {
        "ratio": _counts,
        "buckets": _buckets,
        "non_ad_share_min": _optional(_fraction),
        "ad_classes": _str_list,
        "weekly_quota": _counts,
        "lives_per_week": _optional(_range),
        "weights": _weights,
    },
    "campaign": {
        "group_discount": _range,
        "group_over_cost_min": _fraction,
        "threshold_ratio": _range,
        "traffic_price_max": _positive,
        "traffic_margin_min": _fraction,
        "profit_price": _range,
        "profit_margin_min": _fraction,
        "longtail_return_max": _fraction,
        "longtail_search_share_min": _fraction,
        "main_price_band": _range,
        "safety_stock_ratio": _positive,
        "alert_return_rate": _fraction,
        "alert_new_customer_share": _fraction,
        "lottery_top_prize_max": _positive,
        "distribution_max_levels": _int,
        "min_margin_after_coupons": _number,
        "coupon_max_units": _int,
        "parameter_severity": _severity,
    },
}
TOP_KEYS = {"profile", "title", "description", "extends", "lexicon", *SCHEMA}
PARAM_KEYS = {"value", "source", "unit", "note"}


@dataclass(frozen=True)
class Param:
    value: Any
    source: str
    unit: str = ""
    origin: str = ""  # file:line (or option) the value came from


@dataclass
class Profile:
    name: str
    path: str
    title: str = ""
    lexicon: str = "default"
    lexicon_base: str = ""  # directory a relative lexicon path is resolved against
    params: dict[str, Param] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.params[key].value

    def param(self, key: str) -> Param:
        return self.params[key]

    def source(self, key: str) -> str:
        return self.params[key].source

    def to_dict(self) -> dict:
        return {"profile": self.name, "path": self.path, "lexicon": self.lexicon,
                "params": {k: {"value": p.value, "source": p.source, **({"unit": p.unit} if p.unit else {})}
                           for k, p in sorted(self.params.items())}}


def profiles_dir() -> Path:
    from compliance_guard.load.shipped import builtin_rules_dir

    return builtin_rules_dir() / "profiles"


def builtin_profiles() -> list[str]:
    return sorted(p.stem for p in profiles_dir().glob("*.yaml"))


def _resolve(ref: str, base: Path | None) -> Path:
    """A profile reference: a path (has a suffix or a slash) or a built-in name."""
    if ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref:
        p = Path(ref)
        if not p.is_absolute() and base is not None and not p.exists():
            p = base / p
        return p
    return profiles_dir() / f"{ref}.yaml"


def load_profile(ref: str = "default", overrides: dict | None = None, origin: str = "--set") -> Profile:
    """Load a profile by built-in name or path, resolve ``extends`` and apply ``overrides``."""
    path = _resolve(ref, None)
    if not path.is_file() and path.parent == profiles_dir() and not ref.endswith((".yaml", ".yml")):
        raise ProfileError(f"--profile {ref}: no built-in profile of that name "
                           f"(built-in: {', '.join(builtin_profiles())}; or give a YAML path)")
    profile = _load(path, chain=())
    if overrides:
        profile = apply_overrides(profile, overrides, origin)
    return profile


def _load(path: Path, chain: tuple[str, ...]) -> Profile:
    if not path.is_file():
        names = ", ".join(builtin_profiles())
        raise ProfileError(f"{path}: profile not found (built-in profiles: {names})")
    key = str(path.resolve())
    if key in chain:
        raise ProfileError(f"{path}:1: profile extends itself (cycle through {' -> '.join(chain)})")
    try:
        data, _ = yamlpos.load(path)
    except YamlError as exc:
        raise ProfileError(str(exc)) from None
    file = str(path)
    if not isinstance(data, PosDict):
        raise ProfileError(f"{file}:1: a profile must be a mapping with sections {', '.join(SCHEMA)}")
    for k in data:
        if k not in TOP_KEYS:
            raise ProfileError(f"{file}:{data.key_lines[k]}: unknown key {k!r} (allowed: {', '.join(sorted(TOP_KEYS))})")
    is_root = path.resolve() == (profiles_dir() / "default.yaml").resolve()
    parent_ref = data.get("extends", None if is_root else "default")
    if parent_ref is not None:
        if not isinstance(parent_ref, str):
            raise ProfileError(f"{file}:{data.key_lines.get('extends', 1)}: extends: expected a profile name or path")
        base = _load(_resolve(parent_ref, path.parent), chain + (key,))
    else:
        base = Profile(name="", path="")
    params = dict(base.params)
    for section, keys in SCHEMA.items():
        raw = data.get(section)
        if raw is None:
            continue
        if not isinstance(raw, PosDict):
            raise ProfileError(f"{file}:{data.key_lines[section]}: {section}: expected a mapping of settings")
        for k, v in raw.items():
            dotted = f"{section}.{k}"
            line = raw.key_lines[k]
            if k not in keys:
                raise ProfileError(f"{file}:{line}: unknown key {dotted!r} (known in {section}: {', '.join(sorted(keys))})")
            params[dotted] = _param(v, keys[k], dotted, f"{file}:{line}")
    missing = [f"{s}.{k}" for s, keys in SCHEMA.items() for k in keys if f"{s}.{k}" not in params]
    if missing:
        raise ProfileError(f"{file}:1: missing {missing[0]!r}" + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
                           + " (add it or extend a complete profile)")
    lexicon = data.get("lexicon")
    if lexicon is not None and not isinstance(lexicon, str):
        raise ProfileError(f"{file}:{data.key_lines['lexicon']}: lexicon: expected a lexicon name or path")
    name = data.get("profile", path.stem)
    return Profile(
        name=str(name), path=file, title=str(data.get("title", base.title)),
        lexicon=lexicon or base.lexicon, lexicon_base=str(path.parent) if lexicon else base.lexicon_base,
        params=params,
    )


def _param(raw, check, dotted: str, origin: str) -> Param:
    """``{value, source, unit}``, or a bare value (a user's quick override)."""
    if isinstance(raw, PosDict) and "value" in raw and set(raw) <= PARAM_KEYS:
        value, source, unit = raw["value"], str(raw.get("source", "")), str(raw.get("unit", ""))
    elif isinstance(raw, PosDict) and "value" not in raw and set(raw) & PARAM_KEYS:
        raise ProfileError(f"{origin}: {dotted}: a setting written as a mapping needs 'value'")
    else:
        value, source, unit = raw, "", ""
    try:
        value = check(yamlpos.plain(value))
    except ValueError as exc:
        raise ProfileError(f"{origin}: {dotted}: {exc}, got {value!r}") from None
    return Param(value=value, source=source or f"set in {origin}", unit=unit, origin=origin)


def flatten_overrides(overrides: dict) -> dict[str, Any]:
    """``{"script": {"hook_seconds": 5}}`` and ``{"script.hook_seconds": 5}`` alike."""
    flat: dict[str, Any] = {}
    for k, v in overrides.items():
        if isinstance(k, str) and k in SCHEMA and isinstance(v, dict):
            for sub, x in v.items():
                flat[f"{k}.{sub}"] = x
        else:
            flat[str(k)] = v
    return flat


def apply_overrides(profile: Profile, overrides: dict, origin: str = "--set") -> Profile:
    """A copy of ``profile`` with single values replaced; ``origin`` names where they came from
    (an option or a config file) in errors and in each value's source."""
    params = dict(profile.params)
    for dotted, value in flatten_overrides(overrides).items():
        section, _, key = dotted.partition(".")
        if section not in SCHEMA or key not in SCHEMA[section]:
            known = ", ".join(f"{s}.{k}" for s in SCHEMA for k in SCHEMA[s]) if section not in SCHEMA \
                else ", ".join(f"{section}.{k}" for k in SCHEMA[section])
            raise ProfileError(f"{origin}: unknown key {dotted!r} (known: {known})")
        old = params[dotted]
        try:
            checked = SCHEMA[section][key](yamlpos.plain(value))
        except ValueError as exc:
            raise ProfileError(f"{origin}: {dotted}: {exc}, got {value!r}") from None
        params[dotted] = replace(old, value=checked, source=f"overridden by {origin} (was {old.value!r}: {old.source})",
                                 origin=origin)
    return replace(profile, params=params)


def parse_set_options(items) -> dict[str, Any]:
    """``--set key=value`` strings -> override dict; values are YAML (``[10, 45]``, ``0.2``)."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ProfileError(f"--set {item!r}: expected key=value (e.g. script.hook_seconds=5)")
        try:
            out[key.strip()] = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            raise ProfileError(f"--set {item!r}: value is not valid YAML") from None
    return out
