"""Structured checks: rules whose logic needs more than a term list.

A pack rule ``check: NAME`` names one of CHECKS, each a declared plugin (``checks.base.Check``):
its options schema, what it prepares from them once per engine build, and a runner per input
(text, listing, campaign). A new check is one module declaring its Check and one line here.
"""
from __future__ import annotations

from compliance_guard.checks.base import Check
from compliance_guard.checks.certification import numbers, requirements
from compliance_guard.checks.pricing import arithmetic, listing, time_limit

CHECKS: dict[str, Check] = {
    "sc-code": numbers.SC_CODE,
    "sc-check-digit": numbers.SC_CHECK_DIGIT,
    "qs-legacy": numbers.QS_LEGACY,
    "jy-code": numbers.JY_CODE,
    "health-food-number": numbers.HEALTH_FOOD_NUMBER,
    "health-food-legacy": numbers.HEALTH_FOOD_LEGACY,
    "cosmetic-number": numbers.COSMETIC_NUMBER,
    "cosmetic-legacy": numbers.COSMETIC_LEGACY,
    "device-number": numbers.DEVICE_NUMBER,
    "device-legacy": numbers.DEVICE_LEGACY,
    "drug-number": numbers.DRUG_NUMBER,
    "ccc-number": numbers.CCC_NUMBER,
    "category-requirement": requirements.CATEGORY_REQUIREMENT,
    "price-arithmetic": arithmetic.PRICE_ARITHMETIC,
    "time-limit": time_limit.TIME_LIMIT,
    "listing-original-price": listing.LISTING_ORIGINAL_PRICE,
    "listing-text-price": listing.LISTING_TEXT_PRICE,
    "listing-below-cost": listing.LISTING_BELOW_COST,
}
