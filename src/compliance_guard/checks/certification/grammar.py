"""The number grammar of certificates and filings (the law's, not a rule's): every SC, QS, JY,
保健食品, 化妆品, 医疗器械, 药品 and CCC number in a normalised text, each with exactly which part
of it is wrong.

Numbers are matched on the normalised text (full-width digits and brackets folded,
traditional -> simplified, Latin lower-cased, filler between Han characters dropped) and
spaces inside a number are skipped. What a rule may tune (category code tables, how far a CCC
number may stand from its mention) is a NumberGrammar; the checks over numbers are in
``numbers.py``, what a listing must show in ``requirements.py``; ``reading.py`` parses each
text once for all of them.
"""
from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import regex

from compliance_guard.text import lazyre
from compliance_guard.text.normalize import normalize

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


@dataclass(frozen=True)
class NumberGrammar:
    """What a rule's options may change in the grammar: code tables and the CCC context."""

    foods: Mapping[str, str] = field(default_factory=dict)  # SC 第2–3位 for 食品 (1xx)
    additives: Mapping[str, str] = field(default_factory=dict)  # ... for 食品添加剂 (2xx)
    min_digits: int = 8  # SC/QS/JY followed by fewer digits is not a number
    ccc_window: int = 16  # the number follows the CCC/3C mention within this many characters
    ccc_lo: int = 14
    ccc_hi: int = 18
    ccc_stop: tuple[str, ...] = ()  # words between mention and digits that make them another number
    ccc_first_year: int = 2002


DEFAULT_GRAMMAR = NumberGrammar()
_GRAMMARS = [DEFAULT_GRAMMAR]


def shared_grammar(grammar: NumberGrammar) -> NumberGrammar:
    """An equal grammar made before, else ``grammar``: rules with the same options (sc-code and
    sc-check-digit; every rule left at the defaults) then share one parse of each text."""
    for known in _GRAMMARS:
        if known == grammar:
            return known
    if len(_GRAMMARS) < 64:
        _GRAMMARS.append(grammar)
    return grammar


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


# -- the number grammar, one parser per family ----------------------------------------------

_SC = lazyre.compile(r"(?<![a-z0-9])(?<!国药准字\s{0,2})sc\s*[:\-]?\s*(?=[0-9])")
_QS = lazyre.compile(r"(?<![a-z0-9])qs\s*[:\-]?\s*(?=[0-9])")
_JY = lazyre.compile(r"(?<![a-z0-9])jy\s*[:\-]?\s*(?=[0-9])")

def _parse_sc(t: str, o: NumberGrammar) -> Iterable[CertNumber]:
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


def _parse_qs(t: str, o: NumberGrammar) -> Iterable[CertNumber]:
    min_digits = o.min_digits
    for m in _QS.finditer(t):
        d, end = _take_digits(t, m.end(), 12)
        if len(d) < min_digits:
            continue
        num = CertNumber("qs", m.start(), end, "QS" + d, legacy=True)
        if (lp := _length_problem("QS", d, 12, "旧版生产许可证编号")):
            num.problems.append(lp)
        yield num


def _parse_jy(t: str, o: NumberGrammar) -> Iterable[CertNumber]:
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


def _parse_health(t: str, o: NumberGrammar) -> Iterable[CertNumber]:
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


def _parse_cosmetic(t: str, o: NumberGrammar) -> Iterable[CertNumber]:
    for m in _COS_SPECIAL.finditer(t):
        mid, letter = m["mid"], m["letter"]
        d, end = _take_digits(t, m.end(), 8)
        prefix = f"国妆特{mid}{letter.upper()}"
        num = CertNumber("cosmetic_special", m.start(), end, prefix + d)
        want = COSMETIC_SPECIAL_LETTER[mid]
        if letter != want:
            right = "；".join(f"{COSMETIC_SPECIAL_NAME[k]}应为「国妆特{k}{v.upper()}」"
                             for k, v in COSMETIC_SPECIAL_LETTER.items())
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


def _parse_device(t: str, o: NumberGrammar) -> Iterable[CertNumber]:
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


def _parse_drug(t: str, o: NumberGrammar) -> Iterable[CertNumber]:
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


def _parse_ccc(t: str, o: NumberGrammar) -> Iterable[CertNumber]:
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
                num.problems.append(f"CCC 证书编号前4位为发证年份，应在{first_year}年（强制性产品认证实施）至今之间，"
                                    f"此处为{d[:4]}")
        yield num


_PARSERS = {
    "sc": _parse_sc, "qs": _parse_qs, "jy": _parse_jy,
    "health_reg": _parse_health, "health_filing": _parse_health, "health_legacy": _parse_health,
    "cosmetic_special": _parse_cosmetic, "cosmetic_filing": _parse_cosmetic,
    "cosmetic_import_filing": _parse_cosmetic, "cosmetic_legacy": _parse_cosmetic,
    "device_reg": _parse_device, "device_filing": _parse_device, "device_legacy": _parse_device,
    "drug": _parse_drug, "ccc": _parse_ccc,
}
NUMBER_KINDS = tuple(_PARSERS)
KNOWN_KINDS = frozenset(_PARSERS)
#: Something every number's prefix contains (SC/QS/JY only before a digit: ``disc`` is not one):
#: texts without it are skipped at once.
TRIGGER = lazyre.compile(r"(?:sc|qs|jy)\s*[:\-]?\s*[0-9]|ccc|3c|食健|妆|械|药准")


@functools.lru_cache(maxsize=64)
def parsers(kinds: frozenset[str]) -> tuple:
    """The parsers of the families ``kinds`` belong to, in one fixed order."""
    return tuple(dict.fromkeys(_PARSERS[k] for k in NUMBER_KINDS if k in kinds))


def mod11_10(digits: str) -> str:
    """ISO 7064 MOD 11,10 (GB/T 17710) check digit over ``digits``."""
    p = 10
    for ch in digits:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)


_SPACES = lazyre.compile(r"\s+")
#: A field value that is a number without its prefix (``11834020305037`` in a 生产许可证编号 column).
BARE_DIGITS = lazyre.compile(r"[0-9][0-9 \t]{7,}")


@functools.lru_cache(maxsize=4096)
def compact(s: str) -> str:
    """``s`` normalised without spaces: for option words and category names, which a catalogue
    repeats row after row (not for the checked text, whose views the engine gives)."""
    return _SPACES.sub("", normalize(s).text)
