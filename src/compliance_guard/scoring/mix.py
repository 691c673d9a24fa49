"""``cguard mix``: does a content calendar follow the mix and cadence the seeds recommend?

A calendar (CSV, JSONL or YAML rows of date, title, text, optional type) is classified item
by item — the given type, else the lexicon's keyword classes (title matches count double) —
and compared with the profile: a target ratio (default 3:5:2 product:testimonial:promotion,
《视频号电商如何发展》), a minimum non-ad share and weekly quotas (content-pyramid,
《微店成功运营案例拆解及关键策略》) and the number of lives per week (3–5, 《视频号小店怎么运营的》).
The report says what to add or drop.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from compliance_guard.load.calendars import CalendarError, parse_date, read_calendar
from compliance_guard.load.lexicons import Lexicon, lexicon_for
from compliance_guard.load.profiles import Profile, load_profile
from compliance_guard.scoring.model import Evidence, Scorer, ScoreReport, SubScore, clamp, finalize

OTHER = "other"
LIVE = "live"


@dataclass
class Item:
    date: dt.date
    title: str
    text: str
    line: int
    given: str = ""
    cls: str = OTHER
    how: str = "keywords"  # given | keywords | none
    strength: float = 0.0  # keyword weight of the winning class
    live: bool = False
    terms: list[str] = field(default_factory=list)

    def label(self) -> str:
        return f"{self.date.isoformat()} 「{self.title or self.text[:16]}」 (line {self.line})"

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "title": self.title, "line": self.line, "class": self.cls,
                "live": self.live, "how": self.how, "terms": self.terms}



def classify(rows: list[dict], lexicon: Lexicon, path: str) -> tuple[list[Item], list[str]]:
    """Items with a content class and a live flag; bad rows become problems."""
    content, fmt = lexicon["content"], lexicon["format"]
    labels = {e.label: c for c, e in content.entries.items()}
    items, problems = [], []
    for row in rows:
        line = row["line"]
        try:
            date = parse_date(row.get("date"))
        except ValueError as exc:
            problems.append(f"{path}:{line}: {exc}; row skipped")
            continue
        title, text = str(row.get("title") or ""), str(row.get("text") or "")
        given = str(row.get("type") or "").strip()
        item = Item(date, title, text, line, given=given)
        key = given.lower()
        item.live = key in (LIVE, "直播") or bool(fmt.find(title) or fmt.find(given))
        if key in content.entries or given in labels:
            item.cls = key if key in content.entries else labels[given]
            item.how = "given"
        else:
            if given and key not in (LIVE, "直播"):
                problems.append(f"{path}:{line}: unknown type {given!r} (known: {', '.join(content.classes)}, live); "
                                "classified from its words")
            weights: dict[str, float] = {}
            for weight, part in ((2.0, title), (1.0, text)):
                for m in content.find(part):
                    weights[m.cls] = weights.get(m.cls, 0) + weight
                    item.terms.append(m.text)
            if weights:
                item.cls = max(content.classes, key=lambda c: weights.get(c, 0))
                item.strength = weights[item.cls]
            else:
                item.how = "none"
        items.append(item)
    return items, problems


def score_calendar(path: str, profile: Profile | None = None) -> ScoreReport:
    profile = profile or load_profile()
    report = ScoreReport(path, "mix", profile.name)
    try:
        rows, problems = read_calendar(path)
    except CalendarError as exc:
        report.error = str(exc)
        return report
    lexicon = lexicon_for(profile)
    items, more = classify(rows, lexicon, path)
    report.problems = problems + more
    if not items:
        report.error = f"{path}: no readable items"
        return report
    _check_classes(profile, lexicon)
    items.sort(key=lambda it: (it.date, it.line))
    weeks = _weeks(items)
    report.facts = {
        "items": len(items), "from": items[0].date.isoformat(), "to": items[-1].date.isoformat(),
        "by_class": _count(it.cls for it in items), "lives": sum(it.live for it in items),
        "weeks": [{"week": w.label, "days": w.days, "items": len(w.items), "lives": sum(i.live for i in w.items)}
                  for w in weeks],
        "classified": [it.to_dict() for it in items],
    }
    subs = []
    if profile["mix.ratio"]:
        subs.append(_ratio(items, profile, lexicon))
    if profile["mix.non_ad_share_min"] is not None:
        subs.append(_non_ad(items, profile))
    if profile["mix.weekly_quota"]:
        subs.append(_quota(weeks, profile, lexicon))
    if profile["mix.lives_per_week"] is not None:
        subs.append(_cadence(weeks, profile))
    unclassified = [it for it in items if it.cls == OTHER]
    if unclassified:
        report.notes.append(f"{len(unclassified)} item(s) matched no content class (give them a type): "
                            + "; ".join(it.label() for it in unclassified[:5]))
    report.subscores = subs
    return finalize(report, profile["mix.weights"], profile)


def _check_classes(profile: Profile, lexicon: Lexicon) -> None:
    """Classes named by the profile must exist in the lexicon (a typo would silently score 0)."""
    from compliance_guard.load.profiles import ProfileError

    known = set(lexicon["content"].classes)
    named = [("mix.buckets", c) for cs in profile["mix.buckets"].values() for c in cs]
    named += [("mix.ad_classes", c) for c in profile["mix.ad_classes"]]
    named += [("mix.weekly_quota", c) for c in profile["mix.weekly_quota"] if c != LIVE]
    for key, cls in named:
        if cls not in known:
            raise ProfileError(f"{profile.param(key).origin}: {key}: unknown content class {cls!r} "
                               f"(lexicon {lexicon.name}: {', '.join(sorted(known))})")
    for bucket in profile["mix.ratio"]:
        if bucket not in profile["mix.buckets"]:
            raise ProfileError(f"{profile.param('mix.ratio').origin}: mix.ratio: bucket {bucket!r} is not in mix.buckets")


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


@dataclass
class _Week:
    label: str
    days: int  # days of this ISO week inside the calendar's date range
    items: list[Item]


def _weeks(items: list[Item]) -> list[_Week]:
    first, last = items[0].date, items[-1].date
    monday = first - dt.timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        sunday = monday + dt.timedelta(days=6)
        lo, hi = max(monday, first), min(sunday, last)
        iso = monday.isocalendar()
        weeks.append(_Week(f"{iso[0]}-W{iso[1]:02d}", (hi - lo).days + 1,
                           [it for it in items if monday <= it.date <= sunday]))
        monday += dt.timedelta(days=7)
    return weeks


def _judged_weeks(weeks: list[_Week]) -> tuple[list[_Week], str]:
    """Full weeks only, unless the calendar has none (then every week, said so)."""
    full = [w for w in weeks if w.days == 7]
    if full:
        skipped = len(weeks) - len(full)
        return full, f" ({skipped} partial week(s) at the edges not judged)" if skipped else ""
    return weeks, " (no full week in the calendar: partial weeks judged as they are)"


# -- ratio ------------------------------------------------------------------------------------

def _ratio(items: list[Item], profile: Profile, lexicon: Lexicon) -> SubScore:
    target = profile["mix.ratio"]
    buckets = profile["mix.buckets"]
    total_t = sum(target.values()) or 1
    share_t = {b: target[b] / total_t for b in target}
    bucket_of = {c: b for b, cs in buckets.items() for c in cs if b in target}
    counts = {b: 0 for b in target}
    members: dict[str, list[Item]] = {b: [] for b in target}
    for it in items:
        b = bucket_of.get(it.cls)
        if b:
            counts[b] += 1
            members[b].append(it)
    n = sum(counts.values())
    ratio_text = ":".join(f"{target[b]:g}" for b in target)
    source = profile.source("mix.ratio")
    if n == 0:
        return SubScore("ratio", f"内容配比 {ratio_text}", 0.0, evidence=[Evidence("0 items", "no item falls in a ratio bucket")],
                        improvement=f"add items of each kind: {', '.join(target)}", source=source)
    share = {b: counts[b] / n for b in target}
    tvd = 0.5 * sum(abs(share[b] - share_t[b]) for b in target)
    evidence = [Evidence(f"{b}: {counts[b]} ({share[b]:.0%})", f"target {share_t[b]:.0%}") for b in target]
    evidence.append(Evidence(f"deviation {tvd:.0%}", "half the summed share differences (0 = exact, 100 % = disjoint)"))
    outside = [it for it in items if it.cls not in bucket_of]
    if outside:
        evidence.append(Evidence(f"{len(outside)} item(s) outside the ratio", ", ".join(sorted({it.cls for it in outside}))))
    adds, drops = _plans(counts, share_t)
    parts = []
    if any(adds.values()):
        parts.append("add " + ", ".join(f"{k} {b}" for b, k in adds.items() if k))
    if any(drops.values()):
        names = []
        for b, k in drops.items():
            if k:
                weakest = sorted(members[b], key=lambda it: (it.how == "given", it.strength))[:k]
                names.append(f"{k} {b} (e.g. " + "; ".join(it.label() for it in weakest[:3]) + ")")
        parts.append("or drop " + ", ".join(names))
    improvement = ("to reach " + ratio_text + ": " + " — ".join(parts)) if tvd > 0 and parts else ""
    return SubScore("ratio", f"内容配比 {ratio_text}", clamp(100 * (1 - tvd)), evidence=evidence,
                    improvement=improvement, source=source,
                    facts={"counts": counts, "shares": {b: round(share[b], 3) for b in target},
                           "deviation": round(tvd, 3), "add": adds, "drop": drops})


def _plans(counts: dict[str, int], share_t: dict[str, float]) -> tuple[dict[str, int], dict[str, int]]:
    """Fewest additions (or removals) that bring the counts to the target shares."""
    active = {b: s for b, s in share_t.items() if s > 0}
    n_add = max(math.ceil(counts[b] / s - 1e-9) for b, s in active.items())
    adds = {b: max(0, round(share_t[b] * n_add) - counts[b]) for b in counts}
    n_drop = min(math.floor(counts[b] / s + 1e-9) for b, s in active.items())
    if n_drop == 0:  # a bucket is empty: only adding can reach the target
        return adds, {b: 0 for b in counts}
    drops = {b: max(0, counts[b] - round(share_t[b] * n_drop)) for b in counts}
    return adds, drops


# -- non-ad share ----------------------------------------------------------------------------

def _non_ad(items: list[Item], profile: Profile) -> SubScore:
    minimum = profile["mix.non_ad_share_min"]
    ads = set(profile["mix.ad_classes"])
    classified = [it for it in items if it.cls != OTHER]
    non_ad = [it for it in classified if it.cls not in ads]
    share = len(non_ad) / len(classified) if classified else 0.0
    score = clamp(100 * share / minimum) if minimum else 100.0
    improvement = ""
    if share < minimum:
        need = math.ceil((minimum * len(classified) - len(non_ad)) / (1 - minimum)) if minimum < 1 else 0
        improvement = (f"add {need} non-ad item(s) (user stories, 干货, 幕后) or turn ads into stories: "
                       f"{share:.0%} is below {minimum:.0%}")
    return SubScore("non_ad", "非广告内容占比", score,
                    evidence=[Evidence(f"{len(non_ad)}/{len(classified)} = {share:.0%}",
                                       f"minimum {minimum:.0%}; ads: {', '.join(sorted(ads))}")],
                    improvement=improvement, source=profile.source("mix.non_ad_share_min"),
                    facts={"non_ad": len(non_ad), "classified": len(classified), "share": round(share, 3)})


# -- weekly quotas and live cadence -------------------------------------------------------------------

def _quota(weeks: list[_Week], profile: Profile, lexicon: Lexicon) -> SubScore:
    quota = profile["mix.weekly_quota"]
    judged, note = _judged_weeks(weeks)
    credits, evidence, short = [], [], []
    for w in judged:
        have = {k: sum(1 for it in w.items if (it.live if k == LIVE else it.cls == k)) for k in quota}
        parts = [min(1.0, have[k] / q) if q else 1.0 for k, q in quota.items()]
        credits.append(sum(parts) / len(parts))
        evidence.append(Evidence(w.label, ", ".join(f"{k} {have[k]}/{q:g}" for k, q in quota.items())))
        gaps = [f"{math.ceil(q - have[k])} {k}" for k, q in quota.items() if have[k] < q]
        if gaps:
            short.append(f"{w.label}: add {', '.join(gaps)}")
    score = 100 * sum(credits) / len(credits) if credits else 0.0
    evidence.insert(0, Evidence(f"{len(judged)} week(s) judged{note}",
                                "quota " + " + ".join(f"{q:g} {k}" for k, q in quota.items())))
    return SubScore("quota", "每周内容配额", score, evidence=evidence, improvement="; ".join(short[:4]),
                    source=profile.source("mix.weekly_quota"))


def _cadence(weeks: list[_Week], profile: Profile) -> SubScore:
    lo, hi = profile["mix.lives_per_week"]
    judged, note = _judged_weeks(weeks)
    credits, evidence, fixes = [], [], []
    for w in judged:
        n = sum(it.live for it in w.items)
        if lo is not None and n < lo:
            credit = n / lo
            fixes.append(f"{w.label}: add {lo - n} live(s)")
        elif hi is not None and n > hi:
            credit = hi / n
            fixes.append(f"{w.label}: drop {n - hi} live(s)")
        else:
            credit = 1.0
        credits.append(credit)
        evidence.append(Evidence(w.label, f"{n} live(s)"))
    band = f"{lo if lo is not None else 0:g}-{hi if hi is not None else '∞'}"
    evidence.insert(0, Evidence(f"{len(judged)} week(s) judged{note}", f"target {band} lives per week"))
    score = 100 * sum(credits) / len(credits) if credits else 0.0
    return SubScore("cadence", "直播频次/周", score, evidence=evidence, improvement="; ".join(fixes[:4]),
                    source=profile.source("mix.lives_per_week"))


SCORER = Scorer("mix", "Compare a content calendar (CSV/JSONL/YAML: date, title, text, type) with the target mix and "
                       "cadence.", "calendars",
                lambda calendars, profile, engine, options: [score_calendar(path, profile) for path in calendars])
