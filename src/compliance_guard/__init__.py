"""compliance-guard: a linter for Chinese e-commerce marketing copy."""
__version__ = "0.1.0"
