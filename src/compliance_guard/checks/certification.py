"""Certificate and filing numbers (REGULATIONS.md §5): find them in any text, say exactly which
part of a malformed number is wrong, and check that a listing shows what its category needs.

Numbers are matched on the core-normalised text (full-width digits and brackets folded,
traditional -> simplified, Latin lower-cased, filler between Han characters dropped), spaces
inside a number are skipped, and every span is mapped back to the original text. The number
grammar (prefixes, positions, province codes) is the law's and lives here; everything a user
may want to tune (category tables, context words, listing categories and what they require,
messages) comes from the rule's ``options`` in ``rules/certification.yaml``.
"""
from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import regex

from compliance_guard.checks import EMPHASIS as _EMPHASIS
from compliance_guard.checks import register
from compliance_guard.text import lazyre
from compliance_guard.model.finding import Finding, Severity
from compliance_guard.text.normalize import Normalized, normalize

#: Province-level abbreviations (省级简称) used as number prefixes.
PROVINCE_ABBR = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔贵云滇藏陕甘青宁新"
#: GB/T 2260 province-level codes of mainland China.
PROVINCE_CODES = frozenset(
    f"{n:02d}" for n in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47),
                         *range(50, 55), *range(61, 66))
)
_P = f"[{PROVINCE_ABBR}]"

DRUG_LETTERS = {"H": "化学药", "Z": "中药", "S": "生物制品"}
COSMETIC_SPECIAL_LETTER = {"字": "g", "进字": "j", "制字": "z"}
COSMETIC_SPECIAL_NAME = {"字": "国产", "进字": "进口", "制字": "港澳台"}
DEVICE_ORIGIN = {"准": "境内", "进": "进口", "许": "港澳台"}


@dataclass
class CertNumber:
    """One certificate/filing number found in a text (offsets into the normalised text)."""

    kind: str
    start: int
    end: int
    value: str  # normalised, spaces removed, Latin upper-cased
    problems: list[str] = field(default_factory=list)
    legacy: bool = False
    check_digit: tuple[str, str] | None = None  # (expected, found) when it does not match


# -- helpers ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def _normalized(text: str) -> Normalized:
    return normalize(text)


def _this_year() -> int:
    return datetime.date.today().year


def _take_digits(s: str, pos: int, expected: int | None) -> tuple[str, int]:
    """ASCII digits from ``pos``, across spaces inside the number, up to ``expected`` of them.

    A following space-separated group is taken only while the total stays within
    ``expected`` (so ``SC1143306240018 2023`` stays 13 digits); ``expected=None`` takes one
    contiguous run.
    """
    digits, end, i, n = "", pos, pos, len(s)
    while True:
        j = i
        while j < n and "0" <= s[j] <= "9":
            j += 1
        group = s[i:j]
        if not group:
            break
        if digits and (expected is None or len(digits) + len(group) > expected):
            break
        digits, end = digits + group, j
        if expected is None or len(digits) >= expected:
            break
        k = j
        while k < n and k - j < 2 and s[k] in " \t":
            k += 1
        if k == j or k >= n or not ("0" <= s[k] <= "9"):
            break
        i = k
    return digits, end


def _year_problem(year: str, what: str, earliest: int = 1990) -> str | None:
    y = int(year)
    if y < earliest or y > _this_year():
        return f"{what}为年份，应在{earliest}年至今之间，此处为{year}"
    return None


def _length_problem(prefix: str, digits: str, expected: int, layout: str) -> str | None:
    if len(digits) != expected:
        return f"「{prefix}」后应为{expected}位数字（{layout}），此处为{len(digits)}位"
    return None


def _opt_int(options: Mapping, key: str, default: int) -> int:
    try:
        return int(options.get(key, default))
    except (TypeError, ValueError):
        return default


def _strs(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        value = [value]
    return [str(v) for v in value if str(v).strip()]


_SPACES = lazyre.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def _folded(s: str) -> str:
    """Normalised without spaces; cached: a catalogue repeats its category names row after row."""
    return _SPACES.sub("", _normalized(s).text)


_SPECS: dict[tuple, tuple[Mapping, object]] = {}
_NO_OPTIONS: Mapping = {}


def _spec(options: Mapping, build):
    """``build(options)`` computed once per options mapping (rules are built once, checked often)."""
    key = (id(options), build)
    hit = _SPECS.get(key)
    if hit is None or hit[0] is not options:
        hit = (options, build(options))
        _SPECS[key] = hit
    return hit[1]


@dataclass
class _NumberSpec:
    """What a rule's options say about numbers: code tables and context words."""

    foods: dict[str, str]
    additives: dict[str, str]
    min_digits: int
    ccc_window: int
    ccc_lo: int
    ccc_hi: int
    ccc_stop: list[str]
    ccc_first_year: int

    @classmethod
    def build(cls, o: Mapping) -> "_NumberSpec":
        return cls(
            foods=_code_table(o.get("food_categories")),
            additives=_code_table(o.get("additive_categories")),
            min_digits=_opt_int(o, "min_digits", 8),
            ccc_window=_opt_int(o, "window", 16),
            ccc_lo=_opt_int(o, "min_digits", 14),
            ccc_hi=_opt_int(o, "max_digits", 18),
            ccc_stop=[f for f in (_folded(w) for w in _strs(o.get("not_between"))) if f],
            ccc_first_year=_opt_int(o, "first_year", 2002),
        )


# -- the number grammar, one parser per family ----------------------------------------------

_SC = lazyre.compile(r"(?<![a-z0-9])(?<!国药准字\s{0,2})sc\s*[:\-]?\s*(?=[0-9])")
_QS = lazyre.compile(r"(?<![a-z0-9])qs\s*[:\-]?\s*(?=[0-9])")
_JY = lazyre.compile(r"(?<![a-z0-9])jy\s*[:\-]?\s*(?=[0-9])")


def _code_table(raw) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k).zfill(2): str(v) for k, v in raw.items()}


def _parse_sc(t: str, o: _NumberSpec) -> Iterable[CertNumber]:
    foods, additives, min_digits = o.foods, o.additives, o.min_digits
    for m in _SC.finditer(t):
        d, end = _take_digits(t, m.end(), 14)
        if len(d) < min_digits:
            continue
        num = CertNumber("sc", m.start(), end, "SC" + d)
        p = num.problems
        if (lp := _length_problem("SC", d, 14, "1位食品/添加剂标识+2位类别码+6位行政区划代码+4位顺序码+1位校验码")):
            p.append(lp)
        if d[0] not in "12":
            p.append(f"SC 编码第1位应为1（食品）或2（食品添加剂），此处为{d[0]}")
        elif len(d) == 14:
            table, what = (foods, "食品类别码") if d[0] == "1" else (additives, "食品添加剂类别码")
            if table and d[1:3] not in table:
                codes = sorted(table)
                p.append(f"SC 编码第2–3位为{what}，应为{codes[0]}–{codes[-1]}，此处为{d[1:3]}")
        if len(d) == 14 and d[3:5] not in PROVINCE_CODES:
            p.append(f"SC 编码第4–5位为省级行政区划代码（GB/T 2260），此处为{d[3:5]}，不是有效的省份代码")
        if len(d) == 14 and not p:
            expected = mod11_10(d[:13])
            if expected != d[13]:
                num.check_digit = (expected, d[13])
        yield num


def _parse_qs(t: str, o: _NumberSpec) -> Iterable[CertNumber]:
    min_digits = o.min_digits
    for m in _QS.finditer(t):
        d, end = _take_digits(t, m.end(), 12)
        if len(d) < min_digits:
            continue
        num = CertNumber("qs", m.start(), end, "QS" + d, legacy=True)
        if (lp := _length_problem("QS", d, 12, "旧版生产许可证编号")):
            num.problems.append(lp)
        yield num


def _parse_jy(t: str, o: _NumberSpec) -> Iterable[CertNumber]:
    min_digits = o.min_digits
    for m in _JY.finditer(t):
        d, end = _take_digits(t, m.end(), 14)
        if len(d) < min_digits:
            continue
        num = CertNumber("jy", m.start(), end, "JY" + d)
        if (lp := _length_problem("JY", d, 14, "1位主体业态+6位行政区划代码+6位顺序码+1位校验码")):
            num.problems.append(lp)
        if d[0] == "0":
            num.problems.append("JY 编号第1位为主体业态代码，应为1–9，此处为0")
        if len(d) == 14 and d[1:3] not in PROVINCE_CODES:
            num.problems.append(f"JY 编号第2–3位为省级行政区划代码（GB/T 2260），此处为{d[1:3]}，不是有效的省份代码")
        yield num


_HEALTH = lazyre.compile(r"(?P<pre>国食健注|国食健字|(?<!国)食健备)\s*(?P<letter>[a-z]?)\s*(?=[0-9])")
_HEALTH_OLD = lazyre.compile(r"卫食健字\s*\(?\s*(?P<y>[0-9]{4})\s*\)?\s*第?\s*[0-9]+\s*号?")


def _health_letter(pre: str, letter: str) -> str | None:
    if not letter:
        return f"「{pre}」后缺少字母G（国产）或J（进口）"
    if letter not in "gj":
        return f"「{pre}」后应为G（国产）或J（进口），此处为{letter.upper()}"
    return None


def _parse_health(t: str, o: _NumberSpec) -> Iterable[CertNumber]:
    for m in _HEALTH.finditer(t):
        pre, letter = m["pre"], m["letter"]
        if pre == "食健备":
            d, end = _take_digits(t, m.end(), 12)
            num = CertNumber("health_filing", m.start(), end, pre + letter.upper() + d)
            p = num.problems
            if (lp := _health_letter(pre, letter)):
                p.append(lp)
            if (lp := _length_problem(pre + letter.upper(), d, 12, "4位年份+2位省级代码+6位顺序号")):
                p.append(lp)
            if len(d) == 12:
                if (yp := _year_problem(d[:4], "第1–4位", 2016)):
                    p.append(yp)
                if letter == "j" and d[4:6] != "00":
                    p.append(f"进口保健食品备案号（食健备J）第5–6位应为00，此处为{d[4:6]}")
                elif letter == "g" and d[4:6] not in PROVINCE_CODES:
                    p.append(f"第5–6位为省级代码，此处为{d[4:6]}，不是有效的省份代码")
        else:
            d, end = _take_digits(t, m.end(), 8)
            legacy = pre == "国食健字"
            kind = "health_legacy" if legacy else "health_reg"
            num = CertNumber(kind, m.start(), end, pre + letter.upper() + d, legacy=legacy)
            p = num.problems
            if (lp := _health_letter(pre, letter)):
                p.append(lp)
            if (lp := _length_problem(pre + letter.upper(), d, 8, "4位年份+4位顺序号")):
                p.append(lp)
            if len(d) == 8 and (yp := _year_problem(d[:4], "第1–4位", 1996 if legacy else 2016)):
                p.append(yp)
        yield num
    for m in _HEALTH_OLD.finditer(t):
        yield CertNumber("health_legacy", m.start(), m.end(), regex.sub(r"\s", "", m.group()).upper(), legacy=True)


_COS_SPECIAL = lazyre.compile(r"国妆特(?P<mid>进字|制字|字)\s*(?P<letter>[a-z]?)\s*(?=[0-9])")
_COS_IMPORT = lazyre.compile(r"国妆网备(?P<mid>进|制)字\s*(?:\(\s*(?P<p>\p{Han})\s*\))?\s*(?=[0-9])")
_COS_FILING = lazyre.compile(rf"(?P<p>[国港澳台{PROVINCE_ABBR}])?\s*(?P<g>[a-z])?\s*妆网备字\s*(?=[0-9])")
_COS_OLD = lazyre.compile(
    r"卫妆(?:特进|特|进|准)字\s*\(?\s*[0-9]{4}\s*\)?\s*第?\s*[0-9]+\s*号?|国妆备进字\s*[a-z]?\s*[0-9]{6,}"
)


def _parse_cosmetic(t: str, o: _NumberSpec) -> Iterable[CertNumber]:
    for m in _COS_SPECIAL.finditer(t):
        mid, letter = m["mid"], m["letter"]
        d, end = _take_digits(t, m.end(), 8)
        prefix = f"国妆特{mid}{letter.upper()}"
        num = CertNumber("cosmetic_special", m.start(), end, prefix + d)
        want = COSMETIC_SPECIAL_LETTER[mid]
        if letter != want:
            right = "；".join(f"{COSMETIC_SPECIAL_NAME[k]}应为「国妆特{k}{v.upper()}」" for k, v in COSMETIC_SPECIAL_LETTER.items())
            here = f"此处为「{prefix}」" if letter else f"此处「国妆特{mid}」后缺少字母"
            num.problems.append(f"特殊化妆品注册证编号：{right}；{here}")
        if (lp := _length_problem(prefix, d, 8, "4位年份+4位顺序号")):
            num.problems.append(lp)
        elif (yp := _year_problem(d[:4], "第1–4位", 2000)):
            num.problems.append(yp)
        yield num
    for m in _COS_IMPORT.finditer(t):
        d, end = _take_digits(t, m.end(), 10)
        prov = m["p"] or ""
        num = CertNumber("cosmetic_import_filing", m.start(), end,
                         f"国妆网备{m['mid']}字" + (f"（{prov}）" if prov else "") + d)
        if not prov:
            num.problems.append(f"「国妆网备{m['mid']}字」后应以括号注明境内责任人所在省份简称，如「国妆网备{m['mid']}字（沪）」")
        elif prov not in PROVINCE_ABBR:
            num.problems.append(f"括号内应为省份简称，此处为「{prov}」")
        if (lp := _length_problem("国妆网备字", d, 10, "4位年份+6位顺序号")):
            num.problems.append(lp)
        elif (yp := _year_problem(d[:4], "第1–4位", 2000)):
            num.problems.append(yp)
        yield num
    for m in _COS_FILING.finditer(t):
        d, end = _take_digits(t, m.end(), 10)
        prov, g = m["p"] or "", m["g"] or ""
        num = CertNumber("cosmetic_filing", m.start(), end, f"{prov}{g.upper()}妆网备字{d}")
        p = num.problems
        if not prov:
            p.append("国产普通化妆品备案号应以省份简称开头，如「粤G妆网备字」")
        elif prov == "国":
            p.append("国产普通化妆品备案号应以省份简称开头（如「粤G妆网备字」），进口产品为「国妆网备进字（省份简称）」；没有「国妆网备字」")
        elif prov not in PROVINCE_ABBR:
            p.append(f"「{prov}」不是内地省份简称；港澳台普通化妆品备案号为「国妆网备制字（省份简称）」")
        if prov in PROVINCE_ABBR and prov and g != "g":
            p.append(f"省份简称后应为字母G，此处{'为' + g.upper() if g else '缺少'}")
        if (lp := _length_problem("妆网备字", d, 10, "4位年份+6位顺序号")):
            p.append(lp)
        elif (yp := _year_problem(d[:4], "第1–4位", 2000)):
            p.append(yp)
        yield num
    for m in _COS_OLD.finditer(t):
        yield CertNumber("cosmetic_legacy", m.start(), m.end(), regex.sub(r"\s", "", m.group()).upper(), legacy=True)


_DEV_REG = lazyre.compile(rf"(?P<p>[国{PROVINCE_ABBR}])?\s*械注\s*(?P<x>\p{{Han}})?\s*(?=[0-9])")
_DEV_FILING = lazyre.compile(rf"(?P<p>国|{_P}\p{{Han}}?)?\s*械备\s*(?=[0-9])")
_DEV_OLD = lazyre.compile(rf"(?:国|{_P})食药监械\s*\(\s*[准进许]\s*\)\s*字\s*[0-9]{{4}}\s*第\s*[0-9]+\s*号")


def _parse_device(t: str, o: _NumberSpec) -> Iterable[CertNumber]:
    for m in _DEV_REG.finditer(t):
        prov, x = m["p"] or "", m["x"] or ""
        d, end = _take_digits(t, m.end(), 11)
        num = CertNumber("device_reg", m.start(), end, f"{prov}械注{x}{d}")
        p = num.problems
        if not prov:
            p.append("「械注」前应为「国」（境内第三类、进口及港澳台）或省份简称（境内第二类）")
        if x not in DEVICE_ORIGIN:
            p.append("「械注」后应为准（境内）、进（进口）或许（港澳台）" + (f"，此处为「{x}」" if x else "，此处缺少"))
        if (lp := _length_problem(f"{prov}械注{x}", d, 11, "4位年份+1位管理类别+2位分类编码+4位流水号")):
            p.append(lp)
        else:
            if not d.startswith(("19", "20")) or (yp := _year_problem(d[:4], "第1–4位", 1990)):
                p.append(f"第1–4位为批准年份，此处为{d[:4]}")
            cls = d[4]
            if cls not in "23":
                if cls == "1":
                    p.append("第5位管理类别为1：第一类医疗器械实行备案（「械备」），不核发注册证")
                else:
                    p.append(f"第5位为管理类别，注册证只有2（第二类）或3（第三类），此处为{cls}")
            elif prov and prov != "国":
                if cls != "2":
                    p.append(f"「{prov}械注准」是省局核发的境内第二类医疗器械注册证，管理类别应为2，此处为{cls}"
                             "（境内第三类应为「国械注准」）")
            elif prov == "国" and x == "准" and cls != "3":
                p.append(f"「国械注准」是境内第三类医疗器械注册证，管理类别应为3，此处为{cls}"
                         "（境内第二类由省局核发，如「粤械注准」）")
        if prov and prov != "国" and x in ("进", "许"):
            p.append(f"省局只核发境内第二类医疗器械注册证（「{prov}械注准」），进口和港澳台产品应为「国械注{x}」")
        yield num
    for m in _DEV_FILING.finditer(t):
        prov = m["p"] or ""
        d, end = _take_digits(t, m.end(), None)
        num = CertNumber("device_filing", m.start(), end, f"{prov}械备{d}")
        p = num.problems
        if not prov:
            p.append("「械备」前应为「国」（进口）或省份简称加设区的市简称（如「粤穗械备」）")
        if len(d) < 8:
            p.append(f"「械备」后应为4位年份+至少4位流水号，此处共{len(d)}位数字")
        elif (yp := _year_problem(d[:4], "第1–4位", 2014)):
            p.append(yp)
        yield num
    for m in _DEV_OLD.finditer(t):
        yield CertNumber("device_legacy", m.start(), m.end(), regex.sub(r"\s", "", m.group()).upper(), legacy=True)


_DRUG = lazyre.compile(r"国药准字\s*(?P<l>[a-z]{0,3})\s*(?=[0-9])")


def _parse_drug(t: str, o: _NumberSpec) -> Iterable[CertNumber]:
    for m in _DRUG.finditer(t):
        letters = m["l"].upper()
        d, end = _take_digits(t, m.end(), 8)
        num = CertNumber("drug", m.start(), end, f"国药准字{letters}{d}")
        ok = letters == "J" or (1 <= len(letters) <= 2 and letters[0] in DRUG_LETTERS
                                and (len(letters) == 1 or letters[1] in "CJ"))
        if not ok:
            kinds = "、".join(f"{k}（{v}）" for k, v in DRUG_LETTERS.items())
            here = f"此处为「{letters}」" if letters else "此处缺少"
            num.problems.append(f"「国药准字」后应为{kinds}，港澳台产品加C、境外产品加J（J单独为进口分包装）；{here}")
        if (lp := _length_problem("国药准字" + letters, d, 8, "8位数字")):
            num.problems.append(lp)
        yield num


_CCC = lazyre.compile(r"(?<![a-z0-9])(?:ccc|3c)(?![a-z0-9])")


def _parse_ccc(t: str, o: _NumberSpec) -> Iterable[CertNumber]:
    window, lo, hi, stop, first_year = o.ccc_window, o.ccc_lo, o.ccc_hi, o.ccc_stop, o.ccc_first_year
    seen: set[int] = set()
    for m in _CCC.finditer(t):
        digit = regex.search(r"[0-9]", t[m.end():m.end() + window + 1])
        if not digit:
            continue
        start = m.end() + digit.start()
        between = t[m.end():start]
        if start in seen or (start > 0 and "a" <= t[start - 1] <= "z") or "\n" in between:
            continue
        if any(s in between for s in stop):
            continue
        d, end = _take_digits(t, start, 16)
        if d == t[start:end] and end < len(t) and "0" <= t[end] <= "9":
            continue
        if not lo <= len(d) <= hi:
            continue
        seen.add(start)
        num = CertNumber("ccc", start, end, d)
        if (lp := _length_problem("CCC 证书编号", d, 16, "4位年份+2位认证机构代码+4位产品类别+6位流水号")):
            num.problems.append(lp)
        else:
            y = int(d[:4])
            if not first_year <= y <= _this_year():
                num.problems.append(f"CCC 证书编号前4位为发证年份，应在{first_year}年（强制性产品认证实施）至今之间，此处为{d[:4]}")
        yield num


_PARSERS = {
    "sc": _parse_sc, "qs": _parse_qs, "jy": _parse_jy,
    "health_reg": _parse_health, "health_filing": _parse_health, "health_legacy": _parse_health,
    "cosmetic_special": _parse_cosmetic, "cosmetic_filing": _parse_cosmetic,
    "cosmetic_import_filing": _parse_cosmetic, "cosmetic_legacy": _parse_cosmetic,
    "device_reg": _parse_device, "device_filing": _parse_device, "device_legacy": _parse_device,
    "drug": _parse_drug, "ccc": _parse_ccc,
}
KINDS = tuple(_PARSERS)
#: Something every number's prefix contains (SC/QS/JY only before a digit: ``disc`` is not one):
#: texts without it are skipped at once.
_TRIGGER = lazyre.compile(r"(?:sc|qs|jy)\s*[:\-]?\s*[0-9]|ccc|3c|食健|妆|械|药准")
#: A free text is held to a category requirement through a number or a 「类目：…」 line.
_REQUIREMENT_GATE = lazyre.compile(_TRIGGER.pattern + "|:")


def find_numbers_normalized(t: str, kinds: Iterable[str], options: Mapping | None = None) -> list[CertNumber]:
    """Numbers of ``kinds`` in an already normalised text (offsets into it)."""
    wanted = set(kinds)
    unknown = wanted - set(_PARSERS)
    if unknown:
        raise ValueError(f"unknown certificate kind(s): {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})")
    if not _TRIGGER.search(t):
        return []
    spec = _spec(options or _NO_OPTIONS, _NumberSpec.build)
    out: list[CertNumber] = []
    for parser in dict.fromkeys(_PARSERS[k] for k in wanted):
        out.extend(n for n in parser(t, spec) if n.kind in wanted)
    return sorted(out, key=lambda n: (n.start, n.end))


def find_numbers(text: str, kinds: Iterable[str] = KINDS, options: Mapping | None = None) -> list[CertNumber]:
    """Numbers of ``kinds`` in ``text``, with ``start``/``end`` mapped to the ORIGINAL text."""
    norm = _normalized(text)
    found = find_numbers_normalized(norm.text, kinds, options)
    for n in found:
        n.start, n.end = norm.span(n.start, n.end)
    return found


def mod11_10(digits: str) -> str:
    """ISO 7064 MOD 11,10 (GB/T 17710) check digit over ``digits``."""
    p = 10
    for ch in digits:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)


# -- text checks: one registered function per rule kind -------------------------------------

def _fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def _finding(rule, text: str, start: int, end: int, message: str, severity: Severity | None = None,
             field_name: str | None = None) -> Finding:
    return Finding(
        rule=rule.id, pack=rule.pack, category=rule.category, severity=severity or rule.severity,
        message=message, text=text[start:end], start=start, end=end,
        suggestions=list(rule.suggest.get("*", [])), source=rule.source, field=field_name,
    )


def _number_check(kinds: tuple[str, ...], report: str):
    """A text check over numbers of ``kinds``; ``report`` picks which numbers it flags."""

    def check(text: str, rule) -> list[Finding]:
        out = []
        for n in find_numbers(text, kinds, rule.options):
            if report == "problems" and n.problems and not n.legacy:
                problem = "；".join(n.problems)
            elif report == "legacy" and n.legacy:
                problem = ("；" + "；".join(n.problems)) if n.problems else ""
            elif report == "check-digit" and n.check_digit:
                expected, found = n.check_digit
                problem = f"校验位（第14位）按 ISO 7064 MOD 11,10 计算应为{expected}，此处为{found}"
            else:
                continue
            original = text[n.start:n.end]
            out.append(_finding(rule, text, n.start, n.end, _fill(rule.message, text=original, problem=problem)))
        return out

    return check


for _name, _kinds, _report in (
    ("sc-code", ("sc",), "problems"),
    ("sc-check-digit", ("sc",), "check-digit"),
    ("qs-legacy", ("qs",), "legacy"),
    ("jy-code", ("jy",), "problems"),
    ("health-food-number", ("health_reg", "health_filing"), "problems"),
    ("health-food-legacy", ("health_legacy",), "legacy"),
    ("cosmetic-number", ("cosmetic_special", "cosmetic_filing", "cosmetic_import_filing"), "problems"),
    ("cosmetic-legacy", ("cosmetic_legacy",), "legacy"),
    ("device-number", ("device_reg", "device_filing"), "problems"),
    ("device-legacy", ("device_legacy",), "legacy"),
    ("drug-number", ("drug",), "problems"),
    ("ccc-number", ("ccc",), "problems"),
):
    register(_name, gate=_TRIGGER, placeholders={"": ("text", "problem")})(_number_check(_kinds, _report))

#: Registered number checks and the kinds each validates (for bare numbers in listing fields).
NUMBER_CHECK_KINDS = {
    "sc-code": ("sc",), "sc-check-digit": ("sc",), "jy-code": ("jy",), "ccc-number": ("ccc",),
}


# -- category requirements ----------------------------------------------------------------

REQUIREMENT_CHECK = "category-requirement"
_REQUIREMENT_FILLS = ("text", "category", "claim", "number")  # what _evaluate fills in


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> regex.Pattern:
    return regex.compile(pattern, regex.IGNORECASE)


@dataclass
class _ReqSpec:
    """A category-requirement rule's options, folded and compiled once."""

    categories: list[str]
    exempt_categories: list[str]
    flags: list[str]
    exempt_flags: list[str]
    truthy: set[str]
    claim_re: regex.Pattern | None
    claim_allow: list[regex.Pattern]
    require_numbers: set[str]
    require_text: list[str]
    require_patterns: list[regex.Pattern]
    conflict_numbers: set[str]
    conflict_message: str
    text_evidence: set[str]
    category_line: regex.Pattern | None
    category_field: str
    number_fields: dict[str, str]  # field name -> number kind

    @property
    def kinds(self) -> set[str]:
        return self.require_numbers | self.conflict_numbers | self.text_evidence

    @classmethod
    def build(cls, o: Mapping) -> "_ReqSpec":
        def folded(key: str) -> list[str]:
            return [f for f in (_folded(w) for w in _strs(o.get(key))) if f]

        claims = sorted(set(folded("claims")), key=len, reverse=True)
        labels = _strs(o.get("category_labels"))
        line = None
        if labels:
            alt = "|".join(regex.escape(lab) for lab in labels)
            # on the ORIGINAL text: normalisation joins lines between Han characters
            line = regex.compile(
                rf"(?m)^[ \t\u3000]*{_EMPHASIS}(?:{alt}){_EMPHASIS}[ \t\u3000]*[:：][ \t\u3000]*{_EMPHASIS}"
                rf"(?P<v>[^\r\n]*?){_EMPHASIS}[ \t\u3000\r]*$",
                regex.IGNORECASE)
        number_fields = {}
        for kind, names in (o.get("number_fields") or {}).items():
            for name in _strs(names):
                number_fields[name] = str(kind)
        return cls(
            categories=folded("categories"), exempt_categories=folded("exempt_categories"),
            flags=_strs(o.get("flags")), exempt_flags=_strs(o.get("exempt_flags")),
            truthy=set(folded("truthy")) or {"1", "true", "yes", "y", "是"},
            claim_re=regex.compile("|".join(regex.escape(c) for c in claims)) if claims else None,
            claim_allow=[_compiled(p) for p in _strs(o.get("claim_allow"))],
            require_numbers=set(_strs(o.get("require_numbers"))),
            require_text=folded("require_text"),
            require_patterns=[_compiled(p) for p in _strs(o.get("require_patterns"))],
            conflict_numbers=set(_strs(o.get("conflict_numbers"))),
            conflict_message=str(o.get("conflict_message") or ""),
            text_evidence=set(_strs(o.get("text_evidence"))),
            category_line=line,
            category_field=str(o.get("category_field", "category")),
            number_fields=number_fields,
        )

    def truthy_flag(self, fields: Mapping[str, object], names: list[str]) -> bool:
        return any(fields.get(n) is not None and _folded(str(fields[n])) in self.truthy for n in names)

    def category_matches(self, category: str, names: list[str]) -> bool:
        c = _folded(category)
        return any(n in c for n in names)


@dataclass
class _Where:
    field: str | None
    text: str  # the original text the span refers to
    start: int
    end: int

    @property
    def value(self) -> str:
        return self.text[self.start:self.end]


class _Listing:
    """The texts of one listing (or of one free text), normalised once, with numbers found."""

    def __init__(self, texts: Mapping[str, str], kinds: Iterable[str], bare_kinds: Iterable[str] = ()):
        self.texts = {k: v for k, v in texts.items() if isinstance(v, str) and v}
        self.norms = {k: _normalized(v) for k, v in self.texts.items()}
        self.numbers: dict[str, list[CertNumber]] = {
            k: find_numbers_normalized(n.text, kinds) for k, n in self.norms.items()
        } if kinds else {}
        self.kinds_present = {n.kind for ns in self.numbers.values() for n in ns} | set(bare_kinds)

    def view(self, drop: str, kinds: Iterable[str], bare_kinds: Iterable[str]) -> "_Listing":
        """This listing without field ``drop`` and with numbers of ``kinds`` only: one rule's view,
        without normalising and searching the fields again for every requirement rule."""
        kinds = set(kinds)
        out = object.__new__(_Listing)
        out.texts = {k: v for k, v in self.texts.items() if k != drop}
        out.norms = {k: self.norms[k] for k in out.texts}
        out.numbers = {k: [n for n in self.numbers.get(k, []) if n.kind in kinds] for k in out.texts} if kinds else {}
        out.kinds_present = {n.kind for ns in out.numbers.values() for n in ns} | set(bare_kinds)
        return out

    def first_number(self, kinds: Iterable[str]) -> _Where | None:
        kinds = set(kinds)
        for name, ns in self.numbers.items():
            for n in ns:
                if n.kind in kinds:
                    s, e = self.norms[name].span(n.start, n.end)
                    return _Where(name, self.texts[name], s, e)
        return None

    def has_text(self, phrases: list[str], patterns: list[regex.Pattern]) -> bool:
        for n in self.norms.values():
            flat = regex.sub(r"\s+", "", n.text)
            if any(p in flat for p in phrases) or any(p.search(n.text) for p in patterns):
                return True
        return False

    def claims(self, spec: _ReqSpec) -> list[tuple[str, _Where]]:
        found = []
        for name, n in self.norms.items():
            allowed = [m.span() for p in spec.claim_allow for m in p.finditer(n.text)]
            for m in spec.claim_re.finditer(n.text):
                if any(s <= m.start() and m.end() <= e for s, e in allowed):
                    continue
                s, e = n.span(m.start(), m.end())
                found.append((m.group(), _Where(name, self.texts[name], s, e)))
        return found


def _evaluate(rule, spec: _ReqSpec, listing: _Listing, category: str | None, where_category: _Where | None,
              flags: Mapping[str, object]) -> list[Finding]:
    """The finding of one requirement rule for one listing (or one free text), if any."""
    present = listing.kinds_present
    evidence = spec.text_evidence & present
    in_scope = (bool(category) and spec.category_matches(category, spec.categories)) or bool(evidence)
    if not (in_scope or spec.truthy_flag(flags, spec.flags)):
        return []
    if category and spec.category_matches(category, spec.exempt_categories):
        return []
    if spec.truthy_flag(flags, spec.exempt_flags):
        return []
    claims = listing.claims(spec) if spec.claim_re is not None else []
    if spec.claim_re is not None and not claims:
        return []
    numbers_ok = not spec.require_numbers or bool(spec.require_numbers & present)
    text_ok = not (spec.require_text or spec.require_patterns) or listing.has_text(
        spec.require_text, spec.require_patterns)
    if numbers_ok and text_ok:
        return []
    conflict = listing.first_number(spec.conflict_numbers) if spec.conflict_numbers & present else None
    message = spec.conflict_message if conflict and spec.conflict_message else rule.message
    if claims:
        claim, where = claims[0]
    else:
        claim, where = "", where_category or listing.first_number(evidence or present)
    where = where or _Where(None, "", 0, 0)
    msg = _fill(message, text=where.value, category=category or "", claim=claim,
                number=conflict.value if conflict else "")
    return [_finding(rule, where.text, where.start, where.end, msg, field_name=where.field)]


@register(REQUIREMENT_CHECK, gate=_REQUIREMENT_GATE,
          placeholders={"": _REQUIREMENT_FILLS, "conflict_message": _REQUIREMENT_FILLS})
def category_requirement(text: str, rule) -> list[Finding]:
    """Free-text form of a listing requirement.

    The text is held to the requirement only on explicit evidence: a ``类目：…`` line (a
    listing pasted as text) or a number that shows the product type (``text_evidence``: a
    保健食品 number makes the text a 保健食品 advertisement).
    """
    spec = _spec(rule.options, _ReqSpec.build)
    # a lone CR ends a line too (same length, so the offsets hold)
    m = spec.category_line.search(text.replace("\r", "\n")) if spec.category_line is not None else None
    where = _Where(None, text, m.start("v"), m.end("v")) if m and m["v"] else None
    if where is None and not spec.text_evidence:
        return []
    listing = _Listing({"text": text}, spec.kinds)
    found = _evaluate(rule, spec, listing, where.value if where else None, where, {})
    for f in found:
        f.field = None
    return found


def _rules_from(options: Mapping | None, checks: set[str]) -> list:
    rules = (options or {}).get("rules")
    if rules is None:
        from compliance_guard.engine import default_engine

        rules = default_engine().rules
    return [r for r in rules if getattr(r, "check", None) in checks]


_BARE = lazyre.compile(r"[0-9][0-9 \t]{7,}")


def check_listing(listing_fields: Mapping[str, str], category: str | None,
                  options: Mapping | None = None) -> list[Finding]:
    """Category requirements of one listing, plus format checks of bare numbers in its fields.

    ``options["rules"]``: the rules to apply (pass an ``Engine``'s ``rules`` so select/ignore
    and severity overrides hold); default: the built-in packs. Rules with ``check:
    category-requirement`` say in their YAML ``options`` which categories need what. A
    number field (``number_fields``) holding digits without its prefix (``11834020305037``
    in a 生产许可证编号 column) is validated with the SC/JY rules, since the text engine
    cannot recognise it. Findings carry ``field`` (``category_field`` for a missing item,
    spanning the category value) and offsets within that field's value.
    """
    rules = _rules_from(options, {REQUIREMENT_CHECK, *NUMBER_CHECK_KINDS})
    fields = {k: v for k, v in listing_fields.items() if isinstance(v, str)}
    findings: list[Finding] = []
    bare: dict[str, str] = {}
    requirements = [(rule, _spec(rule.options, _ReqSpec.build)) for rule in rules if rule.check == REQUIREMENT_CHECK]
    whole = _Listing(fields, set().union(*(spec.kinds for _, spec in requirements)))
    digits_only = {name for name, value in fields.items() if _BARE.fullmatch(_normalized(value).text.strip())}
    for rule, spec in requirements:
        cat = category if category is not None else fields.get(spec.category_field)
        rule_bare = {name: kind for name, kind in spec.number_fields.items() if name in digits_only}
        bare.update(rule_bare)
        listing = whole.view(spec.category_field, spec.kinds, rule_bare.values())
        where = _Where(spec.category_field, cat, 0, len(cat)) if cat else None
        findings.extend(_evaluate(rule, spec, listing, cat, where, listing_fields))
    findings.extend(_bare_number_findings(fields, bare, rules))
    return findings


def _bare_number_findings(fields: Mapping[str, str], bare: Mapping[str, str], rules: list) -> list[Finding]:
    """Format findings for number fields given without their prefix, spanning the value."""
    from compliance_guard.checks import REGISTRY

    out: list[Finding] = []
    for name, kind in bare.items():
        value = fields[name]
        start, end = len(value) - len(value.lstrip()), len(value.rstrip())
        for rule in rules:
            if kind not in NUMBER_CHECK_KINDS.get(rule.check, ()):
                continue
            for f in REGISTRY[rule.check](f"{kind.upper()} {value.strip()}", rule):
                f.message = f.message.replace(f"「{f.text}」", f"「{value[start:end]}」")
                f.start, f.end, f.text, f.field = start, end, value[start:end], name
                out.append(f)
    return out
