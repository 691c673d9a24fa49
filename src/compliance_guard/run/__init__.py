"""Checking files: the file runner, engines per config, suppressions, baselines, diffs, fixes."""
