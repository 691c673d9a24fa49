"""Structured checks: rules whose logic needs more than a term list.

A pack rule ``check: NAME`` names one of CHECKS, each a declared plugin (``checks.base.Check``):
its options schema, what it prepares from them once per engine build, and a runner per input
(text, listing, campaign). A new check is one module declaring its Check and one line here.
"""
from __future__ import annotations

from compliance_guard.checks.base import Check
from compliance_guard.checks.campaign import mechanics, parameters
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
    "campaign-group-discount": parameters.GROUP_DISCOUNT,
    "campaign-group-over-cost": parameters.GROUP_OVER_COST,
    "campaign-threshold-ratio": parameters.THRESHOLD_RATIO,
    "campaign-traffic-price": parameters.TRAFFIC_PRICE,
    "campaign-traffic-margin": parameters.TRAFFIC_MARGIN,
    "campaign-profit-price": parameters.PROFIT_PRICE,
    "campaign-profit-margin": parameters.PROFIT_MARGIN,
    "campaign-longtail-return": parameters.LONGTAIL_RETURN,
    "campaign-longtail-search": parameters.LONGTAIL_SEARCH,
    "campaign-price-band": parameters.PRICE_BAND,
    "campaign-coupon-stacking": parameters.COUPON_STACKING,
    "campaign-safety-stock": parameters.SAFETY_STOCK,
    "campaign-return-rate-alert": parameters.RETURN_RATE_ALERT,
    "campaign-new-customer-alert": parameters.NEW_CUSTOMER_ALERT,
    "invite-reward": mechanics.INVITE_REWARD,
    "share-reward": mechanics.SHARE_REWARD,
    "follow-reward": mechanics.FOLLOW_REWARD,
    "bargain": mechanics.BARGAIN,
    "distribution-levels": mechanics.DISTRIBUTION_LEVELS,
    "distribution-entry-fee": mechanics.DISTRIBUTION_ENTRY_FEE,
    "distribution-per-recruit": mechanics.DISTRIBUTION_PER_RECRUIT,
    "lottery-top-prize": mechanics.LOTTERY_TOP_PRIZE,
    "lottery-conditions": mechanics.LOTTERY_CONDITIONS,
    "lottery-prizes-published": mechanics.LOTTERY_PRIZES_PUBLISHED,
    "lottery-group-buy": mechanics.LOTTERY_GROUP_BUY,
}
