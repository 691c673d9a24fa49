"""A product listing: one row of a catalogue, its named fields as the seller typed them."""
from __future__ import annotations

from dataclasses import dataclass

#: Named fields, in the order findings are reported.
FIELDS = (
    "id", "title", "subtitle", "description", "category", "price", "original_price",
    "lowest_price_7d", "cost", "promotion", "sc", "jy", "registration", "ccc", "cross_border",
)
#: Fields the text packs (absolute claims, medical claims, …) run on.
TEXT_FIELDS = ("title", "subtitle", "description")
#: Fields that hold a certificate or filing number; the number checks run on them.
NUMBER_FIELDS = ("sc", "jy", "registration", "ccc")
#: Fields that must be numbers when present.
PRICE_FIELDS = ("price", "original_price", "lowest_price_7d", "cost")


@dataclass
class Listing:
    """One row of a catalogue: an id and its named fields (text as given)."""

    id: str
    row: int  # 1-based ordinal of the data row in the input
    fields: dict[str, str]
    line: int | None = None  # where the row starts in the source (CSV/JSONL line, sheet row)

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def title(self) -> str:
        return self.get("title")

    @property
    def description(self) -> str:
        return self.get("description")

    @property
    def category(self) -> str:
        return self.get("category").strip()

    @property
    def extra(self) -> dict[str, str]:
        return {k: v for k, v in self.fields.items() if k not in FIELDS}
