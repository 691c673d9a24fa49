"""Catalogue scans: readers, column mapping, the listing checker, records, the pool, Spark."""
