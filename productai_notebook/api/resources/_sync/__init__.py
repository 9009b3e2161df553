# Generated from ../_async/__init__.py by scripts/unasync.py: edit that file, not this one.
"""Twins of the resources: `_async/` is written by hand, `_sync/` generated from it by scripts/unasync.py."""
