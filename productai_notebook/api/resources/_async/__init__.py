"""Twins of the resources: `_async/` is written by hand, `_sync/` generated from it by scripts/unasync.py."""
