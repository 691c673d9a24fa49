"""Checks over the certificate and filing numbers in a text: a malformed number (which part is
wrong), a wrong SC check digit, a format no longer in use. In a listing, a number field given
without its prefix (``11834020305037`` in a 生产许可证编号 column, named by ``listing_fields``)
is checked as the number it must be."""
from __future__ import annotations

from dataclasses import dataclass

from compliance_guard.checks.base import Check, fill, finding
from compliance_guard.checks.certification.grammar import BARE_DIGITS, TRIGGER, NumberGrammar, compact, shared_grammar
from compliance_guard.checks.certification.reading import find_numbers, first_text
from compliance_guard.load.schema import Option, mapping, string, strings, whole
from compliance_guard.model.finding import Finding
from compliance_guard.text.view import FieldViews, TextView

_FIELDS = Option(strings, (), "listing fields that hold this number, possibly without its prefix")
SC_OPTIONS = {
    "min_digits": Option(whole, 8, "SC followed by fewer digits is not taken for a licence number"),
    "food_categories": Option(mapping(string), {}, "食品类别码 (第2–3位 after 1) -> name"),
    "additive_categories": Option(mapping(string), {}, "食品添加剂类别码 (第2–3位 after 2) -> name"),
    "listing_fields": _FIELDS,
}
QS_OPTIONS = {"min_digits": Option(whole, 8, "QS followed by fewer digits is not taken for a licence number")}
JY_OPTIONS = {"min_digits": Option(whole, 8, "JY followed by fewer digits is not taken for a licence number"),
              "listing_fields": _FIELDS}
CCC_OPTIONS = {
    "window": Option(whole, 16, "the number follows the CCC/3C mention within this many characters"),
    "min_digits": Option(whole, 14, "shorter digit runs are not a certificate number"),
    "max_digits": Option(whole, 18, "longer digit runs are not a certificate number"),
    "first_year": Option(whole, 2002, "the first year CCC certificates were issued"),
    "not_between": Option(strings, (), "words between the mention and the digits that make them another number"),
    "listing_fields": _FIELDS,
}
_PROBLEM = {"": ("text", "problem")}


@dataclass(frozen=True)
class Prepared:
    grammar: NumberGrammar
    listing_fields: tuple[str, ...] = ()


def _code_table(raw) -> dict[str, str]:
    return {str(k).zfill(2): str(v) for k, v in (raw or {}).items()}


def _prepare(options: dict) -> Prepared:
    return Prepared(shared_grammar(NumberGrammar(foods=_code_table(options.get("food_categories")),
                                                 additives=_code_table(options.get("additive_categories")),
                                                 min_digits=options.get("min_digits", 8))),
                    tuple(options.get("listing_fields", ())))


def _prepare_ccc(options: dict) -> Prepared:
    stop = tuple(f for f in (compact(w) for w in options["not_between"]) if f)
    grammar = NumberGrammar(ccc_window=options["window"], ccc_lo=options["min_digits"], ccc_hi=options["max_digits"],
                            ccc_first_year=options["first_year"], ccc_stop=stop)
    return Prepared(shared_grammar(grammar), tuple(options["listing_fields"]))


def _text_check(kinds: tuple[str, ...], report: str):
    """The findings over numbers of ``kinds``; ``report`` picks which numbers are flagged."""
    wanted = frozenset(kinds)

    def run(view: TextView, rule, prepared: Prepared) -> list[Finding]:
        text = view.original
        out = []
        for n in find_numbers(view, wanted, prepared.grammar):
            if report == "problems" and n.problems and not n.legacy:
                problem = "；".join(n.problems)
            elif report == "legacy" and n.legacy:
                problem = ("；" + "；".join(n.problems)) if n.problems else ""
            elif report == "check-digit" and n.check_digit:
                expected, found = n.check_digit
                problem = f"校验位（第14位）按 ISO 7064 MOD 11,10 计算应为{expected}，此处为{found}"
            else:
                continue
            out.append(finding(rule, text, n.start, n.end, fill(rule.message, text=text[n.start:n.end], problem=problem)))
        return out

    return run


def is_bare(view: TextView) -> bool:
    """Whether a field holds digits only (a number without its prefix). Read on pass 1, which
    is the plain text itself whenever either is digits only (pass 2 drops filler between Han)."""
    digits = first_text(view).strip()
    return len(digits) >= 8 and "0" <= digits[0] <= "9" and BARE_DIGITS.fullmatch(digits) is not None


def _prefixed(view: TextView, kind: str) -> TextView:
    """A bare number field as ``KIND digits``: one view per field and kind, so the rules of a
    kind parse it once."""
    key = ("certification.prefixed", kind)
    prefixed = view.memo.get(key)
    if prefixed is None:
        prefixed = view.memo[key] = TextView(f"{kind.upper()} {view.original.strip()}")
    return prefixed


def _bare_fields(kind: str, text_run):
    """A listing field named in ``listing_fields`` that holds digits only is checked as
    ``KIND digits``; its findings span the field's value."""

    def run(fields: FieldViews, rule, prepared: Prepared) -> list[Finding]:
        out = []
        for name in prepared.listing_fields:
            view = fields.view(name) if name in fields.fields else None
            if view is None or not is_bare(view):
                continue
            value = view.original
            start, end = len(value) - len(value.lstrip()), len(value.rstrip())
            for f in text_run(_prefixed(view, kind), rule, prepared):
                f.message = f.message.replace(f"「{f.text}」", f"「{value[start:end]}」")
                f.start, f.end, f.text, f.field = start, end, value[start:end], name
                out.append(f)
        return out

    return run


def _number_check(name: str, kinds: tuple[str, ...], report: str, options=None, prepare=_prepare,
                  bare: str | None = None) -> Check:
    text = _text_check(kinds, report)
    return Check(name, options=options or {}, prepare=prepare, text=text,
                 listing=_bare_fields(bare, text) if bare else None, gate=TRIGGER, fills=_PROBLEM)


SC_CODE = _number_check("sc-code", ("sc",), "problems", SC_OPTIONS, bare="sc")
SC_CHECK_DIGIT = _number_check("sc-check-digit", ("sc",), "check-digit", SC_OPTIONS, bare="sc")
QS_LEGACY = _number_check("qs-legacy", ("qs",), "legacy", QS_OPTIONS)
JY_CODE = _number_check("jy-code", ("jy",), "problems", JY_OPTIONS, bare="jy")
HEALTH_FOOD_NUMBER = _number_check("health-food-number", ("health_reg", "health_filing"), "problems")
HEALTH_FOOD_LEGACY = _number_check("health-food-legacy", ("health_legacy",), "legacy")
COSMETIC_NUMBER = _number_check("cosmetic-number", ("cosmetic_special", "cosmetic_filing", "cosmetic_import_filing"),
                                "problems")
COSMETIC_LEGACY = _number_check("cosmetic-legacy", ("cosmetic_legacy",), "legacy")
DEVICE_NUMBER = _number_check("device-number", ("device_reg", "device_filing"), "problems")
DEVICE_LEGACY = _number_check("device-legacy", ("device_legacy",), "legacy")
DRUG_NUMBER = _number_check("drug-number", ("drug",), "problems")
CCC_NUMBER = _number_check("ccc-number", ("ccc",), "problems", CCC_OPTIONS, _prepare_ccc, bare="ccc")
#: Every check above reads only the numbers of a text: none finds anything where
#: ``reading.may_hold_numbers`` says no.
NUMBER_CHECKS = (SC_CODE, SC_CHECK_DIGIT, QS_LEGACY, JY_CODE, HEALTH_FOOD_NUMBER, HEALTH_FOOD_LEGACY, COSMETIC_NUMBER,
                 COSMETIC_LEGACY, DEVICE_NUMBER, DEVICE_LEGACY, DRUG_NUMBER, CCC_NUMBER)
