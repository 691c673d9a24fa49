"""Catalogue columns: which column feeds which listing field, and a row as a Listing.

A catalogue export names its columns in many ways (商品标题, 商品名称, title…); the mapping
turns them into the named fields the checks know (model.listing.FIELDS), so a rule pack never
sees a column name.
"""
from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from compliance_guard.model.listing import FIELDS, PRICE_FIELDS, TEXT_FIELDS, Listing

#: Default column headers per field (compared after folding: NFKC, lower case, no spaces,
#: underscores or hyphens, no bracketed unit such as ``售价(元)``), with the headers of the
#: common platform exports: Taobao/Tmall (宝贝标题, 宝贝描述, 一口价, 宝贝类目, 商家编码),
#: 拼多多 (拼单价; its 单买价 is a price for buying alone, neither the sale price nor a
#: 划线价, so it stays unmapped), 抖店/有赞/微信小店 (商品名称, 商品详情, 售价, 划线价, 商品编码),
#: Shopify (Body (HTML), Variant Price, Variant Compare At Price), WooCommerce (Short
#: description, Regular price: the struck-through price beside a Sale price), Amazon flat
#: files (item_name, product_description, standard_price).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "商品id", "商品编号", "商品编码", "商品code", "sku", "skuid", "sku_id", "sku编码", "spu", "spuid",
           "货号", "item_id", "itemid", "product_id", "listing_id", "宝贝id", "商家编码", "商家货号", "variant_sku"),
    "title": ("title", "商品标题", "商品名称", "标题", "商品名", "名称", "品名", "product_name", "item_name", "name",
              "宝贝标题", "宝贝名称", "product_title", "item_title"),
    "subtitle": ("subtitle", "副标题", "卖点", "商品卖点", "短标题", "selling_points", "selling_point", "商品短标题",
                 "宝贝卖点", "short_description"),
    "description": ("description", "desc", "商品描述", "描述", "详情", "商品详情", "详情描述", "商品介绍", "detail",
                    "details", "宝贝描述", "宝贝详情", "详情页文案", "商品文案", "product_description",
                    "item_description", "body"),
    "category": ("category", "类目", "商品类目", "类别", "品类", "分类", "商品分类", "一级类目", "所属类目",
                 "category_name", "宝贝类目", "product_category", "categories"),
    "price": ("price", "售价", "价格", "现价", "销售价", "销售价格", "商品价格", "sale_price", "selling_price",
              "一口价", "宝贝价格", "拼单价", "variant_price", "standard_price"),
    "original_price": ("original_price", "原价", "划线价", "市场价", "吊牌价", "list_price", "strike_price",
                       "compare_at_price", "variant_compare_at_price", "regular_price"),
    "lowest_price_7d": ("lowest_price_7d", "近7日最低价", "7日最低价", "近七日最低价", "前7日最低成交价",
                        "7日最低成交价", "近7天最低价", "七日最低价", "min_price_7d", "lowest_7d"),
    "cost": ("cost", "成本", "成本价", "进货价", "采购价", "cost_price"),
    "promotion": ("promotion", "促销", "是否促销", "促销活动", "活动", "on_promotion", "is_promotion"),
    "sc": ("sc", "sc_code", "sc编号", "sc码", "生产许可证编号", "食品生产许可证编号", "生产许可证", "食品生产许可证",
           "生产许可证号"),
    "jy": ("jy", "jy_code", "经营许可证编号", "食品经营许可证编号", "食品经营许可证"),
    "registration": ("registration", "备案号", "注册证号", "注册证编号", "备案编号", "注册号", "批准文号", "备案/注册号",
                     "注册/备案号", "注册备案号", "license_no", "filing_no", "registration_no"),
    "ccc": ("ccc", "3c", "ccc证书编号", "3c证书编号", "ccc认证编号", "ccc编号", "ccc_no"),
    "cross_border": ("cross_border", "跨境", "是否跨境", "跨境商品", "跨境电商", "is_cross_border"),
}

_UNIT = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_PRICE = re.compile(r"[¥￥]?\s*(?:rmb)?\s*([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?:元|块)?", re.I)


class MappingError(ValueError):
    """A ``--map`` option that names no field or no column; a usage error."""


class RowError(Exception):
    """A row that cannot become a listing; the message is the record's reason."""


def fold_header(name: str) -> str:
    """Canonical form of a column header for alias lookup."""
    s = unicodedata.normalize("NFKC", str(name)).strip().lower()
    s = _UNIT.sub("", s) or s
    return re.sub(r"[\s_\-]+", "", s)


@functools.lru_cache(maxsize=1)
def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for name, aliases in ALIASES.items():
        for alias in aliases:
            table.setdefault(fold_header(alias), name)
    return table


def _alias(folded: str) -> str | None:
    """The field a folded header names; ``备案号/注册证号`` names the field both halves name."""
    table = _alias_table()
    if folded in table:
        return table[folded]
    parts = {table.get(p) for p in re.split(r"[/、|&]|或", folded) if p}
    return parts.pop() if len(parts) == 1 else None


def parse_map_options(items: Iterable[str]) -> dict[str, str]:
    """``field=column`` strings (``--map title=商品全称``) as a dict, each field named once."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, column = str(item).partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not name or not column:
            raise MappingError(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map title=商品全称")
        name = map_field_name(name, item)
        if name in out:
            raise MappingError(f"--map {item!r}: the field {name} is mapped twice (also to {out[name]!r})")
        other = next((n for n, c in out.items() if fold_header(c) == fold_header(column)), None)
        if other:
            raise MappingError(f"--map {item!r}: that column is mapped to {other} already")
        out[name] = column
    return out


def map_field_name(name: str, item: str = "") -> str:
    """The field a ``--map`` names: one of FIELDS (in any case), or else an extra field of that
    name, which only a rule pack reads (a price rule's ``fields:``, ``exempt_flags``). A name
    that is a column header of a field or close to a field's name is a mistake, never an
    extra: ``lowest_7d_price`` must not quietly take the column away from ``lowest_price_7d``."""
    if name.lower() in FIELDS:
        return name.lower()
    hint = _alias(fold_header(name)) or next(iter(difflib.get_close_matches(name.lower(), FIELDS, n=1, cutoff=0.6)),
                                             None)
    if hint:
        raise MappingError(f"--map {item or name!r}: unknown field {name!r} (did you mean {hint}?); "
                           f"the fields are {', '.join(FIELDS)}")
    return name


@dataclass(frozen=True)
class ColumnMap:
    """Which field each column of a table feeds (by position), and what the others are called."""

    headers: tuple[str, ...]
    names: tuple[str, ...]  # field name per column: a named field or the header itself (extra)
    mapped: tuple[bool, ...] = ()  # per column: feeds a field (a named one, or an extra one by --map)

    @classmethod
    def resolve(cls, headers: Sequence[str], overrides: Mapping[str, str] | None = None,
                strict: bool = True) -> ColumnMap:
        """Map ``headers`` to fields: ``overrides`` first (field -> column header, or ``#N`` for
        the N-th column), then the defaults.

        ``strict`` (tables): an override naming a missing or ambiguous column, or two columns of
        the same header that would feed one field, is a MappingError. Not strict (a JSONL row,
        which carries its own keys): an override without its key does not apply to that row.
        """
        headers = tuple("" if h is None else str(h) for h in headers)
        names: list[str | None] = [None] * len(headers)
        folded = [fold_header(h) for h in headers]
        taken: set[str] = set()
        for name, column in (overrides or {}).items():
            found = _find_columns(headers, folded, column, strict)
            if strict and len(found) > 1:
                raise MappingError(f"--map {name}={column}: {_columns_named(headers, found)}; "
                                   f"say which one with --map {name}=#{found[0] + 1} (columns are numbered from 1)")
            if strict and not found:
                shown = "、".join(h for h in headers if h) or "(none)"
                raise MappingError(f"--map {name}={column}: no column {column!r} (columns: {shown})")
            if not found or names[found[0]] is not None:
                if strict:
                    raise MappingError(f"--map {name}={column}: that column is mapped to {names[found[0]]} already")
                continue
            names[found[0]] = name
            taken.add(name)
        mapped = [n is not None for n in names]
        for i, f in enumerate(folded):
            if names[i] is None:
                name = _alias(f)
                if name and name not in taken:
                    twins = [j for j in range(i + 1, len(headers)) if names[j] is None and folded[j] == f]
                    if twins and strict:
                        raise MappingError(f"{_columns_named(headers, [i, *twins])}, each of which would feed {name}; "
                                           f"say which one with --map {name}=#{i + 1} (columns are numbered from 1)")
                    names[i] = name
                    taken.add(name)
                    mapped[i] = True
        used: set[str] = set(taken)
        for i, h in enumerate(headers):
            if names[i] is None:
                extra = h.strip() or f"column{i + 1}"
                base, n = extra, 2
                while extra in used:
                    extra, n = f"{base}_{n}", n + 1
                names[i] = extra
                used.add(extra)
        return cls(headers, tuple(names), tuple(mapped))  # type: ignore[arg-type]

    def has_text(self) -> bool:
        """Whether a column feeds a text field: without one the text packs see nothing."""
        return any(n in TEXT_FIELDS for n in self.names)

    def describe(self, limit: int = 20) -> str:
        """``title←商品标题, price←售价(元); not mapped: 备注``: which column feeds which field."""
        def shown(i: int) -> str:
            h = self.headers[i]
            return f"{h} (#{i + 1})" if not h or self.headers.count(h) > 1 else h

        used = [f"{n}←{shown(i)}" for i, (n, m) in enumerate(zip(self.names, self.mapped)) if m]
        free = [shown(i) for i, m in enumerate(self.mapped) if not m]
        text = ", ".join(used) or "(none)"
        if free:
            more = f" and {len(free) - limit} more" if len(free) > limit else ""
            text += "; not mapped: " + ", ".join(free[:limit]) + more
        return text


def _find_columns(headers: Sequence[str], folded: Sequence[str], column: str, numbers: bool = True) -> list[int]:
    """Indexes of the columns ``column`` names: by exact header, else by folded header, else
    (tables) ``#N`` for the N-th column."""
    found = [i for i, h in enumerate(headers) if h == column]
    if not found:
        f = fold_header(column)
        found = [i for i, x in enumerate(folded) if x == f]
    m = re.fullmatch(r"#(\d+)", column) if numbers and not found else None
    if m and 1 <= int(m.group(1)) <= len(headers):
        found = [int(m.group(1)) - 1]
    return found


def _columns_named(headers: Sequence[str], idx: Sequence[int]) -> str:
    numbers = ", ".join(str(i + 1) for i in idx[:-1]) + f" and {idx[-1] + 1}"
    return f"columns {numbers} have the same header {' / '.join(dict.fromkeys(repr(headers[i]) for i in idx))}"


@functools.lru_cache(maxsize=256)
def _map_for_keys(keys: tuple[str, ...], overrides: tuple[tuple[str, str], ...]) -> ColumnMap:
    return ColumnMap.resolve(keys, dict(overrides), strict=False)


def cell_text(value) -> str:
    """A cell of any reader (str, number, date, None) as the text a seller typed."""
    if type(value) is str:  # every cell of a CSV, most of any other
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def parse_price(text: str) -> float | None:
    """``¥1,299.00`` / ``99元`` / ``99`` as a number; empty is None; anything else RowError
    (whose message has a ``{field}`` placeholder for the caller to name the column)."""
    if text.isdigit() and text.isascii():  # most price cells: NFKC and the pattern take them as they are
        return float(text)
    s = unicodedata.normalize("NFKC", text).strip()
    if not s or s in ("-", "--", "/", "无", "n/a", "N/A", "null", "NULL", "None"):
        return None
    m = _PRICE.fullmatch(s)
    if not m:
        raise RowError(f"non-numeric {{field}} {text!r}")
    value = float(m.group(1).replace(",", ""))
    if value < 0:
        raise RowError(f"negative {{field}} {text!r}")
    return value


def build_listing(row: int, values, column_map: ColumnMap | None, line: int | None = None,
                  overrides: Mapping[str, str] | None = None) -> Listing:
    """A Listing from one reader row: ``values`` is a list (table formats, positions follow
    ``column_map``) or a dict (JSONL). Raises RowError with the record's reason."""
    if isinstance(values, Mapping):
        keys = tuple(str(k) for k in values)
        column_map = _map_for_keys(keys, tuple(sorted((overrides or {}).items())))
        cells = list(values.values())
    else:
        cells = list(values)
        if column_map is None:
            raise RowError("no header")
        if len(cells) != len(column_map.names):
            raise RowError(f"wrong column count: expected {len(column_map.names)}, found {len(cells)}")
    texts = [cell_text(c) for c in cells]
    if not any(t.strip() for t in texts):
        raise RowError("empty row")
    fields = dict(zip(column_map.names, texts))
    for name in PRICE_FIELDS:  # a price field that is no price makes the row an error record
        if name in fields:
            try:
                parse_price(fields[name])
            except RowError as exc:
                column = column_map.headers[column_map.names.index(name)]
                shown = name if column == name else f"{name} (column {column})"
                raise RowError(str(exc).replace("{field}", shown)) from None
    ident = fields.get("id", "").strip() or str(row)
    return Listing(ident, row, fields, line)


def row_id(row: int, values, column_map: ColumnMap | None) -> str:
    """Best-effort id of a row that failed, so an error record still names its listing."""
    try:
        if isinstance(values, Mapping):
            m = _map_for_keys(tuple(str(k) for k in values), ())
            cells = [cell_text(v) for v in values.values()]
        elif column_map is not None and values is not None:
            m, cells = column_map, [cell_text(v) for v in values]
        else:
            return str(row)
        idx = m.names.index("id")
        return cells[idx].strip() or str(row) if idx < len(cells) else str(row)
    except (ValueError, TypeError):
        return str(row)
