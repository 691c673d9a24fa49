"""Data only: findings, rules, documents, listings, campaigns. No I/O, no parsing."""
