"""Prices: mentions in text, their arithmetic, time limits, listing price fields."""
